package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"slices"

	"github.com/tollgate/tollgate/apikey"
)

// The hash index is kept with point operations on its primary key: a
// plain read of the key's hashes (safe, as the caller holds the key's row
// lock), a DELETE per dropped hash and an INSERT of the new ones. A range
// DELETE by key_id would take gap locks on MySQL, on which writers of
// neighbouring keys deadlock.

// hashesOf returns the hashes indexed for key id.
func (ks *KeyStore) hashesOf(ctx context.Context, tx *sql.Tx, id string) ([]apikey.Hash, error) {
	raw, err := column[[]byte](tx.QueryContext(ctx, ks.q.hashesOf, id))
	if err != nil {
		return nil, err
	}
	hs := make([]apikey.Hash, len(raw))
	for i, b := range raw {
		copy(hs[i][:], b)
	}
	return hs, nil
}

// column reads the single column of every row, closing rows.
func column[T any](rows *sql.Rows, err error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var vs []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return vs, rows.Err()
}

// reindex makes the index hold want, not old, for key id. Both changes
// go in byte order, so concurrent writers lock hashes in the same order.
func (ks *KeyStore) reindex(ctx context.Context, tx *sql.Tx, id string, old, want []apikey.Hash) error {
	old, want = sortedSet(old), sortedSet(want)
	for _, h := range old {
		if _, keep := slices.BinarySearchFunc(want, h, compareHash); keep {
			continue
		}
		if _, err := tx.ExecContext(ctx, ks.q.deleteHash, h[:]); err != nil {
			return err
		}
	}
	add := slices.DeleteFunc(want, func(h apikey.Hash) bool {
		_, had := slices.BinarySearchFunc(old, h, compareHash)
		return had
	})
	return ks.insertHashes(ctx, tx, id, add)
}

// insertHashes indexes hs, maxHashes rows per statement.
func (ks *KeyStore) insertHashes(ctx context.Context, tx *sql.Tx, id string, hs []apikey.Hash) error {
	for chunk := range slices.Chunk(hs, maxHashes) {
		args := make([]any, 0, 2*len(chunk))
		for _, h := range chunk {
			args = append(args, h[:], id)
		}
		if _, err := tx.ExecContext(ctx, ks.q.insertHash[len(chunk)-1], args...); err != nil {
			return err
		}
	}
	return nil
}

func compareHash(a, b apikey.Hash) int { return bytes.Compare(a[:], b[:]) }

// sortedSet sorts hs in place and drops repeats.
func sortedSet(hs []apikey.Hash) []apikey.Hash {
	slices.SortFunc(hs, compareHash)
	return slices.Compact(hs)
}
