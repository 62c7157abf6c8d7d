package usage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel/metric"
)

// run flushes every interval, or early when a shard fills, and backs off
// while the store fails.
func (m *Meter) run(ctx context.Context) {
	defer close(m.stopped)
	t := time.NewTimer(m.cfg.interval)
	defer t.Stop()
	var backoff time.Duration
	for {
		kick := m.kick
		if backoff > 0 {
			kick = nil // a failing store is not hammered by size triggers
		}
		select {
		case <-m.done:
			return
		case <-t.C:
		case <-kick:
		}
		m.rebase()
		backoff = m.nextBackoff(backoff, m.flush(ctx))
		if backoff > 0 {
			t.Reset(backoff)
		} else {
			t.Reset(m.cfg.interval)
		}
	}
}

// nextBackoff returns 0 after a success, else the doubled wait.
func (m *Meter) nextBackoff(prev time.Duration, err error) time.Duration {
	if err == nil {
		return 0
	}
	return min(max(2*prev, m.cfg.minBackoff), m.cfg.maxBackoff)
}

// flush applies the pending batch, or cuts a new one from the shards and
// applies it. On failure the batch stays pending, to be retried with the
// same ID; while it does, new records aggregate in the shards.
func (m *Meter) flush(ctx context.Context) error {
	m.logDrops()
	m.flushMu.Lock()
	defer m.flushMu.Unlock()
	if m.pending == nil {
		m.pending = m.cut()
		if m.pending == nil {
			return nil
		}
		m.hasPending.Store(true)
	}
	b := m.pending.batch
	if err := m.apply(ctx, b); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return ctxErr // stopped, not failed: the batch waits, unlogged
		}
		m.failures.Add(1)
		m.cfg.logger.WarnContext(ctx, "usage: flush failed, batch kept for retry",
			"batch", b.ID, "rows", len(b.Rows), "err", err)
		return fmt.Errorf("usage: apply batch %s: %w", b.ID, err)
	}
	if lu := m.pending.lastUsed; m.cfg.lastUsed != nil && len(lu) > 0 {
		if err := m.cfg.lastUsed.TouchLastUsed(ctx, lu); err != nil {
			m.cfg.logger.WarnContext(ctx, "usage: last-used update failed", "keys", len(lu), "err", err)
		}
	}
	m.pending = nil
	m.hasPending.Store(false)
	return nil
}

// apply calls the store, reporting the call to the observer.
func (m *Meter) apply(ctx context.Context, b Batch) error {
	start := time.Now()
	_, err := m.store.Apply(ctx, b)
	if m.cfg.observe != nil {
		m.cfg.observe(ctx, "usage.apply", time.Since(start), err)
	}
	return err
}

// cut drains every shard into one batch, merging the shards' copies of a
// bucket. It returns nil when there is nothing to flush.
func (m *Meter) cut() *pending {
	var rows []Row
	last := map[string]time.Time{}
	for i := range m.shards {
		rows = m.shards[i].drain(rows, last)
	}
	if len(rows) == 0 {
		return nil
	}
	return &pending{batch: Batch{ID: newBatchID(), Rows: mergeRows(rows)}, lastUsed: last}
}

// mergeRows adds up rows with equal RowKeys, in place, keeping the order
// of first appearance.
func mergeRows(rows []Row) []Row {
	idx := make(map[RowKey]int, len(rows))
	merged := rows[:0]
	for _, r := range rows {
		k := r.RowKey()
		if i, ok := idx[k]; ok {
			merged[i].Add(r.Counters)
			continue
		}
		idx[k] = len(merged)
		merged = append(merged, r)
	}
	return merged
}

// newBatchID returns a time-ordered UUID (version 7), which keeps a SQL
// store's index of applied batch IDs append-mostly.
func newBatchID() string {
	if id, err := uuid.NewV7(); err == nil {
		return id.String()
	}
	return uuid.NewString()
}

// Flush applies what the meter holds now: a pending batch, then a batch of
// everything aggregated so far. Records arriving meanwhile wait for the
// next flush.
func (m *Meter) Flush(ctx context.Context) error {
	for range 2 {
		if err := m.flush(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Close stops the flush loop, refuses further records (they are counted
// as dropped) and flushes everything held, retrying with backoff until it
// succeeds or ctx ends; then the error says how much was left unflushed.
// A second Close returns [ErrClosed].
func (m *Meter) Close(ctx context.Context) error {
	if !m.closing.CompareAndSwap(false, true) {
		return ErrClosed
	}
	for i := range m.shards {
		m.shards[i].close()
	}
	close(m.done)
	m.cancel() // abort a flush in flight; its batch stays pending
	<-m.stopped
	if m.reg != nil {
		defer func() { _ = m.reg.Unregister() }()
	}
	defer m.logDrops()
	var backoff time.Duration
	for {
		err := m.Flush(ctx)
		if err == nil {
			return nil
		}
		backoff = m.nextBackoff(backoff, err)
		select {
		case <-ctx.Done():
			s := m.Stats()
			return fmt.Errorf("usage: close: %d buckets and pending=%t left unflushed: %w", s.Buckets, s.Pending, err)
		case <-time.After(backoff):
		}
	}
}

// logDrops writes one log line for the records dropped since the last one.
func (m *Meter) logDrops() {
	total := m.dropped.Load()
	if n := total - m.droppedLogged.Swap(total); n > 0 {
		m.cfg.logger.Warn("usage: records dropped, buffer full or meter closed",
			"dropped", n, "dropped_total", total)
	}
}

func (m *Meter) registerMetrics() error {
	meter := m.cfg.meterProvider.Meter("github.com/tollgate/tollgate/usage")
	dropped, err := meter.Int64ObservableCounter("tollgate.usage.dropped",
		metric.WithUnit("{record}"), metric.WithDescription("Usage records dropped because the buffer was full."))
	if err != nil {
		return fmt.Errorf("usage: metrics: %w", err)
	}
	failures, err := meter.Int64ObservableCounter("tollgate.usage.flush.failures",
		metric.WithUnit("{call}"), metric.WithDescription("Usage flushes the store refused; batches are retried."))
	if err != nil {
		return fmt.Errorf("usage: metrics: %w", err)
	}
	m.reg, err = meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		o.ObserveInt64(dropped, m.dropped.Load())
		o.ObserveInt64(failures, m.failures.Load())
		return nil
	}, dropped, failures)
	if err != nil {
		return fmt.Errorf("usage: metrics: %w", err)
	}
	return nil
}
