package ratelimit

import (
	"net/http"
	"net/netip"

	"github.com/tollgate/tollgate/internal/clientip"
)

// ClientIP returns the client address of r as [KeyByIP] sees it, given the
// proxies to trust (none: the connection's address). Behind trusted
// proxies it reads Forwarded or X-Forwarded-For from the right; a hop that
// is not an address makes the last proxy the client. ok is false only if
// the request has no address at all.
func ClientIP(r *http.Request, trusted []netip.Prefix) (ip string, ok bool) {
	ip, _ = clientip.Resolve(r, trusted)
	return ip, ip != ""
}
