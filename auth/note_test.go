package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/auth"
)

// TestNoteFilledByMiddleware checks that an observer outside the
// authentication middleware learns the identity and the refusal reason.
func TestNoteFilledByMiddleware(t *testing.T) {
	tests := []struct {
		name         string
		key          string
		wantID       string
		wantDecision auth.Decision
		wantReason   string
	}{
		{name: "allowed", key: "k1", wantID: "alice"},
		{name: "wrong key", key: "nope", wantDecision: auth.DecisionUnauthenticated, wantReason: "bad_X-Key"},
		{name: "missing", key: "", wantDecision: auth.DecisionUnauthenticated, wantReason: "missing_credentials"},
		{name: "forbidden", key: "banned", wantDecision: auth.DecisionForbidden, wantReason: "forbidden"},
		{name: "store down", key: "down", wantDecision: auth.DecisionUnavailable, wantReason: "auth_unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var note *auth.Note
			inner := auth.Middleware(headerAuth("X-Key", "k1", alice))(http.HandlerFunc(whoami))
			outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				r, note = auth.WithNote(r)
				inner.ServeHTTP(w, r)
			})
			req := httptest.NewRequest("GET", "/", nil)
			if tt.key != "" {
				req.Header.Set("X-Key", tt.key)
			}
			outer.ServeHTTP(httptest.NewRecorder(), req)
			require.NotNil(t, note)
			if tt.wantID != "" {
				require.NotNil(t, note.Identity)
				assert.Equal(t, tt.wantID, note.Identity.ID)
			} else {
				assert.Nil(t, note.Identity)
			}
			assert.Equal(t, tt.wantDecision, note.Decision)
			assert.Equal(t, tt.wantReason, note.Reason)
		})
	}
}

func TestWithNoteShared(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	assert.Nil(t, auth.NoteFromContext(r.Context()))
	auth.NoteFromContext(r.Context()).Decide(auth.DecisionQuota, "") // nil-safe

	r1, n1 := auth.WithNote(r)
	r2, n2 := auth.WithNote(r1)
	assert.Same(t, n1, n2, "nested WithNote shares the outer note")
	assert.Same(t, r1, r2)
	n2.Decide(auth.DecisionThrottled, "rate")
	assert.Equal(t, auth.DecisionThrottled, auth.NoteFromContext(r2.Context()).Decision)

	// The note's context still forwards values and cancellation.
	type k struct{}
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), k{}, "v"))
	r3, _ := auth.WithNote(r.WithContext(ctx))
	assert.Equal(t, "v", r3.Context().Value(k{}))
	cancel()
	<-r3.Context().Done()
}
