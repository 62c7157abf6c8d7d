package sigv4

import (
	"net/http"
	"strings"
	"unicode/utf8"
)

// emptySHA256 is the hex SHA-256 of an empty payload.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

const upperHex = "0123456789ABCDEF"

// unreserved reports whether c stays literal in AWS's URI encoding.
func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// appendEncoded appends s percent-encoded as AWS's UriEncode does: every
// byte but the unreserved ones (and '/' when keepSlash) becomes %XX with
// upper-case hex.
func appendEncoded(dst []byte, s string, keepSlash bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || c == '/' && keepSlash {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
	}
	return dst
}

// appendCanonicalURI appends the canonical URI of the request path as
// sent on the wire (still percent-encoded). With s3 set it is used as is,
// as S3 signs it; otherwise it is normalised (when normalize is set) and
// encoded once more, as every other AWS service signs it.
func appendCanonicalURI(dst []byte, path string, s3, normalize bool) []byte {
	if path == "" {
		return append(dst, '/')
	}
	if s3 {
		return append(dst, path...)
	}
	if normalize {
		path = normalizePath(path)
	}
	return appendEncoded(dst, path, true)
}

// needsNormalizing reports whether path has empty, "." or ".." segments.
func needsNormalizing(path string) bool {
	if !strings.HasPrefix(path, "/") {
		return false
	}
	for seg := range strings.SplitSeq(path[1:], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// normalizePath removes "." segments, resolves ".." and collapses
// repeated slashes, as AWS does for every service but S3. A path that
// ended in a slash, "." or ".." keeps a trailing slash.
func normalizePath(path string) string {
	if !needsNormalizing(path) {
		return path
	}
	segs := make([]string, 0, 8)
	parts := strings.Split(path[1:], "/")
	for _, seg := range parts {
		switch seg {
		case "", ".":
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
		default:
			segs = append(segs, seg)
		}
	}
	last := parts[len(parts)-1]
	out := "/" + strings.Join(segs, "/")
	if len(segs) > 0 && (last == "" || last == "." || last == "..") {
		out += "/"
	}
	return out
}

// appendHeaderValue appends v trimmed of white space, with runs of spaces
// inside collapsed to one, as the AWS SDK for Go does (a tab inside a
// value is kept).
func appendHeaderValue(dst []byte, v string) []byte {
	v = strings.TrimSpace(v)
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			if !space {
				dst = append(dst, ' ')
			}
			space = true
			continue
		}
		space = false
		dst = append(dst, c)
	}
	return dst
}

// appendCanonicalHeaders appends "name:value\n" for each signed header,
// repeated headers joined by commas in request order. It reports false
// when a signed header other than host is absent from the request.
func appendCanonicalHeaders(dst []byte, r *http.Request, signed string) ([]byte, bool) {
	for rest := signed; rest != ""; {
		var name string
		name, rest = nextName(rest)
		dst = append(dst, name...)
		dst = append(dst, ':')
		if name == "host" {
			dst = appendHeaderValue(dst, requestHost(r))
			dst = append(dst, '\n')
			continue
		}
		vals, ok := headerValues(r.Header, name)
		if !ok {
			return dst, false
		}
		for i, v := range vals {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendHeaderValue(dst, v)
		}
		dst = append(dst, '\n')
	}
	return dst, true
}

func requestHost(r *http.Request) string {
	if r.Host != "" {
		return r.Host
	}
	if r.URL != nil {
		return r.URL.Host
	}
	return ""
}

// headerValues returns the values of the header with the lower-case
// name, without allocating.
func headerValues(h http.Header, name string) ([]string, bool) {
	if key := headerKey(name); key != "" {
		vals, ok := h[key]
		return vals, ok
	}
	var found []string
	n := 0
	for k, vals := range h {
		if len(k) == len(name) && strings.EqualFold(k, name) {
			found, n = vals, n+1
		}
	}
	if n > 1 { // the same name in two spellings: only in-process requests
		found, n = h[http.CanonicalHeaderKey(name)], len(h[http.CanonicalHeaderKey(name)])
	}
	return found, n > 0
}

// headerKey maps the usual lower-case signed header names to their keys
// in http.Header; it returns "" for others.
func headerKey(name string) string {
	switch name {
	case "x-amz-date":
		return "X-Amz-Date"
	case "x-amz-content-sha256":
		return "X-Amz-Content-Sha256"
	case "x-amz-security-token":
		return "X-Amz-Security-Token"
	case "x-amz-region-set":
		return "X-Amz-Region-Set"
	case "content-type":
		return "Content-Type"
	case "content-length":
		return "Content-Length"
	case "content-md5":
		return "Content-Md5"
	case "x-amz-user-agent":
		return "X-Amz-User-Agent"
	case "content-encoding":
		return "Content-Encoding"
	case "x-amz-decoded-content-length":
		return "X-Amz-Decoded-Content-Length"
	}
	return ""
}

// validSignedHeaders reports whether list is a ';'-separated, strictly
// ascending list of lower-case header names that includes host.
func validSignedHeaders(list string) bool {
	if list == "" || list[len(list)-1] == ';' {
		return false
	}
	prev, host := "", false
	for rest := list; rest != ""; {
		var name string
		name, rest = nextName(rest)
		if name == "" || name <= prev || !utf8.ValidString(name) {
			return false
		}
		for i := 0; i < len(name); i++ {
			if c := name[i]; c <= ' ' || c >= 0x7f || 'A' <= c && c <= 'Z' || c == ':' {
				return false
			}
		}
		host = host || name == "host"
		prev = name
	}
	return host
}

// nextName splits the first name off a ';'-separated list, without the
// iterator overhead of strings.SplitSeq on this hot path.
func nextName(list string) (name, rest string) {
	if i := strings.IndexByte(list, ';'); i >= 0 {
		return list[:i], list[i+1:]
	}
	return list, ""
}
