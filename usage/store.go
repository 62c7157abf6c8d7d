package usage

import (
	"context"
	"errors"
	"time"
)

// Counters are the totals of a set of requests. They add: the counters of
// two sets of requests are the sum of each set's.
type Counters struct {
	// Requests is the number of requests.
	Requests int64 `json:"requests"`
	// ClientErrors counts responses with a 4xx status.
	ClientErrors int64 `json:"client_errors"`
	// ServerErrors counts responses with a 5xx status.
	ServerErrors int64 `json:"server_errors"`
	// BytesIn is the request body bytes read.
	BytesIn int64 `json:"bytes_in"`
	// BytesOut is the response body bytes written.
	BytesOut int64 `json:"bytes_out"`
	// Latency is the total time spent serving the requests; divide by
	// Requests for the mean.
	Latency time.Duration `json:"latency_ns"`
}

// Add adds o to c.
func (c *Counters) Add(o Counters) {
	c.Requests += o.Requests
	c.ClientErrors += o.ClientErrors
	c.ServerErrors += o.ServerErrors
	c.BytesIn += o.BytesIn
	c.BytesOut += o.BytesOut
	c.Latency += o.Latency
}

// Row is the usage of one key on one route in one time bucket.
type Row struct {
	// Key is the identity ID (an API key's ID); empty for anonymous requests.
	Key string `json:"key"`
	// Plan is the usage plan the key was on.
	Plan string `json:"plan,omitempty"`
	// Route is the route pattern, such as "GET /items/{id}"; empty when
	// no route matched.
	Route string `json:"route"`
	// Method is the request method.
	Method string `json:"method"`
	// Start is the start of the bucket, in UTC.
	Start time.Time `json:"start"`
	Counters
}

// RowKey identifies the bucket a Row counts into: rows with equal keys
// add. It is comparable, so stores and the meter use it as a map key.
type RowKey struct {
	Key, Plan, Route, Method string
	Start                    int64 // bucket start, Unix seconds
}

// RowKey returns the bucket identity of r.
func (r Row) RowKey() RowKey {
	return RowKey{Key: r.Key, Plan: r.Plan, Route: r.Route, Method: r.Method, Start: r.Start.Unix()}
}

// Batch is a set of rows flushed together. Its ID is unique per batch and
// stays the same when the batch is retried.
type Batch struct {
	ID   string
	Rows []Row
}

// ApplyResult says what [Store.Apply] did.
type ApplyResult struct {
	// Duplicate is true when the batch ID had been applied before and the
	// call changed nothing.
	Duplicate bool
}

// Filter selects rows for [Store.Query].
type Filter struct {
	// Key selects one key's rows; empty selects every key's.
	Key string
	// From and To bound the bucket start: From <= Start < To. A zero
	// From has no lower bound; a zero To selects nothing.
	From, To time.Time
}

// QueryResult holds the rows [Store.Query] found.
type QueryResult struct {
	// Rows has one row per bucket, key, plan, route and method, in no
	// particular order.
	Rows []Row
}

// Store keeps usage totals. Implementations must be safe for concurrent
// use.
type Store interface {
	// Apply adds every row of b to the stored totals, atomically: all rows
	// or none. Applying a batch whose ID was applied before is a no-op that
	// reports Duplicate, so a retried batch never counts twice. An error
	// means the backend failed and the batch may be retried.
	Apply(ctx context.Context, b Batch) (ApplyResult, error)
	// Query returns the totals of the buckets that f selects. Finding
	// nothing is not an error; an error means the backend failed.
	Query(ctx context.Context, f Filter) (QueryResult, error)
}

// ErrClosed is returned by [Meter.Close] when called twice.
var ErrClosed = errors.New("usage: meter closed")
