package ratelimit_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/ratelimit"
)

func TestKeyFuncs(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/items", nil)
	r.RemoteAddr = "192.0.2.1:1234"
	r.Header.Set("X-Tenant", "acme")
	withID := r.WithContext(auth.NewContext(r.Context(), &auth.Identity{ID: "alice"}))
	routed := withID.Clone(withID.Context())
	routed.Pattern = "POST /items"
	tests := []struct {
		name   string
		key    ratelimit.KeyFunc
		r      *http.Request
		want   string
		wantOK bool
	}{
		{"identity", ratelimit.KeyByIdentity(), withID, "alice", true},
		{"no identity", ratelimit.KeyByIdentity(), r, "", false},
		{"ip", ratelimit.KeyByIP(), r, "192.0.2.1", true},
		{"header", ratelimit.KeyByHeader("x-tenant"), r, "acme", true},
		{"no header", ratelimit.KeyByHeader("X-Other"), r, "", false},
		{"route pattern", ratelimit.KeyByRoute(), routed, "POST /items", true},
		{"route method path", ratelimit.KeyByRoute(), r, "POST /items", true},
		{"first of falls back", ratelimit.FirstOf(ratelimit.KeyByIdentity(), ratelimit.Prefixed("ip:", ratelimit.KeyByIP())), r, "ip:192.0.2.1", true},
		{"first of prefers", ratelimit.FirstOf(ratelimit.KeyByIdentity(), ratelimit.KeyByIP()), withID, "alice", true},
		{"first of none", ratelimit.FirstOf(ratelimit.KeyByHeader("X-None")), r, "", false},
		{"join", ratelimit.Join(ratelimit.KeyByIdentity(), ratelimit.KeyByRoute()), routed, "alice\x00POST /items", true},
		{"join missing part", ratelimit.Join(ratelimit.KeyByIdentity(), ratelimit.KeyByRoute()), r, "", false},
		{"prefixed missing", ratelimit.Prefixed("x", ratelimit.KeyByIdentity()), r, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.key(tt.r)
			assert.Equal(t, tt.wantOK, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}
