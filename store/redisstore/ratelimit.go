package redisstore

import (
	"context"
	_ "embed"
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tollgate/tollgate/ratelimit"
)

var (
	//go:embed lua/clock.lua
	clockLib string
	//go:embed lua/ratelimit_lib.lua
	rateLimitLibSrc string
	rateLimitLib    = clockLib + rateLimitLibSrc
	//go:embed lua/ratelimit.lua
	rateLimitSrc string
	rateLimit    = redis.NewScript(rateLimitLib + rateLimitSrc)
)

// RateLimitStore is a [ratelimit.Store] in Redis. A caller's counters are
// packed into one Redis string, taken all or nothing by one Lua script
// that runs the same arithmetic as [ratelimit.MemoryStore] (all four
// algorithms), so a take is one round trip and two commands inside it
// (GET, SET with PX). The string expires once every counter in it is
// back to full; counters of other policies in it keep their own expiry.
// Takes whose limits are all GCRA run a script specialised to it, on the
// same string.
//
// The script decides at the Redis server's TIME, so instances whose
// clocks disagree still share one view of each window; [WithClientTime]
// makes it use [ratelimit.TakeRequest.Now] instead. Times are exact to the
// nanosecond for states within about 100 days of now (Lua's numbers are
// doubles); window algorithms need a Period that is a whole number of
// microseconds.
//
// When Redis fails, a take returns an error wrapping
// [ratelimit.ErrStoreUnavailable] and the limiter's fail policy applies;
// wrap the store in [ratelimit.NewFallbackStore] to take from a local
// store meanwhile.
//
// It is safe for concurrent use.
type RateLimitStore struct {
	s *Store
}

var _ ratelimit.Store = (*RateLimitStore)(nil)

// RateLimits returns the store of rate-limit counters.
func (s *Store) RateLimits() *RateLimitStore { return &RateLimitStore{s: s} }

// Take implements [ratelimit.Store].
func (r *RateLimitStore) Take(ctx context.Context, req ratelimit.TakeRequest) (ratelimit.Result, error) {
	if err := ctx.Err(); err != nil {
		return ratelimit.Result{}, err
	}
	script, _ := gcraScripts(len(req.Counters))
	args, ok := r.gcraArgs(req, nil)
	if !ok {
		var err error
		if args, err = r.args(req, nil); err != nil {
			return ratelimit.Result{}, err
		}
		script = rateLimit
	}
	c, cancel := r.s.call(ctx)
	defer cancel()
	reply, err := script.Run(c, r.s.client, []string{r.s.rateKey(req.Key)}, args...).Text()
	if err != nil {
		return ratelimit.Result{}, r.failed(ctx, err)
	}
	var v [5]int64
	return result(req, unpack(reply, v[:]))
}

// unpack reads a rate-limit script's reply, len(v) numbers packed as
// little-endian doubles (one string costs the server less to return than
// an array of integers), into v, as the integers Redis would have made of
// them. It returns nil if the reply is not that long.
func unpack(reply string, v []int64) []int64 {
	if len(reply) != 8*len(v) {
		return nil
	}
	for i := range v {
		var bits uint64
		for j := 8*i + 7; j >= 8*i; j-- {
			bits = bits<<8 | uint64(reply[j])
		}
		v[i] = int64(math.Float64frombits(bits))
	}
	return v
}

// failed turns a Redis error into the take's error: ctx.Err() unchanged,
// anything else counted and wrapping [ratelimit.ErrStoreUnavailable].
func (r *RateLimitStore) failed(ctx context.Context, err error) error {
	err = r.s.fail(ctx, "rate limit take", err)
	if ctx.Err() != nil {
		return err
	}
	return fmt.Errorf("%w: %w", ratelimit.ErrStoreUnavailable, err)
}

