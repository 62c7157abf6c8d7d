package ratelimit

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

var proxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}

func TestClientIP(t *testing.T) {
	tests := []struct {
		name    string
		remote  string
		header  []string // name, value pairs, added in order
		trusted []netip.Prefix
		want    string
	}{
		{"remote only", "192.0.2.1:1234", nil, nil, "192.0.2.1"},
		{"remote ipv6", "[2001:db8::1]:443", nil, nil, "2001:db8::1"},
		{"headers ignored without trusted proxies", "192.0.2.1:1", []string{"X-Forwarded-For", "198.51.100.9"}, nil, "192.0.2.1"},
		{"headers ignored from untrusted peer", "192.0.2.1:1", []string{"X-Forwarded-For", "198.51.100.9"}, proxies, "192.0.2.1"},
		{"xff one hop", "10.0.0.1:1", []string{"X-Forwarded-For", "198.51.100.9"}, proxies, "198.51.100.9"},
		{"xff spoofed left entries ignored", "10.0.0.1:1", []string{"X-Forwarded-For", "1.1.1.1, 198.51.100.9, 10.0.0.2"}, proxies, "198.51.100.9"},
		{"xff several lines", "10.0.0.1:1", []string{"X-Forwarded-For", "1.1.1.1", "X-Forwarded-For", "198.51.100.9, 10.0.0.3"}, proxies, "198.51.100.9"},
		{"xff all trusted", "10.0.0.1:1", []string{"X-Forwarded-For", "10.0.0.5, 10.0.0.2"}, proxies, "10.0.0.5"},
		{"xff garbage stops at the proxy", "10.0.0.1:1", []string{"X-Forwarded-For", "198.51.100.9, nonsense"}, proxies, "10.0.0.1"},
		{"xff with port", "10.0.0.1:1", []string{"X-Forwarded-For", "198.51.100.9:5555"}, proxies, "198.51.100.9"},
		{"xff ipv6 canonicalised", "10.0.0.1:1", []string{"X-Forwarded-For", "2001:DB8:0::1"}, proxies, "2001:db8::1"},
		{"xff mapped ipv4", "10.0.0.1:1", []string{"X-Forwarded-For", "::ffff:198.51.100.9"}, proxies, "198.51.100.9"},
		{"forwarded", "10.0.0.1:1", []string{"Forwarded", "for=192.0.2.60;proto=http;by=203.0.113.43"}, proxies, "192.0.2.60"},
		{"forwarded ipv6 quoted with port", "10.0.0.1:1", []string{"Forwarded", `for="[2001:db8:cafe::17]:4711"`}, proxies, "2001:db8:cafe::17"},
		{"forwarded from the right", "10.0.0.1:1", []string{"Forwarded", `for=1.1.1.1, For="198.51.100.9", for=10.0.0.9`}, proxies, "198.51.100.9"},
		{"forwarded wins over xff", "10.0.0.1:1", []string{"Forwarded", "for=192.0.2.60", "X-Forwarded-For", "198.51.100.9"}, proxies, "192.0.2.60"},
		{"forwarded unknown", "10.0.0.1:1", []string{"Forwarded", "for=unknown"}, proxies, "10.0.0.1"},
		{"forwarded obfuscated: the proxy that wrote it", "10.0.0.1:1", []string{"Forwarded", "for=_hidden, for=10.0.0.2"}, proxies, "10.0.0.2"},
		{"forwarded without for", "10.0.0.1:1", []string{"Forwarded", "proto=https"}, proxies, "10.0.0.1"},
		{"forwarded malformed", "10.0.0.1:1", []string{"Forwarded", `for="1.2.3.4`}, proxies, "10.0.0.1"},
		{"forwarded empty pairs", "10.0.0.1:1", []string{"Forwarded", ";for=192.0.2.60;;proto=http"}, proxies, "192.0.2.60"},
		{"trusted ipv6 proxy", "[fd00::1]:1", []string{"X-Forwarded-For", "192.0.2.7"}, proxies, "192.0.2.7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tt.remote
			for i := 0; i+1 < len(tt.header); i += 2 {
				r.Header.Add(tt.header[i], tt.header[i+1])
			}
			got, ok := ClientIP(r, tt.trusted)
			assert.True(t, ok)
			assert.Equal(t, tt.want, got)
			key, _ := KeyByIP(tt.trusted...)(r)
			assert.Equal(t, tt.want, key)
		})
	}
}

func TestClientIPLongChain(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "10.0.0.1:1"
	r.Header.Set("X-Forwarded-For", "198.51.100.9,"+strings.Repeat(" 10.0.0.3,", 100)+" 10.0.0.2")
	got, _ := ClientIP(r, proxies)
	assert.Equal(t, "10.0.0.3", got, "beyond 32 hops the last trusted hop walked is the client")
}

func TestClientIPAllocations(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "10.0.0.1:1"
	r.Header.Set("Forwarded", `for=198.51.100.9;proto=https, for="[fd00::2]:80"`)
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = ClientIP(r, proxies) }))
}

// FuzzForwarded checks that no Forwarded or X-Forwarded-For value makes
// ClientIP panic or return anything but an address or the proxy itself,
// and that a client-supplied prefix never changes the answer.
func FuzzForwarded(f *testing.F) {
	for _, s := range []string{"for=192.0.2.60;proto=http", `for="[2001:db8::1]:80", for=10.0.0.2`, "for=unknown", `for="`, ";;,,", "1.2.3.4, 10.0.0.1", "for=\"\\\"\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, name := range []string{"Forwarded", "X-Forwarded-For"} {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = "10.0.0.1:1"
			r.Header.Set(name, v)
			got, ok := ClientIP(r, proxies)
			if !ok {
				t.Fatalf("%s: %q: no address", name, v)
			}
			if _, err := netip.ParseAddr(got); err != nil {
				t.Fatalf("%s: %q: client %q is not an address", name, v, got)
			}
			// A client can only prepend; what the trusted proxy appended
			// (a final entry with an untrusted address) decides.
			r.Header.Set(name, v+", "+map[string]string{"Forwarded": "for=192.0.2.77", "X-Forwarded-For": "192.0.2.77"}[name])
			if got, _ := ClientIP(r, proxies); got != "192.0.2.77" {
				t.Fatalf("%s: %q then a proxy's entry: client %q, want 192.0.2.77", name, v, got)
			}
		}
	})
}
