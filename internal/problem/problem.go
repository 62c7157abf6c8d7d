// Package problem writes RFC 9457 problem details (application/problem+json),
// the one format in which tollgate's stages refuse a request.
package problem

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// ContentType is the media type of a problem response.
const ContentType = "application/problem+json"

// Problem is an RFC 9457 problem details object. Type is left empty, which
// the RFC reads as "about:blank", so Title is the status phrase; Code is a
// stable, machine-readable extension member that clients can switch on.
type Problem struct {
	Status int
	Code   string
	Detail string
	// Extensions are further members; they must not reuse a standard name.
	Extensions map[string]any
}

// New returns a Problem with the given status, code and detail.
func New(status int, code, detail string) Problem {
	return Problem{Status: status, Code: code, Detail: detail}
}

// Write sends p as the response. Headers already set on w (Retry-After,
// WWW-Authenticate, rate limit fields) are kept.
func Write(w http.ResponseWriter, p Problem) {
	body := p.marshal()
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_, _ = w.Write(body)
}

func (p Problem) marshal() []byte {
	m := make(map[string]any, 5+len(p.Extensions))
	for k, v := range p.Extensions {
		m[k] = v
	}
	m["type"] = "about:blank"
	m["title"] = http.StatusText(p.Status)
	m["status"] = p.Status
	if p.Code != "" {
		m["code"] = p.Code
	}
	if p.Detail != "" {
		m["detail"] = p.Detail
	}
	b, err := json.Marshal(m)
	if err != nil { // an extension that cannot be encoded: drop extensions
		p.Extensions = nil
		return p.marshal()
	}
	return append(b, '\n')
}
