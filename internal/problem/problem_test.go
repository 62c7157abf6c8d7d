package problem

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		name string
		p    Problem
		want map[string]any
	}{
		{
			name: "plain",
			p:    New(http.StatusTooManyRequests, "rate_limited", "slow down"),
			want: map[string]any{"type": "about:blank", "title": "Too Many Requests", "status": 429.0, "code": "rate_limited", "detail": "slow down"},
		},
		{
			name: "extensions never override standard members",
			p:    Problem{Status: 401, Code: "x", Extensions: map[string]any{"status": 200, "scope": "read"}},
			want: map[string]any{"type": "about:blank", "title": "Unauthorized", "status": 401.0, "code": "x", "scope": "read"},
		},
		{
			name: "unencodable extension dropped",
			p:    Problem{Status: 503, Code: "unavailable", Extensions: map[string]any{"bad": func() {}}},
			want: map[string]any{"type": "about:blank", "title": "Service Unavailable", "status": 503.0, "code": "unavailable"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			rec.Header().Set("Retry-After", "3")
			Write(rec, tt.p)
			assert.Equal(t, tt.p.Status, rec.Code)
			assert.Equal(t, ContentType, rec.Header().Get("Content-Type"))
			assert.Equal(t, "3", rec.Header().Get("Retry-After"), "earlier headers kept")
			assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
			var got map[string]any
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
			assert.Equal(t, tt.want, got)
		})
	}
}
