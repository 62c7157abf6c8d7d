package redisstore

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tollgate/tollgate/apikey"
)

var (
	//go:embed lua/apikey_put.lua
	apikeyPutSrc string
	//go:embed lua/apikey_delete.lua
	apikeyDeleteSrc string
	//go:embed lua/apikey_by_hash.lua
	apikeyByHashSrc string
	//go:embed lua/apikey_list.lua
	apikeyListSrc string
	//go:embed lua/apikey_touch.lua
	apikeyTouchSrc string

	apikeyPut    = redis.NewScript(apikeyPutSrc)
	apikeyDelete = redis.NewScript(apikeyDeleteSrc)
	apikeyByHash = redis.NewScript(apikeyByHashSrc)
	apikeyList   = redis.NewScript(apikeyListSrc)
	apikeyTouch  = redis.NewScript(apikeyTouchSrc)
)

// APIKeyStore is an [apikey.Store] in Redis. Each key is a Redis hash
// holding the record as JSON, its version, and its last-used time (kept
// apart so [APIKeyStore.TouchLastUsed] need not rewrite the record); a
// string per secret hash and a sorted set per owner index it. Every write is one Lua script, so a version check,
// the index moves and the change notification happen atomically.
//
// In Redis Cluster all API key data shares one hash tag, so one slot: the
// scripts must see a record and its indexes together, and key records are
// few and read rarely (the [apikey.Manager] caches them).
//
// It is safe for concurrent use.
type APIKeyStore struct {
	s       *Store
	base    string // "<prefix>{apikey}:" — the hash tag pins everything to one slot
	channel string
}

var _ apikey.Store = (*APIKeyStore)(nil)

// APIKeys returns the store of API key records.
func (s *Store) APIKeys() *APIKeyStore {
	return &APIKeyStore{s: s, base: s.prefix + "{apikey}:", channel: s.prefix + "apikey:changed"}
}

func (a *APIKeyStore) recordKey(id string) string    { return a.base + "rec:" + id }
func (a *APIKeyStore) hashKey(hexHash string) string { return a.base + "hash:" + hexHash }
func (a *APIKeyStore) ownerKey(owner string) string  { return a.base + "owner:" + owner }

// Get implements [apikey.Store].
func (a *APIKeyStore) Get(ctx context.Context, id string) (*apikey.Key, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, cancel := a.s.call(ctx)
	defer cancel()
	fields, err := a.s.client.HMGet(c, a.recordKey(id), "d", "v", "lu").Result()
	return a.decode(ctx, "get api key", fields, err)
}

// GetByHash implements [apikey.Store] in one round trip.
func (a *APIKeyStore) GetByHash(ctx context.Context, h apikey.Hash) (*apikey.Key, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, cancel := a.s.call(ctx)
	defer cancel()
	fields, err := apikeyByHash.Run(c, a.s.client, []string{a.hashKey(hexHash(h))}, a.recordKey("")).Slice()
	return a.decode(ctx, "get api key by hash", fields, err)
}

// decode reads a record's fields d, v and lu as HMGET returns them.
func (a *APIKeyStore) decode(ctx context.Context, op string, fields []any, err error) (*apikey.Key, error) {
	switch {
	case errors.Is(err, redis.Nil) || err == nil && (len(fields) != 3 || fields[0] == nil):
		return nil, apikey.ErrNotFound
	case err != nil:
		return nil, a.s.fail(ctx, op, err)
	}
	k, err := decodeRecord(fields)
	if err != nil {
		return nil, fmt.Errorf("redisstore: %s: corrupt record: %w", op, err)
	}
	return k, nil
}

// Put implements [apikey.Store]. A successful write is announced on the
// change channel (see [APIKeyStore.Subscribe]).
func (a *APIKeyStore) Put(ctx context.Context, k *apikey.Key) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data, err := encodeKey(k)
	if err != nil {
		return fmt.Errorf("redisstore: encode api key: %w", err)
	}
	hashes := hexHashes(k)
	keys := make([]string, 0, 2+len(hashes))
	keys = append(keys, a.recordKey(k.ID), a.ownerKey(k.Owner))
	for _, h := range hashes {
		keys = append(keys, a.hashKey(h))
	}
	c, cancel := a.s.call(ctx)
	defer cancel()
	ok, err := apikeyPut.Run(c, a.s.client, keys, k.Version, k.ID, data, k.Owner,
		joinHashes(hashes), a.hashKey(""), a.ownerKey(""), a.channel).Int()
	switch {
	case err != nil:
		return a.s.fail(ctx, "put api key", err)
	case ok == 0:
		return apikey.ErrConflict
	}
	return nil
}

// List implements [apikey.Store] in one round trip.
func (a *APIKeyStore) List(ctx context.Context, owner, after string, limit int) ([]*apikey.Key, error) {
	if err := ctx.Err(); err != nil || limit <= 0 {
		return nil, err
	}
	min := "-"
	if after != "" {
		min = "(" + after
	}
	c, cancel := a.s.call(ctx)
	defer cancel()
	rows, err := apikeyList.Run(c, a.s.client, []string{a.ownerKey(owner)}, min, limit, a.recordKey("")).Slice()
	if err != nil {
		return nil, a.s.fail(ctx, "list api keys", err)
	}
	keys := make([]*apikey.Key, 0, len(rows))
	for _, row := range rows {
		fields, ok := row.([]any)
		if !ok || len(fields) != 3 || fields[0] == nil {
			continue // an index entry without its record would be a bug; skip it rather than fail the page
		}
		k, err := decodeRecord(fields)
		if err != nil {
			return nil, fmt.Errorf("redisstore: list api keys: corrupt record: %w", err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// Delete implements [apikey.Store]. Deleting an existing key is announced
// on the change channel.
func (a *APIKeyStore) Delete(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c, cancel := a.s.call(ctx)
	defer cancel()
	err := apikeyDelete.Run(c, a.s.client, []string{a.recordKey(id)},
		id, a.hashKey(""), a.ownerKey(""), a.channel).Err()
	if err != nil {
		return a.s.fail(ctx, "delete api key", err)
	}
	return nil
}

// TouchLastUsed records when keys were last used, for all of them in one
// script: a time not after the stored one is ignored, and a missing key
// is skipped. [apikey.Manager.TouchLastUsed] calls it instead of reading
// and writing each key. It bumps each touched key's Version, so a
// concurrent read-modify-write retries, and publishes nothing: the
// last-used time does not affect verification, so caches stay warm.
func (a *APIKeyStore) TouchLastUsed(ctx context.Context, last map[string]time.Time) error {
	if err := ctx.Err(); err != nil || len(last) == 0 {
		return err
	}
	keys := make([]string, 0, len(last))
	args := make([]any, 0, len(last))
	for id, t := range last {
		keys = append(keys, a.recordKey(id))
		args = append(args, t.UnixMicro())
	}
	c, cancel := a.s.call(ctx)
	defer cancel()
	if err := apikeyTouch.Run(c, a.s.client, keys, args...).Err(); err != nil {
		return a.s.fail(ctx, "touch api keys", err)
	}
	return nil
}
