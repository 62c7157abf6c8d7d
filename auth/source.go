package auth

import (
	"encoding/binary"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
)

// IdentitySource names a part of a request that identifies the caller to a
// [CustomAuthorizer]: a header, a query parameter, a cookie, a path value or
// anything a function extracts. As with Amazon API Gateway's REQUEST
// authorizers, the authorizer's results are cached under the values of its
// identity sources, and a request lacking any of them is refused without
// calling the authorizer. Build one with [HeaderSource], [QuerySource],
// [CookieSource], [PathValueSource] or [FuncSource]; the zero value is invalid.
type IdentitySource struct {
	kind sourceKind
	name string
	fn   func(*http.Request) string
}

type sourceKind uint8

const (
	sourceInvalid sourceKind = iota
	sourceHeader
	sourceQuery
	sourceCookie
	sourcePathValue
	sourceFunc
)

// HeaderSource is the request header name (API Gateway's
// $request.header.name). Every value of a repeated header is part of the
// cache key; the source is missing when no value is non-empty.
func HeaderSource(name string) IdentitySource {
	return IdentitySource{kind: sourceHeader, name: textproto.CanonicalMIMEHeaderKey(name)}
}

// QuerySource is the query parameter name (API Gateway's
// $request.querystring.name). Every occurrence is part of the cache key; the
// source is missing when no occurrence has a non-empty value.
func QuerySource(name string) IdentitySource { return IdentitySource{kind: sourceQuery, name: name} }

// CookieSource is the cookie name. Every cookie of that name is part of the
// cache key; the source is missing when none has a non-empty value.
func CookieSource(name string) IdentitySource { return IdentitySource{kind: sourceCookie, name: name} }

// PathValueSource is the wildcard name matched by an [http.ServeMux] route
// pattern ([http.Request.PathValue]); it is missing when empty. The
// authorizer must then run inside the mux's handler, after routing.
func PathValueSource(name string) IdentitySource {
	return IdentitySource{kind: sourcePathValue, name: name}
}

// FuncSource is whatever f extracts from the request (a host name, the
// method and route, a client certificate's fingerprint); it is missing when
// f returns "". name labels the source in errors and must not be empty.
func FuncSource(name string, f func(*http.Request) string) IdentitySource {
	return IdentitySource{kind: sourceFunc, name: name, fn: f}
}

// String returns the source in API Gateway's notation, e.g.
// "$request.header.Authorization".
func (s IdentitySource) String() string {
	switch s.kind {
	case sourceHeader:
		return "$request.header." + s.name
	case sourceQuery:
		return "$request.querystring." + s.name
	case sourceCookie:
		return "$request.cookie." + s.name
	case sourcePathValue:
		return "$request.path." + s.name
	case sourceFunc:
		return "func:" + s.name
	}
	return "invalid"
}

// ParseIdentitySource parses an identity source in API Gateway's notation,
// so authorizer settings can be carried over: HTTP APIs'
// "$request.header.Authorization" and "$request.querystring.token", REST
// APIs' "method.request.header.Authorization" and
// "method.request.querystring.token", and, as [IdentitySource.String]
// writes them, "$request.cookie.name" and "$request.path.name".
// $context and $stageVariables sources have no equivalent and are errors.
func ParseIdentitySource(s string) (IdentitySource, error) {
	for _, p := range sourcePrefixes {
		if name, ok := strings.CutPrefix(s, p.prefix); ok && name != "" {
			return p.make(name), nil
		}
	}
	return IdentitySource{}, fmt.Errorf("auth: unsupported identity source %q", s)
}

var sourcePrefixes = []struct {
	prefix string
	make   func(string) IdentitySource
}{
	{"$request.header.", HeaderSource},
	{"method.request.header.", HeaderSource},
	{"$request.querystring.", QuerySource},
	{"method.request.querystring.", QuerySource},
	{"$request.cookie.", CookieSource},
	{"$request.path.", PathValueSource},
}

func (s IdentitySource) valid() bool {
	return s.kind != sourceInvalid && s.name != "" && (s.kind != sourceFunc || s.fn != nil)
}

// appendValues appends s's values in r to buf, each length-prefixed and the
// list count-prefixed so that distinct value lists never encode alike, and
// reports whether any value is non-empty.
func (s IdentitySource) appendValues(buf []byte, r *http.Request) ([]byte, bool) {
	switch s.kind {
	case sourceHeader:
		return appendList(buf, r.Header[s.name])
	case sourceQuery:
		return appendQuery(buf, r.URL.RawQuery, s.name)
	case sourceCookie:
		return appendCookies(buf, r.CookiesNamed(s.name))
	case sourcePathValue:
		return appendOne(buf, r.PathValue(s.name))
	case sourceFunc:
		return appendOne(buf, s.fn(r))
	}
	return buf, false
}

func appendList(buf []byte, vs []string) ([]byte, bool) {
	buf = binary.AppendUvarint(buf, uint64(len(vs)))
	present := false
	for _, v := range vs {
		buf = appendString(buf, v)
		present = present || v != ""
	}
	return buf, present
}

func appendOne(buf []byte, v string) ([]byte, bool) {
	return appendString(binary.AppendUvarint(buf, 1), v), v != ""
}

func appendString(buf []byte, v string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(v)))
	return append(buf, v...)
}

// appendQuery appends the raw (still escaped) values of the parameter name.
// Keying on the raw form is safe: two spellings of one value only split a
// cache entry, and distinct values never share one. It avoids parsing the
// whole query on every request.
func appendQuery(buf []byte, raw, name string) ([]byte, bool) {
	n := 0
	for _, rest, ok := nextQueryValue(raw, name); ok; _, rest, ok = nextQueryValue(rest, name) {
		n++
	}
	buf = binary.AppendUvarint(buf, uint64(n))
	present := false
	for v, rest, ok := nextQueryValue(raw, name); ok; v, rest, ok = nextQueryValue(rest, name) {
		buf = appendString(buf, v)
		present = present || v != ""
	}
	return buf, present
}

// nextQueryValue finds the next value of parameter name in the raw query,
// returning it and the rest of the query after it.
func nextQueryValue(raw, name string) (v, rest string, ok bool) {
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(kv, "=")
		if queryKeyIs(k, name) {
			return v, raw, true
		}
	}
	return "", "", false
}

func queryKeyIs(k, name string) bool {
	if k == name {
		return true
	}
	if !strings.ContainsAny(k, "%+") {
		return false
	}
	u, err := url.QueryUnescape(k)
	return err == nil && u == name
}

func appendCookies(buf []byte, cs []*http.Cookie) ([]byte, bool) {
	buf = binary.AppendUvarint(buf, uint64(len(cs)))
	present := false
	for _, c := range cs {
		buf = appendString(buf, c.Value)
		present = present || c.Value != ""
	}
	return buf, present
}
