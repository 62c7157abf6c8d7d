package clientip

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestResolve(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	tests := []struct {
		name, remote, header, value string
		want                        string
		clean                       bool
	}{
		{"untrusted peer", "203.0.113.9:1", "X-Forwarded-For", "198.51.100.1", "203.0.113.9", true},
		{"rightmost untrusted", "10.0.0.1:1", "X-Forwarded-For", "1.1.1.1, 198.51.100.1, 10.0.0.2", "198.51.100.1", true},
		{"forwarded wins", "10.0.0.1:1", "Forwarded", `for=192.0.2.60;proto=http, for="[2001:db8::1]:80"`, "2001:db8::1", true},
		{"garbage hop", "10.0.0.1:1", "X-Forwarded-For", "198.51.100.1, unknown", "10.0.0.1", false},
		{"no address", "", "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			if tt.header != "" {
				r.Header.Set(tt.header, tt.value)
			}
			ip, clean := Resolve(r, trusted)
			if ip != tt.want || clean != tt.clean {
				t.Fatalf("Resolve = %q, %v; want %q, %v", ip, clean, tt.want, tt.clean)
			}
		})
	}
}
