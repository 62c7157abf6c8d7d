package sqlstore

import (
	"context"
	"database/sql"

	"github.com/tollgate/tollgate/usage"
)

// ApplyRowByRow is Apply with one statement per row, the baseline the
// usage benchmark compares batching with.
func (us *UsageStore) ApplyRowByRow(ctx context.Context, b usage.Batch) error {
	return us.s.inTx(ctx, "apply usage row by row", nil, func(ctx context.Context, tx *sql.Tx) error {
		if err := us.markApplied(ctx, tx, b.ID); err != nil {
			return err
		}
		for _, r := range mergeRows(b.Rows) {
			if _, err := tx.ExecContext(ctx, us.upsert(1), usageArgs([]usage.Row{r})...); err != nil {
				return err
			}
		}
		return nil
	})
}

// ApplyEachRow writes every row in a transaction of its own (autocommit),
// as a store without batches would: neither atomic nor idempotent, the
// second baseline of the usage benchmark.
func (us *UsageStore) ApplyEachRow(ctx context.Context, b usage.Batch) error {
	for _, r := range mergeRows(b.Rows) {
		if _, err := us.s.db.ExecContext(ctx, us.upsert(1), usageArgs([]usage.Row{r})...); err != nil {
			return err
		}
	}
	return nil
}
