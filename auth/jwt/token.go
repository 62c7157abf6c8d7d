package jwt

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"unsafe"
)

// extract finds the token in r: the Authorization header's Bearer
// credentials, then the cookie, then the query parameter, as configured.
// A request whose Authorization header uses another scheme (Basic, AWS
// SigV4) carries no token: ok is false, and another authenticator may try.
func (v *Verifier) extract(r *http.Request) (token string, ok bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		return bearer(h)
	}
	if v.o.cookie != "" {
		if c, err := r.Cookie(v.o.cookie); err == nil && c.Value != "" {
			return c.Value, true
		}
	}
	if v.o.query != "" {
		if q := r.URL.Query().Get(v.o.query); q != "" {
			return q, true
		}
	}
	return "", false
}

// bearer returns the credentials of an RFC 6750 Authorization header; the
// scheme is case-insensitive.
func bearer(h string) (string, bool) {
	const scheme = "Bearer "
	if len(h) < len(scheme) || !strings.EqualFold(h[:len(scheme)], scheme) {
		return "", false
	}
	return strings.TrimLeft(h[len(scheme):], " "), true
}

// parts is a compact JWS split at its two dots.
type parts struct {
	header, payload, signature string
	signingInput               string // header "." payload
}

func split(tok string) (parts, bool) {
	h, rest, ok1 := strings.Cut(tok, ".")
	p, s, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.IndexByte(s, '.') >= 0 || h == "" || p == "" || s == "" {
		return parts{}, false
	}
	return parts{header: h, payload: p, signature: s, signingInput: tok[:len(h)+1+len(p)]}, true
}

// header is the part of a JOSE header tollgate reads.
type header struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Typ  string          `json:"typ"`
	Crit json.RawMessage `json:"crit"`
}

// parseHeader decodes the protected header. A header listing critical
// extensions is refused: RFC 7515 §4.1.11 forbids accepting a token whose
// extensions the verifier does not understand, and tollgate knows none.
func parseHeader(seg string) (header, bool) {
	var h header
	buf, ok := decodeSegment(seg)
	if !ok || json.Unmarshal(buf, &h) != nil || h.Crit != nil || h.Alg == "" {
		return header{}, false
	}
	return h, true
}

// b64 is unpadded base64url that refuses non-zero trailing bits, so each
// token has exactly one encoding (and one cache key).
var b64 = base64.RawURLEncoding.Strict()

// typeIn reports whether the typ header names one of types. Media types
// compare case-insensitively and may omit "application/" (RFC 7515 §4.1.9),
// so "at+jwt" matches "application/at+JWT".
func typeIn(typ string, types []string) bool {
	if len(typ) > len("application/") && strings.EqualFold(typ[:len("application/")], "application/") {
		typ = typ[len("application/"):]
	}
	for _, t := range types {
		if strings.EqualFold(typ, t) {
			return true
		}
	}
	return false
}

// decodeSegment decodes unpadded base64url, as RFC 7515 §2 requires.
func decodeSegment(seg string) ([]byte, bool) {
	buf := make([]byte, base64.RawURLEncoding.DecodedLen(len(seg)))
	n, err := b64.Decode(buf, bytesOf(seg))
	return buf[:n], err == nil
}

// bytesOf views s as bytes without copying, for read-only use by hash and
// decode functions that do not retain their input.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
