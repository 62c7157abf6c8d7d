package redisstore

import (
	_ "embed"
	"encoding/binary"
	"math"
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
	//go:embed lua/gcra_head.lua
	gcraHead string
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

	gcraTake  = gcraScript(2, gcraLib, gcraSrc, gcraCommit)
	gcraBoth  = gcraScript(6, gcraLib+quotaLib, gcraBothSrc, gcraCommit)
	gcra1Take = gcraScript(2, gcra1Lib, gcraSrc, gcra1Commit)
	gcra1Both = gcraScript(6, gcra1Lib+quotaLib, gcraBothSrc, gcra1Commit)
)

// gcraScript assembles a fast-path script: the ARGV index of its first
// counter, the shared head, the decision, then the tail with the commit
// code inlined where it says so (a closure built on every call would cost
// more).
func gcraScript(first int, lib, tail, commit string) *redis.Script {
	return redis.NewScript("local first = " + strconv.Itoa(first) + "\n" + gcraHead + lib +
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

// gcraArgs returns the fast path's arguments for req: the cost (and now,
// unless the server's TIME decides) packed as little-endian doubles, then
// extra, then each counter's field and its emission interval and
// capacity, packed likewise, which the script unpacks for less than it
// would parse them as text. It returns false if a counter is not a valid
// GCRA limit (the general script handles, or rejects, it).
func (r *RateLimitStore) gcraArgs(req ratelimit.TakeRequest, extra []any) ([]any, bool) {
	head := make([]byte, 0, 24)
	head = appendFloat(head, float64(req.Cost))
	if r.s.clientTime {
		head = appendFloat(appendFloat(head, float64(req.Now.Unix())), float64(req.Now.Nanosecond()))
	}
	args := make([]any, 0, 1+len(extra)+2*len(req.Counters))
	args = append(args, string(head))
	args = append(args, extra...)
	for _, c := range req.Counters {
		spec, ok := r.gcraSpec(c.Limit)
		if !ok {
			return nil, false
		}
		args = append(args, c.Bucket, spec)
	}
	return args, true
}

// gcraSpecKey keys a limit's fast-path spec in Store.specs, apart from its
// general spec.
type gcraSpecKey struct{ ratelimit.Limit }

// gcraSpec returns l's emission interval (ns) and capacity (its burst)
// packed for the fast path, as a ready argument, and false if l is not a
// valid GCRA limit.
func (r *RateLimitStore) gcraSpec(l ratelimit.Limit) (any, bool) {
	if l.Algorithm != ratelimit.GCRA || l.Quota <= 0 || l.Period <= 0 {
		return nil, false
	}
	if s, ok := r.s.specs.Load(gcraSpecKey{l}); ok {
		return s, true
	}
	capacity := l.Quota
	if l.Burst > 0 {
		capacity = l.Burst
	}
	period := int64(l.Period)
	interval := max(1, (period+l.Quota-1)/l.Quota)
	var spec any = string(appendFloat(appendFloat(make([]byte, 0, 16), float64(interval)), float64(capacity)))
	r.s.specs.Store(gcraSpecKey{l}, spec)
	return spec, true
}

func appendFloat(b []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}
