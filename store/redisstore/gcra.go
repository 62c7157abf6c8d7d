package redisstore

import (
	_ "embed"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/tollgate/tollgate/ratelimit"
)

// The GCRA fast path. GCRA is ratelimit's default algorithm; a take whose
// counters all use it runs a script specialised to it, which reads and
// writes the same packed counters string as the general script but skips
// the other algorithms' machinery (about a third of the server time), and
// takes each limit as two integers instead of a binary spec.
var (
	//go:embed lua/gcra_lib.lua
	gcraLib string
	//go:embed lua/gcra_commit.lua
	gcraCommit string
	//go:embed lua/gcra1_lib.lua
	gcra1Lib string
	//go:embed lua/gcra1_commit.lua
	gcra1Commit string
	//go:embed lua/gcra.lua
	gcraSrc string
	//go:embed lua/gcra_both.lua
	gcraBothSrc string

	gcraTake  = gcraScript(4, gcraLib, gcraSrc, gcraCommit)
	gcraBoth  = gcraScript(8, gcraLib+quotaLib, gcraBothSrc, gcraCommit)
	gcra1Take = gcraScript(4, gcra1Lib, gcraSrc, gcra1Commit)
	gcra1Both = gcraScript(8, gcra1Lib+quotaLib, gcraBothSrc, gcra1Commit)
)

// gcraScript assembles a fast-path script: the ARGV index of its first
// counter, the decision, then the tail with the commit code inlined where
// it says so (a closure built on every call would cost more).
func gcraScript(first int, lib, tail, commit string) *redis.Script {
	return redis.NewScript("local first = " + strconv.Itoa(first) + "\n" + lib +
		strings.Replace(tail, "--[[commit]]", commit, 1))
}

// gcraScripts returns the fast-path scripts for a take of n counters:
// throttle alone, and throttle with a quota.
func gcraScripts(n int) (take, both *redis.Script) {
	if n == 1 {
		return gcra1Take, gcra1Both
	}
	return gcraTake, gcraBoth
}

// gcraArgs returns the fast path's arguments for req, as
// [RateLimitStore.args] does, and false if a counter is not a valid GCRA
// limit (the general script handles, or rejects, it).
func (r *RateLimitStore) gcraArgs(req ratelimit.TakeRequest, extra []any) ([]any, bool) {
	args := r.argsHead(req, extra, 3*len(req.Counters))
	for _, c := range req.Counters {
		l := c.Limit
		if l.Algorithm != ratelimit.GCRA || l.Quota <= 0 || l.Period <= 0 {
			return nil, false
		}
		capacity := l.Quota
		if l.Burst > 0 {
			capacity = l.Burst
		}
		period := int64(l.Period)
		args = append(args, c.Bucket, max(1, (period+l.Quota-1)/l.Quota), capacity)
	}
	return args, true
}
