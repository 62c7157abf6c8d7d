package auth

import (
	"context"
	"net/http"
)

// Decision is what the stages of a chain decided about a request, as the
// access log and metrics report it.
type Decision string

// The decisions tollgate's stages record. An empty Decision means no stage
// refused the request; observers report it as [DecisionAllowed].
const (
	DecisionAllowed         Decision = "allowed"
	DecisionUnauthenticated Decision = "unauthenticated" // 401: credentials missing or wrong
	DecisionForbidden       Decision = "forbidden"       // 403: caller known, not permitted
	DecisionThrottled       Decision = "throttled"       // 429: rate limit
	DecisionQuota           Decision = "quota"           // 429: quota for the period used up
	DecisionUnavailable     Decision = "unavailable"     // 503: a stage could not decide
)

// Note is the per-request record the stages of a chain share with the
// observers wrapped around them (access log, metrics, usage metering).
// An outer middleware cannot see the contexts derived below it, so the
// observer puts a Note in the context with [WithNote] and inner stages
// fill it in: the identity, the route pattern and the decision.
//
// A request's stages run one after another, so a Note needs no locking;
// it is not safe for concurrent use. Write it only while the request is
// being served.
type Note struct {
	// Identity is the caller the request was authenticated as, or nil.
	Identity *Identity
	// Route is the pattern that matched, such as "GET /items/{id}";
	// empty if unknown.
	Route string
	// Decision is the last decision recorded; empty means allowed.
	Decision Decision
	// Reason is a short machine-readable code for a refusal, such as
	// "invalid_api_key". It never holds a secret.
	Reason string
}

// Decide records d and reason on n. It does nothing when n is nil, so
// stages may call NoteFromContext(ctx).Decide(...) unconditionally.
func (n *Note) Decide(d Decision, reason string) {
	if n != nil {
		n.Decision, n.Reason = d, reason
	}
}

type noteKey struct{}

// noteCtx carries a Note without a separate context.WithValue node, so
// WithNote costs one allocation for both (plus the request copy). It is
// not pooled: a handler may keep r.Context() after it returns (to finish
// work in the background), and a recycled context would then carry
// another request's values.
type noteCtx struct {
	context.Context
	note Note
}

func (c *noteCtx) Value(key any) any {
	if key == (noteKey{}) {
		return &c.note
	}
	return c.Context.Value(key)
}

// WithNote returns a shallow copy of r whose context carries a new, empty
// Note, and that Note. If r's context already carries one, WithNote
// returns r and the existing Note, so nested observers share it.
func WithNote(r *http.Request) (*http.Request, *Note) {
	if n := NoteFromContext(r.Context()); n != nil {
		return r, n
	}
	c := &noteCtx{Context: r.Context()}
	return r.WithContext(c), &c.note
}

// NoteFromContext returns the Note stored by [WithNote], or nil.
func NoteFromContext(ctx context.Context) *Note {
	n, _ := ctx.Value(noteKey{}).(*Note)
	return n
}
