// Package rlheader formats the RateLimit-Policy and RateLimit response
// header fields of the IETF draft "RateLimit header fields for HTTP"
// (draft-ietf-httpapi-ratelimit-headers-11). Both fields are Structured
// Field Lists (RFC 9651) of Items whose bare item names a policy:
//
//	RateLimit-Policy: burst;q=20;w=1, daily;q=1000;w=86400
//	RateLimit: burst;r=19;t=1
//
// It is shared by ratelimit and quota, so that a response carrying both
// speaks one syntax.
package rlheader

import (
	"strconv"
)

// Field names.
const (
	PolicyField = "RateLimit-Policy"
	StateField  = "RateLimit"
)

// Policy is one quota policy: Quota units per Window seconds.
type Policy struct {
	// Name identifies the policy; it is written as an sf-token when it is
	// one, else as an sf-string.
	Name string
	// Quota is the q parameter: units allowed per window.
	Quota int64
	// Window is the w parameter in whole seconds; 0 omits it.
	Window int64
	// Unit is the qu parameter ("request" when empty, and then omitted).
	Unit string
}

// AppendPolicy appends p as a List member: name;q=Q[;w=W][;qu="U"].
func AppendPolicy(dst []byte, p Policy) []byte {
	dst = AppendName(dst, p.Name)
	dst = append(dst, ";q="...)
	dst = strconv.AppendInt(dst, max(p.Quota, 0), 10)
	if p.Window > 0 {
		dst = append(dst, ";w="...)
		dst = strconv.AppendInt(dst, p.Window, 10)
	}
	if p.Unit != "" && p.Unit != "request" {
		dst = append(dst, ";qu="...)
		dst = appendString(dst, p.Unit)
	}
	return dst
}

// FormatPolicies returns the RateLimit-Policy value for ps.
func FormatPolicies(ps ...Policy) string {
	var b []byte
	for i, p := range ps {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = AppendPolicy(b, p)
	}
	return string(b)
}

// AppendState appends one RateLimit List member: name;r=R;t=T. Negative
// values are clamped to 0, as both parameters are non-negative integers.
func AppendState(dst []byte, name string, remaining, resetSeconds int64) []byte {
	dst = AppendName(dst, name)
	dst = append(dst, ";r="...)
	dst = strconv.AppendInt(dst, max(remaining, 0), 10)
	dst = append(dst, ";t="...)
	return strconv.AppendInt(dst, max(resetSeconds, 0), 10)
}

// AppendName appends a policy name as an sf-token if it is one (starts
// with a letter or '*', then tchar, ':' or '/'), else as an sf-string.
func AppendName(dst []byte, name string) []byte {
	if isToken(name) {
		return append(dst, name...)
	}
	return appendString(dst, name)
}

func isToken(s string) bool {
	if s == "" || !(isAlpha(s[0]) || s[0] == '*') {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isTchar(s[i]) && s[i] != ':' && s[i] != '/' {
			return false
		}
	}
	return true
}

// appendString writes an sf-string: printable ASCII with '"' and '\'
// escaped; other bytes become '?', as sf-strings cannot carry them.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c < 0x20 || c > 0x7e:
			dst = append(dst, '?')
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isTchar(c byte) bool {
	if isAlpha(c) || c >= '0' && c <= '9' {
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}

// Seconds rounds a duration in nanoseconds up to whole seconds, so a
// client that waits t seconds is never early.
func Seconds(nanos int64) int64 {
	if nanos <= 0 {
		return 0
	}
	return (nanos + 999_999_999) / 1_000_000_000
}
