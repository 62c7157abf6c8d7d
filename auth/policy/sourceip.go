package policy

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
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
// believes X-Forwarded-For only when it comes from one of the trusted
// proxies. The client is the peer itself unless the peer is trusted; then
// it is the rightmost address in X-Forwarded-For that is not trusted, as
// each trusted proxy appends the address it received from. A hop that is
// not an IP address leaves aws:SourceIp absent, so IpAddress conditions
// fail and NotIpAddress ones hold.
func ForwardedFor(trusted ...netip.Prefix) func(*http.Request) netip.Addr {
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	return func(r *http.Request) netip.Addr {
		ip := RemoteIP(r)
		vals := r.Header.Values("X-Forwarded-For")
		for i := len(vals) - 1; i >= 0 && isTrusted(ip); i-- {
			for v := vals[i]; v != "" && isTrusted(ip); {
				var hop string
				if j := strings.LastIndexByte(v, ','); j >= 0 {
					v, hop = v[:j], v[j+1:]
				} else {
					v, hop = "", v
				}
				if ip = parseHop(strings.TrimSpace(hop)); !ip.IsValid() {
					return ip
				}
			}
		}
		return ip
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
