package policy

import (
	"net"
	"net/http"
	"net/netip"

	"github.com/tollgate/tollgate/internal/clientip"
)

// RemoteIP returns the address in r.RemoteAddr, IPv4-mapped addresses
// unmapped and zones dropped (a zoned address matches no CIDR block), or
// the invalid address. It is the default source of aws:SourceIp.
func RemoteIP(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return parseHop(host)
}

// ForwardedFor returns a source of aws:SourceIp, for [WithSourceIP], that
// believes Forwarded (RFC 7239) or X-Forwarded-For only when it comes from
// one of the trusted proxies. The client is the peer itself unless the peer is trusted; then
// it is the rightmost address in X-Forwarded-For that is not trusted, as
// each trusted proxy appends the address it received from. A hop that is
// not an IP address leaves aws:SourceIp absent, so IpAddress conditions
// fail and NotIpAddress ones hold.
func ForwardedFor(trusted ...netip.Prefix) func(*http.Request) netip.Addr {
	return func(r *http.Request) netip.Addr {
		if peer := RemoteIP(r); !peer.IsValid() {
			return peer // the peer's own address must parse as RemoteIP reads it
		}
		ip, clean := clientip.Resolve(r, trusted)
		if !clean {
			return netip.Addr{}
		}
		return parseHop(ip)
	}
}

// parseHop parses an address, with or without a port.
func parseHop(s string) netip.Addr {
	a, err := netip.ParseAddr(s)
	if err != nil {
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			return netip.Addr{}
		}
		a = ap.Addr()
	}
	return a.Unmap().WithZone("")
}
