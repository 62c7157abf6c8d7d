package sqlstore

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/tollgate/tollgate/apikey"
)

// TouchLastUsed records when keys were last used, in one transaction and
// one guarded UPDATE per key: a time not after the stored one is ignored,
// and a missing key is skipped. It does the work of
// [apikey.Manager.TouchLastUsed] without reading the keys first and
// without notifying subscribers (the last-used time does not affect
// verification). It bumps each touched key's Version, so a concurrent
// read-modify-write of the key conflicts and retries rather than writing
// back the older time.
func (ks *KeyStore) TouchLastUsed(ctx context.Context, last map[string]time.Time) error {
	if len(last) == 0 {
		return nil
	}
	ids := make([]string, 0, len(last))
	for id := range last {
		ids = append(ids, id)
	}
	slices.Sort(ids) // the same lock order in every writer
	return ks.s.inTx(ctx, "touch keys", apikey.ErrConflict, func(ctx context.Context, tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, ks.q.touch)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, id := range ids {
			us := last[id].UnixMicro()
			if _, err := stmt.ExecContext(ctx, us, id, us); err != nil {
				return err
			}
		}
		return nil
	})
}
