package redisstore

import (
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate/apikey"
)

// keyRecord is how an [apikey.Key] is kept in Redis: JSON with hashes in
// hex, so the record reads well in redis-cli.
type keyRecord struct {
	ID         string            `json:"id"`
	Hash       string            `json:"hash"`
	Start      string            `json:"start,omitempty"`
	Name       string            `json:"name,omitempty"`
	Owner      string            `json:"owner,omitempty"`
	Plan       string            `json:"plan,omitempty"`
	Scopes     []string          `json:"scopes,omitempty"`
	Metadata   map[string]string `json:"metadata,omitempty"`
	Enabled    bool              `json:"enabled"`
	CreatedAt  time.Time         `json:"created_at,omitzero"`
	UpdatedAt  time.Time         `json:"updated_at,omitzero"`
	ExpiresAt  time.Time         `json:"expires_at,omitzero"`
	LastUsedAt time.Time         `json:"last_used_at,omitzero"`
	RevokedAt  time.Time         `json:"revoked_at,omitzero"`
	Previous   []previousRecord  `json:"previous,omitempty"`
	Version    int64             `json:"version"`
}

type previousRecord struct {
	Hash      string    `json:"hash"`
	Start     string    `json:"start,omitempty"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

func encodeKey(k *apikey.Key) ([]byte, error) {
	r := keyRecord{
		ID: k.ID, Hash: hexHash(k.Hash), Start: k.Start, Name: k.Name, Owner: k.Owner, Plan: k.Plan,
		Scopes: k.Scopes, Metadata: k.Metadata, Enabled: k.Enabled,
		CreatedAt: k.CreatedAt, UpdatedAt: k.UpdatedAt, ExpiresAt: k.ExpiresAt,
		LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt, Version: k.Version,
	}
	for _, p := range k.Previous {
		r.Previous = append(r.Previous, previousRecord{Hash: hexHash(p.Hash), Start: p.Start, ExpiresAt: p.ExpiresAt})
	}
	return json.Marshal(r)
}

func decodeKey(data string) (*apikey.Key, error) {
	var r keyRecord
	if err := json.Unmarshal([]byte(data), &r); err != nil {
		return nil, err
	}
	k := &apikey.Key{
		ID: r.ID, Start: r.Start, Name: r.Name, Owner: r.Owner, Plan: r.Plan,
		Scopes: r.Scopes, Metadata: r.Metadata, Enabled: r.Enabled,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, ExpiresAt: r.ExpiresAt,
		LastUsedAt: r.LastUsedAt, RevokedAt: r.RevokedAt, Version: r.Version,
	}
	var err error
	if k.Hash, err = parseHash(r.Hash); err != nil {
		return nil, err
	}
	for _, p := range r.Previous {
		h, err := parseHash(p.Hash)
		if err != nil {
			return nil, err
		}
		k.Previous = append(k.Previous, apikey.PreviousSecret{Hash: h, Start: p.Start, ExpiresAt: p.ExpiresAt})
	}
	return k, nil
}

// decodeRecord reads a record's HMGET fields: the JSON, the version
// (authoritative: TouchLastUsed bumps it without rewriting the JSON) and
// the last-used time in Unix microseconds, if any; the later of it and
// the JSON's wins.
func decodeRecord(fields []any) (*apikey.Key, error) {
	data, _ := fields[0].(string)
	k, err := decodeKey(data)
	if err != nil {
		return nil, err
	}
	v, _ := fields[1].(string)
	if k.Version, err = strconv.ParseInt(v, 10, 64); err != nil {
		return nil, err
	}
	if lu, ok := fields[2].(string); ok {
		us, err := strconv.ParseInt(lu, 10, 64)
		if err != nil {
			return nil, err
		}
		if t := time.UnixMicro(us).UTC(); t.After(k.LastUsedAt) {
			k.LastUsedAt = t
		}
	}
	return k, nil
}

func hexHash(h apikey.Hash) string { return hex.EncodeToString(h[:]) }

func parseHash(s string) (apikey.Hash, error) {
	var h apikey.Hash
	if hex.DecodedLen(len(s)) != len(h) {
		return h, hex.ErrLength
	}
	_, err := hex.Decode(h[:], []byte(s))
	return h, err
}

// hexHashes joins the hex of every hash k answers to, as the Put script
// stores them.
func hexHashes(k *apikey.Key) []string {
	hs := k.Hashes()
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = hexHash(h)
	}
	return out
}

func joinHashes(hs []string) string { return strings.Join(hs, " ") }
