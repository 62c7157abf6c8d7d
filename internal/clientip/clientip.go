// Package clientip finds a request's client address behind trusted
// proxies, reading Forwarded (RFC 7239) or X-Forwarded-For from the right
// so a client cannot spoof it. ratelimit keys by it and auth/policy
// matches aws:SourceIp against it.
package clientip

import (
	"net/http"
	"net/netip"
	"strings"
)

// maxHops is how many proxy hops Resolve walks at most; a chain of more
// trusted proxies than this is taken to start at the last one walked.
const maxHops = 32

// Resolve returns the client address of r given the proxies to trust
// (none: the connection's address). The client is the peer unless the
// peer is trusted; then it is the rightmost hop that is not trusted, as
// each trusted proxy appends the address it received from. If the walk
// meets a hop that is not an address ("unknown", obfuscated, garbage), ip
// is the last address reached and clean is false. ip is "" only when the
// request has no address at all.
func Resolve(r *http.Request, trusted []netip.Prefix) (ip string, clean bool) {
	ip = hostOf(r.RemoteAddr)
	if len(trusted) == 0 || !isTrusted(ip, trusted) {
		return ip, true
	}
	name, forwarded := "X-Forwarded-For", false
	if _, ok := r.Header["Forwarded"]; ok {
		name, forwarded = "Forwarded", true
	}
	vs := r.Header[name]
	for i, hops := len(vs)-1, 0; i >= 0 && hops < maxHops; i-- {
		for rest, more := vs[i], true; more && hops < maxHops; hops++ {
			var hop string
			hop, rest, more = lastHop(rest, forwarded)
			addr, err := netip.ParseAddr(hostOf(hop))
			if err != nil {
				return ip, false
			}
			if ip = canonical(hostOf(hop), addr); !inPrefixes(addr, trusted) {
				return ip, true
			}
		}
	}
	return ip, true
}

// lastHop splits the last entry off a forwarding header value, reading
// right to left so that what a client wrote further left (an unbalanced
// quote, say) cannot hide what the proxies appended. For Forwarded the
// hop is the entry's for= value, "" if it has none or is malformed.
func lastHop(v string, forwarded bool) (hop, rest string, more bool) {
	quoted := false
	i := len(v) - 1
	for ; i >= 0; i-- {
		if c := v[i]; c == '"' {
			quoted = !quoted
		} else if c == ',' && !quoted {
			break
		}
	}
	entry := v[i+1:]
	if i >= 0 {
		rest, more = v[:i], true
	}
	if !forwarded {
		return strings.TrimSpace(entry), rest, more
	}
	return forwardedFor(entry), rest, more
}

func isTrusted(ip string, trusted []netip.Prefix) bool {
	addr, err := netip.ParseAddr(ip)
	return err == nil && inPrefixes(addr, trusted)
}

func inPrefixes(addr netip.Addr, ps []netip.Prefix) bool {
	addr = addr.Unmap()
	for _, p := range ps {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// canonical returns s if it is addr's canonical text, which it nearly
// always is, else the canonical text, so that one client has one key.
func canonical(s string, addr netip.Addr) string {
	addr = addr.Unmap()
	var buf [64]byte
	if string(addr.AppendTo(buf[:0])) == s {
		return s
	}
	return addr.String()
}

// hostOf strips a port and IPv6 brackets: "[::1]:80" → "::1",
// "192.0.2.1:80" → "192.0.2.1"; a bare address is returned as it is.
func hostOf(s string) string {
	if strings.HasPrefix(s, "[") {
		if end := strings.IndexByte(s, ']'); end > 0 {
			return s[1:end]
		}
		return s
	}
	if i := strings.IndexByte(s, ':'); i >= 0 && strings.LastIndexByte(s, ':') == i {
		return s[:i]
	}
	return s
}

// forwardedFor returns the for= parameter of one Forwarded element (RFC
// 7239), or "" if it has none or cannot be parsed.
func forwardedFor(v string) string {
	forVal, next, ok := forwardedElement(v, 0)
	if !ok || next <= len(v) { // a comma inside: not one element
		return ""
	}
	return forVal
}

// forwardedElement parses the element starting at v[i:] and returns its
// for= value and the index after its closing comma (len(v)+1 at the end).
func forwardedElement(v string, i int) (forVal string, next int, ok bool) {
	for {
		if i = skipOWS(v, i); i < len(v) && v[i] != ',' && v[i] != ';' {
			name, val, end, pok := forwardedPair(v, i)
			if !pok {
				return "", 0, false
			}
			if strings.EqualFold(name, "for") {
				forVal = val
			}
			i = skipOWS(v, end)
		}
		switch {
		case i >= len(v):
			return forVal, len(v) + 1, true
		case v[i] == ',':
			return forVal, i + 1, true
		case v[i] != ';':
			return "", 0, false
		}
		i++
	}
}

// forwardedPair parses token=value at v[i:].
func forwardedPair(v string, i int) (name, val string, end int, ok bool) {
	eq := i
	for eq < len(v) && isTokenChar(v[eq]) {
		eq++
	}
	if eq == i || eq == len(v) || v[eq] != '=' {
		return "", "", 0, false
	}
	val, end, ok = forwardedValue(v, eq+1)
	return v[i:eq], val, end, ok
}

// forwardedValue parses a token or quoted-string at v[i:]. Quoted strings
// with escapes are refused: no address needs them.
func forwardedValue(v string, i int) (val string, end int, ok bool) {
	if i < len(v) && v[i] == '"' {
		j := strings.IndexByte(v[i+1:], '"')
		if j < 0 || strings.IndexByte(v[i+1:i+1+j], '\\') >= 0 {
			return "", 0, false
		}
		return v[i+1 : i+1+j], i + 2 + j, true
	}
	j := i
	for j < len(v) && isTokenChar(v[j]) {
		j++
	}
	return v[i:j], j, j > i
}

func skipOWS(v string, i int) int {
	for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
		i++
	}
	return i
}

func isTokenChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
