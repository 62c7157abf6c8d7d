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
	v6 := r.Clone(r.Context())
	v6.RemoteAddr = "[2001:db8:1:2:aaaa:bbbb:cccc:dddd%eth0]:443"
	mapped := r.Clone(r.Context())
	mapped.RemoteAddr = "[::ffff:198.51.100.7]:443"
	unix := r.Clone(r.Context())
	unix.RemoteAddr = "@"
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
		{"network v4 whole", ratelimit.KeyByNetwork(32, 64), r, "192.0.2.1", true},
		{"network v4 /24", ratelimit.KeyByNetwork(24, 64), r, "192.0.2.0/24", true},
		{"network v6 /64", ratelimit.KeyByNetwork(32, 64), v6, "2001:db8:1:2::/64", true},
		{"network v6 /48", ratelimit.KeyByNetwork(32, 48), v6, "2001:db8:1::/48", true},
		{"network v6 clamped", ratelimit.KeyByNetwork(32, 999), v6, "2001:db8:1:2:aaaa:bbbb:cccc:dddd", true},
		{"network mapped v4", ratelimit.KeyByNetwork(24, 64), mapped, "198.51.100.0/24", true},
		{"network not an address", ratelimit.KeyByNetwork(24, 64), unix, "@", true},
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
