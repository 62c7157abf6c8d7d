package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/tollgate/tollgate/apikey"
)

// KeyStore is an [apikey.Store] on the Store's database: a row per key in
// <prefix>api_keys and a row per secret hash in <prefix>api_key_hashes,
// whose primary key keeps a secret to one key. Every write is one
// transaction. It is safe for concurrent use.
type KeyStore struct {
	s *Store
	q keyQueries
}

var _ apikey.Store = (*KeyStore)(nil)

// APIKeys returns the Store's [apikey.Store].
func (s *Store) APIKeys() *KeyStore { return s.keys }

const keyCols = `id, owner, name, plan, hash, secret_start, scopes, metadata, enabled,
	created_at, updated_at, expires_at, last_used_at, revoked_at, previous, version`

// keyQueries are the KeyStore's statements in the Store's dialect.
type keyQueries struct {
	get, getByHash, list                     *stmt
	insert, update, deleteKey, touch, notify string
	hashesOf, deleteHash                     string
	insertHash                               []string // by number of rows, 1 to maxHashes
}

// maxHashes bounds the hashes inserted in one statement; keys with more
// secrets (a long rotation history) take several.
const maxHashes = 8

func newKeyStore(s *Store) *KeyStore {
	q := keyQueries{
		get:        s.newStmt(`SELECT ` + keyCols + ` FROM {p}api_keys WHERE id = ?`),
		getByHash:  s.newStmt(`SELECT k.` + strings.ReplaceAll(keyCols, ", ", ", k.") + ` FROM {p}api_key_hashes h JOIN {p}api_keys k ON k.id = h.key_id WHERE h.hash = ?`),
		list:       s.newStmt(`SELECT ` + keyCols + ` FROM {p}api_keys WHERE owner = ? AND id > ? ORDER BY id LIMIT ?`),
		insert:     s.query(`INSERT INTO {p}api_keys (` + keyCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		update:     s.query(updateKey),
		deleteKey:  s.query(`DELETE FROM {p}api_keys WHERE id = ?`),
		hashesOf:   s.query(`SELECT hash FROM {p}api_key_hashes WHERE key_id = ?`),
		deleteHash: s.query(`DELETE FROM {p}api_key_hashes WHERE hash = ?`),
		touch:      s.query(`UPDATE {p}api_keys SET last_used_at = ?, version = version + 1 WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`),
		notify:     s.query(`SELECT pg_notify(?, ?)`),
	}
	for n := 1; n <= maxHashes; n++ {
		q.insertHash = append(q.insertHash, s.query(`INSERT INTO {p}api_key_hashes (hash, key_id) VALUES `+placeholders(n, 2)))
	}
	return &KeyStore{s: s, q: q}
}

const updateKey = `UPDATE {p}api_keys SET owner = ?, name = ?, plan = ?, hash = ?, secret_start = ?,
	scopes = ?, metadata = ?, enabled = ?, created_at = ?, updated_at = ?, expires_at = ?,
	last_used_at = ?, revoked_at = ?, previous = ?, version = ? WHERE id = ? AND version = ?`

// Get implements [apikey.Store].
func (ks *KeyStore) Get(ctx context.Context, id string) (*apikey.Key, error) {
	return ks.getOne(ctx, "get key", ks.q.get, id)
}

// GetByHash implements [apikey.Store].
func (ks *KeyStore) GetByHash(ctx context.Context, h apikey.Hash) (*apikey.Key, error) {
	return ks.getOne(ctx, "get key by hash", ks.q.getByHash, h[:])
}

func (ks *KeyStore) getOne(ctx context.Context, op string, st *stmt, arg any) (*apikey.Key, error) {
	var k *apikey.Key
	err := ks.s.queryRow(ctx, st, func(row *sql.Row) (err error) {
		k, err = scanKey(row)
		return err
	}, arg)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, apikey.ErrNotFound
	case err != nil:
		return nil, ks.s.fail(ctx, op, err)
	}
	return k, nil
}

// List implements [apikey.Store].
func (ks *KeyStore) List(ctx context.Context, owner, after string, limit int) ([]*apikey.Key, error) {
	if limit <= 0 {
		return nil, nil
	}
	var keys []*apikey.Key
	err := ks.s.queryRows(ctx, ks.q.list, func(rows *sql.Rows) error {
		k, err := scanKey(rows)
		keys = append(keys, k)
		return err
	}, owner, after, limit)
	if err != nil {
		return nil, ks.s.fail(ctx, "list keys", err)
	}
	return keys, nil
}

// Put implements [apikey.Store]: an INSERT for version 1, otherwise an
// UPDATE guarded by "version = k.Version-1", then the hashes the key no
// longer has dropped and its new ones added, all in one transaction. A
// duplicate ID or hash, a stale version or a deadlock that persists
// reports [apikey.ErrConflict].
func (ks *KeyStore) Put(ctx context.Context, k *apikey.Key) error {
	row, err := encodeKey(k)
	if err != nil {
		return err
	}
	return ks.s.inTx(ctx, "put key", apikey.ErrConflict, func(ctx context.Context, tx *sql.Tx) error {
		if err := ks.writeRow(ctx, tx, k, row); err != nil {
			return err
		}
		var old []apikey.Hash
		if k.Version > 1 {
			if old, err = ks.hashesOf(ctx, tx, k.ID); err != nil {
				return err
			}
		}
		if err := ks.reindex(ctx, tx, k.ID, old, k.Hashes()); err != nil {
			return err
		}
		return ks.notifyChange(ctx, tx, k.ID)
	})
}

func (ks *KeyStore) writeRow(ctx context.Context, tx *sql.Tx, k *apikey.Key, row []any) error {
	if k.Version == 1 {
		_, err := tx.ExecContext(ctx, ks.q.insert, row...)
		return err
	}
	if k.Version < 1 {
		return apikey.ErrConflict
	}
	args := append(row[1:], k.ID, k.Version-1)
	res, err := tx.ExecContext(ctx, ks.q.update, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errors.Join(apikey.ErrConflict, err)
	}
	return nil
}

// Delete implements [apikey.Store]. Like Put, it locks the key's row
// before it touches the key's hashes.
func (ks *KeyStore) Delete(ctx context.Context, id string) error {
	return ks.s.inTx(ctx, "delete key", apikey.ErrConflict, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, ks.q.deleteKey, id); err != nil {
			return err
		}
		old, err := ks.hashesOf(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := ks.reindex(ctx, tx, id, old, nil); err != nil {
			return err
		}
		return ks.notifyChange(ctx, tx, id)
	})
}

// notifyChange tells subscribers that key id changed, when the
// transaction commits; see [KeyStore.Subscribe].
func (ks *KeyStore) notifyChange(ctx context.Context, tx *sql.Tx, id string) error {
	if !ks.s.notify {
		return nil
	}
	_, err := tx.ExecContext(ctx, ks.q.notify, ks.channel(), id)
	return err
}
