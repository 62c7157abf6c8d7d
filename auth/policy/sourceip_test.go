package policy_test

import (
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tollgate/tollgate/auth/policy"
)

func TestRemoteIP(t *testing.T) {
	for addr, want := range map[string]string{
		"10.1.2.3:4567":          "10.1.2.3",
		"[2001:db8::1]:443":      "2001:db8::1",
		"[::ffff:10.1.2.3]:1":    "10.1.2.3",
		"[fe80::1%eth0]:80":      "fe80::1",
		"192.0.2.1":              "192.0.2.1",
		"not an address":         "invalid IP",
		"@unix-socket:somewhere": "invalid IP",
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = addr
		assert.Equal(t, want, policy.RemoteIP(r).String(), addr)
	}
}

func TestForwardedFor(t *testing.T) {
	proxies := policy.ForwardedFor(netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8"))
	tests := []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"untrusted peer: header ignored", "203.0.113.9:1", []string{"198.51.100.1"}, "203.0.113.9"},
		{"trusted peer, no header", "10.0.0.1:1", nil, "10.0.0.1"},
		{"trusted peer", "10.0.0.1:1", []string{"198.51.100.1"}, "198.51.100.1"},
		{"client spoofs a hop: rightmost untrusted wins", "10.0.0.1:1", []string{"1.1.1.1, 198.51.100.1"}, "198.51.100.1"},
		{"chain of trusted proxies", "10.0.0.1:1", []string{"198.51.100.1, 10.0.0.7 , 10.0.0.8"}, "198.51.100.1"},
		{"several header lines", "10.0.0.1:1", []string{"1.1.1.1, 198.51.100.1", "10.0.0.9"}, "198.51.100.1"},
		{"all hops trusted: leftmost", "10.0.0.1:1", []string{"10.0.0.2, 10.0.0.3"}, "10.0.0.2"},
		{"ipv6 proxy, hop with port", "[fd00::1]:443", []string{"[2001:db8::5]:1234"}, "2001:db8::5"},
		{"garbage hop: absent", "10.0.0.1:1", []string{"198.51.100.1, unknown"}, "invalid IP"},
		{"empty hop: absent", "10.0.0.1:1", []string{"198.51.100.1,"}, "invalid IP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			assert.Equal(t, tt.want, proxies(r).String())
		})
	}
}

// FuzzForwardedFor: whatever the header, the result is absent, the peer,
// or an address the header names.
func FuzzForwardedFor(f *testing.F) {
	f.Add("10.0.0.1:1", "198.51.100.1, 10.0.0.7")
	f.Add("10.0.0.1:1", "[2001:db8::5]:1234,,x")
	f.Add("[fe80::1%eth0]:1", "::ffff:1.2.3.4")
	proxies := policy.ForwardedFor(netip.MustParsePrefix("10.0.0.0/8"))
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		got := proxies(r)
		if !got.IsValid() || got == policy.RemoteIP(r) {
			return
		}
		for _, hop := range strings.Split(xff, ",") {
			if a, err := netip.ParseAddr(strings.TrimSpace(hop)); err == nil && a.Unmap().WithZone("") == got {
				return
			}
			if ap, err := netip.ParseAddrPort(strings.TrimSpace(hop)); err == nil && ap.Addr().Unmap().WithZone("") == got {
				return
			}
		}
		t.Fatalf("ForwardedFor(%q, %q) = %v, which neither the peer nor the header names", remote, xff, got)
	})
}
