package sqlstore

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tollgate/tollgate/apikey"
)

// previous is how a rotated-out secret is kept in the previous column.
type previous struct {
	Hash      []byte `json:"hash"`
	Start     string `json:"start"`
	ExpiresUS int64  `json:"expires_us"`
}

// encodeKey returns k's column values in keyCols order.
func encodeKey(k *apikey.Key) ([]any, error) {
	scopes, err := jsonCol(k.Scopes)
	if err != nil {
		return nil, err
	}
	meta, err := jsonCol(k.Metadata)
	if err != nil {
		return nil, err
	}
	var prev []previous
	for _, p := range k.Previous {
		prev = append(prev, previous{Hash: p.Hash[:], Start: p.Start, ExpiresUS: p.ExpiresAt.UnixMicro()})
	}
	prevCol, err := jsonCol(prev)
	if err != nil {
		return nil, err
	}
	return []any{
		k.ID, k.Owner, k.Name, k.Plan, k.Hash[:], k.Start, scopes, meta, k.Enabled,
		micros(k.CreatedAt), micros(k.UpdatedAt), micros(k.ExpiresAt), micros(k.LastUsedAt), micros(k.RevokedAt),
		prevCol, k.Version,
	}, nil
}

// jsonCol encodes v as JSON text, and a nil slice or map as NULL so that
// it reads back as nil.
func jsonCol[T any](v T) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: encode column: %w", err)
	}
	if string(b) == "null" {
		return nil, nil
	}
	return string(b), nil
}

// micros stores a time as Unix microseconds, and the zero time as NULL.
func micros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

func fromMicros(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMicro(n.Int64).UTC()
}

// scanKey reads a row of keyCols.
func scanKey(row interface{ Scan(...any) error }) (*apikey.Key, error) {
	var (
		k                      apikey.Key
		hash                   []byte
		scopes, meta, prev     sql.Null[[]byte]
		created, updated       sql.NullInt64
		expires, used, revoked sql.NullInt64
	)
	err := row.Scan(&k.ID, &k.Owner, &k.Name, &k.Plan, &hash, &k.Start, &scopes, &meta, &k.Enabled,
		&created, &updated, &expires, &used, &revoked, &prev, &k.Version)
	if err != nil {
		return nil, err
	}
	copy(k.Hash[:], hash)
	k.CreatedAt, k.UpdatedAt, k.ExpiresAt = fromMicros(created), fromMicros(updated), fromMicros(expires)
	k.LastUsedAt, k.RevokedAt = fromMicros(used), fromMicros(revoked)
	if err := decodeJSON(scopes, &k.Scopes); err != nil {
		return nil, err
	}
	if err := decodeJSON(meta, &k.Metadata); err != nil {
		return nil, err
	}
	return &k, decodePrevious(prev, &k)
}

func decodeJSON(col sql.Null[[]byte], dst any) error {
	if !col.Valid {
		return nil
	}
	if err := json.Unmarshal(col.V, dst); err != nil {
		return fmt.Errorf("decode key: %w", err)
	}
	return nil
}

func decodePrevious(col sql.Null[[]byte], k *apikey.Key) error {
	var prev []previous
	if err := decodeJSON(col, &prev); err != nil || prev == nil {
		return err
	}
	k.Previous = make([]apikey.PreviousSecret, len(prev))
	for i, p := range prev {
		copy(k.Previous[i].Hash[:], p.Hash)
		k.Previous[i].Start = p.Start
		k.Previous[i].ExpiresAt = time.UnixMicro(p.ExpiresUS).UTC()
	}
	return nil
}
