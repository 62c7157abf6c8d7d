// Package redistest holds helpers for tests that talk to Redis through
// go-redis, such as counting a client's round trips.
package redistest

import (
	"context"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
)

// RoundTrips is a go-redis hook that counts the commands and pipelines a
// client sends: its round trips to the server. Add it with
// client.AddHook; it is safe for concurrent use.
type RoundTrips struct{ n atomic.Int64 }

// Count returns the round trips so far.
func (h *RoundTrips) Count() int64 { return h.n.Load() }

// DialHook implements redis.Hook; dials are not counted.
func (h *RoundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook implements redis.Hook, counting one round trip per command.
func (h *RoundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { h.n.Add(1); return next(ctx, cmd) }
}

// ProcessPipelineHook implements redis.Hook, counting one round trip per
// pipeline.
func (h *RoundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { h.n.Add(1); return next(ctx, cmds) }
}
