package metrics

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/tollgate/tollgate/auth"
)

// logAccess writes the access log line for one request. It logs the path
// without the query string and no header values, so API keys, signatures
// and tokens never reach the log, wherever the client put them.
func (rc *Recorder) logAccess(ctx context.Context, r *http.Request, note *auth.Note, status int, out int64, d time.Duration) {
	if !rc.cfg.logger.Enabled(ctx, slog.LevelInfo) {
		return
	}
	decision := note.Decision
	if decision == "" {
		decision = inferDecision(status)
	}
	var key, plan, method string
	if id := note.Identity; id != nil {
		key, plan, method = id.ID, id.Plan, string(id.Method)
	}
	rc.cfg.logger.LogAttrs(ctx, slog.LevelInfo, "request",
		slog.String("method", r.Method),
		slog.String("path", r.URL.EscapedPath()),
		slog.String("route", note.Route),
		slog.Int("status", status),
		slog.String("decision", string(decision)),
		slog.String("reason", note.Reason),
		slog.String("key", key),
		slog.String("plan", plan),
		slog.String("auth", method),
		slog.Duration("latency", d),
		slog.Int64("bytes_in", max(r.ContentLength, 0)),
		slog.Int64("bytes_out", out),
		slog.String("remote", remoteIP(r.RemoteAddr)),
	)
}

// inferDecision names the outcome when no stage recorded one.
func inferDecision(status int) auth.Decision {
	switch status {
	case http.StatusUnauthorized:
		return auth.DecisionUnauthenticated
	case http.StatusForbidden:
		return auth.DecisionForbidden
	case http.StatusTooManyRequests:
		return auth.DecisionThrottled
	}
	return auth.DecisionAllowed
}

// remoteIP is the connection's peer address without the port. It never
// trusts X-Forwarded-For.
func remoteIP(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}
