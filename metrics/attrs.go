package metrics

import (
	"strconv"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// maxCached bounds each attribute cache. Past it, measurements still
// record, building their options each time (and allocating).
const maxCached = 1024

// opts are the measurement options for one attribute set, built once so
// recording a measurement allocates nothing.
type opts struct {
	add []metric.AddOption
	rec []metric.RecordOption
}

func newOpts(attrs []attribute.KeyValue) *opts {
	o := metric.WithAttributeSet(attribute.NewSet(attrs...))
	return &opts{add: []metric.AddOption{o}, rec: []metric.RecordOption{o}}
}

// attrKey is a comparable description of an attribute set.
type attrKey interface {
	comparable
	attrs() []attribute.KeyValue
}

// cache maps attribute keys to their options. Reads take no lock: the
// map is replaced, never changed, so a hit costs one atomic load and one
// map lookup. It is safe for concurrent use.
type cache[K attrKey] struct {
	mu sync.Mutex
	m  atomic.Pointer[map[K]*opts]
}

func (c *cache[K]) get(k K) *opts {
	if m := c.m.Load(); m != nil {
		if o, ok := (*m)[k]; ok {
			return o
		}
	}
	return c.miss(k)
}

func (c *cache[K]) miss(k K) *opts {
	o := newOpts(k.attrs())
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	if old != nil && len(*old) >= maxCached {
		return o
	}
	next := make(map[K]*opts, 1+lenOf(old))
	if old != nil {
		for kk, v := range *old {
			next[kk] = v
		}
	}
	next[k] = o
	c.m.Store(&next)
	return o
}

func lenOf[K comparable](m *map[K]*opts) int {
	if m == nil {
		return 0
	}
	return len(*m)
}

// Attribute keys tollgate's own instruments use.
const (
	KeyAuthMethod = attribute.Key("tollgate.auth.method")
	KeyAuthReason = attribute.Key("tollgate.auth.reason")
	KeyPlan       = attribute.Key("tollgate.plan")
	KeyKeyID      = attribute.Key("tollgate.key.id")
	KeyStoreOp    = attribute.Key("tollgate.store.operation")
	KeyDecision   = attribute.Key("tollgate.decision")
	keyErrorType  = attribute.Key("error.type")
)

// knownMethods are the methods semantic conventions name; others are
// reported as _OTHER so a client cannot mint attribute values.
var knownMethods = map[string]string{
	"GET": "GET", "HEAD": "HEAD", "POST": "POST", "PUT": "PUT", "DELETE": "DELETE",
	"CONNECT": "CONNECT", "OPTIONS": "OPTIONS", "TRACE": "TRACE", "PATCH": "PATCH", "QUERY": "QUERY",
}

func normMethod(m string) string {
	if v, ok := knownMethods[m]; ok {
		return v
	}
	return "_OTHER"
}

func statusText(code int) string { return strconv.Itoa(code) }