// result reads the script's reply {allowed, counter, remaining, reset,
// retry, ...}.
func result(req ratelimit.TakeRequest, v []int64) (ratelimit.Result, error) {
	if len(v) < 5 || v[1] < 0 || int(v[1]) >= len(req.Counters) {
		return ratelimit.Result{}, fmt.Errorf("%w: redisstore: rate limit take: malformed reply %v", ratelimit.ErrStoreUnavailable, v)
	}
	return ratelimit.Result{
		Allowed:    v[0] == 1,
		Limit:      req.Counters[v[1]].Limit,
		Remaining:  v[2],
		Reset:      time.Duration(v[3]),
		RetryAfter: time.Duration(v[4]),
	}, nil
}

// args returns the script's arguments for req: now (empty for the
// server's TIME), the cost, extra, and each counter's field and spec.
func (r *RateLimitStore) args(req ratelimit.TakeRequest, extra []any) ([]any, error) {
	args := r.argsHead(req, extra, 2*len(req.Counters))
	for _, c := range req.Counters {
		spec, err := r.spec(c.Limit)
		if err != nil {
			return nil, err
		}
		args = append(args, c.Bucket, spec)
	}
	return args, nil
}

// argsHead returns the arguments every rate-limit script starts with: now
// (two, empty for the server's TIME), the cost, then extra; with room for
// n more.
func (r *RateLimitStore) argsHead(req ratelimit.TakeRequest, extra []any, n int) []any {
	args := make([]any, 0, 3+len(extra)+n)
	if r.s.clientTime {
		args = append(args, req.Now.Unix(), req.Now.Nanosecond(), req.Cost)
	} else {
		args = append(args, "", "", req.Cost)
	}
	return append(args, extra...)
}

// spec encodes a limit for the script: an algorithm byte, then quota,
// period, capacity, interval, g, pg and bg as little-endian doubles, where
// g is gcd(period, 1s) and pg, bg are period and 1s divided by it, which
// lets the script find windows exactly. Binary, because the script
// unpacks it much faster than it parses text.
func (r *RateLimitStore) spec(l ratelimit.Limit) (string, error) {
	if s, ok := r.s.specs.Load(l); ok {
		return s.(string), nil
	}
	algo, ok := algoCodes[l.Algorithm]
	if !ok || l.Quota <= 0 || l.Period <= 0 {
		return "", fmt.Errorf("redisstore: rate limit %+v: %w", l, ratelimit.ErrInvalidLimit)
	}
	window := l.Algorithm == ratelimit.FixedWindow || l.Algorithm == ratelimit.SlidingWindow
	period, second := int64(l.Period), int64(time.Second)
	g := gcd(period, second)
	if window && second/g > maxWindowScale {
		return "", fmt.Errorf("redisstore: rate limit period %v is not a whole number of microseconds: %w", l.Period, ratelimit.ErrInvalidLimit)
	}
	capacity := l.Quota
	if !window && l.Burst > 0 {
		capacity = l.Burst
	}
	interval := max(1, (period+l.Quota-1)/l.Quota)
	buf := []byte{algo}
	for _, v := range []int64{l.Quota, period, capacity, interval, g, period / g, second / g} {
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(float64(v)))
	}
	s := string(buf)
	r.s.specs.Store(l, s)
	return s, nil
}

var algoCodes = map[ratelimit.Algorithm]byte{
	ratelimit.GCRA: 1, ratelimit.TokenBucket: 2, ratelimit.FixedWindow: 3, ratelimit.SlidingWindow: 4,
}

// maxWindowScale bounds 1s/gcd(period, 1s) so that seconds × it stays
// below 2^53 (exact in Lua) for a few centuries: every period that is a
// whole number of microseconds qualifies.
const maxWindowScale = 1_000_000

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// rateKey names the string of key's counters. Its hash tag, shared with the
// key's quota counters, keeps them in one Cluster slot.
func (s *Store) rateKey(key string) string { return s.prefix + "rl:" + tag(key) }
