package sigv4

import "strings"

// queryParam is one query parameter, decoded and re-encoded.
type queryParam struct{ key, value string }

// parseQuery decodes the raw query as Go and the AWS SDKs do ('+' is a
// space) and returns its parameters encoded in AWS's canonical form. It
// reports false for an invalid escape. The result reuses dst.
func parseQuery(dst []queryParam, raw string) ([]queryParam, bool) {
	for pair := range strings.SplitSeq(raw, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, ok1 := canonicalComponent(k)
		v, ok2 := canonicalComponent(v)
		if !ok1 || !ok2 {
			return dst, false
		}
		dst = append(dst, queryParam{k, v})
	}
	return dst, true
}

// canonicalComponent turns one raw query component into AWS's encoding,
// without allocating when it is already canonical.
func canonicalComponent(s string) (string, bool) {
	clean := true
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			clean = false
			break
		}
	}
	if clean {
		return s, true
	}
	dec, ok := unescapeQuery(s)
	if !ok {
		return "", false
	}
	return string(appendEncoded(make([]byte, 0, len(dec)*3), dec, false)), true
}

// unescapeQuery decodes %XX escapes and '+' as url.QueryUnescape does.
func unescapeQuery(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return "", false
			}
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b), true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// appendCanonicalQuery appends the sorted params joined by '&'. A
// presigned request leaves out X-Amz-Signature, and X-Amz-Security-Token
// too when dropToken is set.
func appendCanonicalQuery(dst []byte, params []queryParam, presigned, dropToken bool) []byte {
	first := true
	for _, p := range params {
		if presigned && (p.key == qSignature || dropToken && p.key == qSecurityToken) {
			continue
		}
		if !first {
			dst = append(dst, '&')
		}
		first = false
		dst = append(dst, p.key...)
		dst = append(dst, '=')
		dst = append(dst, p.value...)
	}
	return dst
}
