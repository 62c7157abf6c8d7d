package ratelimit

import (
	"net/http"
	"net/netip"
	"strings"

	"github.com/tollgate/tollgate/auth"
)

// KeyFunc returns the key a request is counted under. ok false means the
// request has no such key and is not throttled by this limiter (the
// combinators [FirstOf] and [Join] build fallbacks and composites).
type KeyFunc func(r *http.Request) (key string, ok bool)

// KeyByIdentity keys requests by the authenticated identity's ID (see
// [auth.FromContext]); requests without an identity have no key.
func KeyByIdentity() KeyFunc {
	return func(r *http.Request) (string, bool) {
		id, ok := auth.FromContext(r.Context())
		if !ok || id.ID == "" {
			return "", false
		}
		return id.ID, true
	}
}

// KeyByIP keys requests by client IP address. Without trusted proxies it
// is the address of the connection (r.RemoteAddr): headers are ignored,
// so a client cannot choose its key. When the connection comes from one
// of trusted, the client is read from the Forwarded header (RFC 7239) or,
// without one, X-Forwarded-For, right to left: the first address that is
// not a trusted proxy is the client, as only the proxies' own entries can
// be believed. A malformed entry stops the walk at the proxy that wrote it.
func KeyByIP(trusted ...netip.Prefix) KeyFunc {
	trusted = append([]netip.Prefix(nil), trusted...)
	return func(r *http.Request) (string, bool) {
		return ClientIP(r, trusted)
	}
}

// KeyByNetwork is [KeyByIP] keyed by the client's network rather than its
// address: the first v4Bits of an IPv4 address and the first v6Bits of an
// IPv6 one (an IPv4-mapped IPv6 address counts as IPv4). KeyByNetwork(32,
// 64) is the usual choice: an IPv6 client is typically given a whole /64
// and could otherwise take a new key, and a fresh limit, at will. A key is
// the network in CIDR notation ("2001:db8:1:2::/64"), or the bare address
// when all its bits are kept; bits out of range are clamped, and a client
// address that does not parse is the key as it is.
func KeyByNetwork(v4Bits, v6Bits int, trusted ...netip.Prefix) KeyFunc {
	v4Bits, v6Bits = min(max(v4Bits, 0), 32), min(max(v6Bits, 0), 128)
	byIP := KeyByIP(trusted...)
	return func(r *http.Request) (string, bool) {
		ip, ok := byIP(r)
		addr, err := netip.ParseAddr(ip)
		if !ok || err != nil {
			return ip, ok
		}
		addr, bits := addr.Unmap().WithZone(""), v6Bits
		if addr.Is4() {
			bits = v4Bits
		}
		if bits == addr.BitLen() {
			return addr.String(), true
		}
		p, _ := addr.Prefix(bits) // bits is in range for addr
		return p.String(), true
	}
}

// KeyByHeader keys requests by the value of a request header (an API key
// header sent to a backend, a tenant ID); requests without it have no key.
func KeyByHeader(name string) KeyFunc {
	name = http.CanonicalHeaderKey(name)
	return func(r *http.Request) (string, bool) {
		v := r.Header[name]
		if len(v) == 0 || v[0] == "" {
			return "", false
		}
		return v[0], true
	}
}

// KeyByRoute keys requests by route: r.Pattern when a Go 1.22 mux has
// matched one, else method and path (which callers control, so combine
// it with a bounded key or run the limiter after the mux).
func KeyByRoute() KeyFunc {
	return func(r *http.Request) (string, bool) {
		if r.Pattern != "" {
			return r.Pattern, true
		}
		return r.Method + " " + r.URL.Path, true
	}
}

// FirstOf returns the key of the first of keys that has one, e.g.
// FirstOf(KeyByIdentity(), KeyByIP()) throttles anonymous callers by
// address. Keys from different functions could collide; prefix them
// (see [Prefixed]) when that matters.
func FirstOf(keys ...KeyFunc) KeyFunc {
	return func(r *http.Request) (string, bool) {
		for _, k := range keys {
			if key, ok := k(r); ok {
				return key, true
			}
		}
		return "", false
	}
}

// Join returns a composite key, e.g. Join(KeyByIdentity(), KeyByRoute())
// for a counter per caller and route; a request lacking any part has no
// key. Parts are joined with a zero byte, which costs an allocation.
func Join(keys ...KeyFunc) KeyFunc {
	return func(r *http.Request) (string, bool) {
		var b strings.Builder
		for i, k := range keys {
			key, ok := k(r)
			if !ok {
				return "", false
			}
			if i > 0 {
				b.WriteByte(0)
			}
			b.WriteString(key)
		}
		return b.String(), true
	}
}

// Prefixed returns key with prefix prepended, to keep key spaces apart.
func Prefixed(prefix string, key KeyFunc) KeyFunc {
	return func(r *http.Request) (string, bool) {
		k, ok := key(r)
		if !ok {
			return "", false
		}
		return prefix + k, true
	}
}
