package sigv4_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/assert"
)

// TestSDKSignedPaths sends requests signed by the AWS SDK for Go's signer
// through a real server. The Go SDK signs URL.EscapedPath() as sent,
// never normalised, encoded once more outside S3 and as is for S3; the
// verifier accepts exactly that, plus AWS's normalised form.
func TestSDKSignedPaths(t *testing.T) {
	targets := []string{
		"/",
		"/pets/42",
		"/a%2Fb",         // encoded slash stays one segment
		"/a%2fb",         // lower-case hex is signed as sent
		"/a+b",           // '+' is a literal plus in a path
		"/a%2Bb",         // and so is its encoding, a different path
		"/a%20b",         // space
		"/%E1%88%B4",     // UTF-8
		"/a/./b/../c",    // dot segments: the Go SDK signs them unnormalised
		"//double//",     // empty segments, likewise
		"/~user/a-b_c.d", // unreserved
		"/path?a=1&b=2",
		"/q?b=2&a=1&a=0",
		"/q?k=a+b",   // '+' in a query is a space
		"/q?k=a%2Bb", // '%2B' is a plus
		"/q?k=%e1%88%b4&empty=&flag",
		"/q?k=%2F%3D%26",
	}
	for _, service := range []string{"execute-api", "s3"} {
		for _, target := range targets {
			t.Run(service+target, func(t *testing.T) {
				e := newEnv(t)
				req := e.newRequest(t, "GET", target, "")
				e.sign(t, req, "", service, func(o *v4.SignerOptions) { o.DisableURIPathEscaping = service == "s3" })
				status, body := do(t, req)
				assert.Equal(t, http.StatusOK, status, body)
				assert.Equal(t, testKey+"|", body)
			})
		}
	}
}

// TestSDKSignedTampering changes each signed part of an SDK-signed
// request after signing; every change must fail, and an unsigned header
// may be added freely.
func TestSDKSignedTampering(t *testing.T) {
	tests := []struct {
		name     string
		tamper   func(r *http.Request)
		wantCode string
	}{
		{"untouched", func(*http.Request) {}, ""},
		{"unsigned header added", func(r *http.Request) { r.Header.Set("X-Unsigned", "1") }, ""},
		{"method", func(r *http.Request) { r.Method = "PUT" }, "SignatureDoesNotMatch"},
		{"path", func(r *http.Request) { r.URL.Path, r.URL.RawPath = "/pets/43", "" }, "SignatureDoesNotMatch"},
		{"path encoding", func(r *http.Request) { r.URL.RawPath = "/pets%2F42" }, "SignatureDoesNotMatch"},
		{"query value", func(r *http.Request) { r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "a=1", "a=2", 1) }, "SignatureDoesNotMatch"},
		{"query added", func(r *http.Request) { r.URL.RawQuery += "&c=3" }, "SignatureDoesNotMatch"},
		{"query plus", func(r *http.Request) { r.URL.RawQuery += "&k=a%2Bb" }, "SignatureDoesNotMatch"},
		{"host", func(r *http.Request) { r.Host = "evil.example" }, "SignatureDoesNotMatch"},
		{"signed header", func(r *http.Request) { r.Header.Set("X-Tenant", "other") }, "SignatureDoesNotMatch"},
		{"signed header repeated", func(r *http.Request) { r.Header.Add("X-Tenant", "acme") }, "SignatureDoesNotMatch"},
		{"signed header removed", func(r *http.Request) { r.Header.Del("X-Tenant") }, "SignatureDoesNotMatch"},
		{"date", func(r *http.Request) { r.Header.Set("X-Amz-Date", "20260314T150927Z") }, "SignatureDoesNotMatch"},
		{"signature", func(r *http.Request) {
			a := r.Header.Get("Authorization")
			last := "0"
			if a[len(a)-1] == '0' {
				last = "1"
			}
			r.Header.Set("Authorization", a[:len(a)-1]+last)
		}, "SignatureDoesNotMatch"},
		{"signed headers list", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), ";x-tenant", "", 1))
		}, "SignatureDoesNotMatch"},
		{"body", func(r *http.Request) {
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader(`{"name":"max"}`)), 14
		}, "SignatureDoesNotMatch"},
		{"body emptied", func(r *http.Request) { r.Body, r.ContentLength = http.NoBody, 0 }, "SignatureDoesNotMatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			const payload = `{"name":"rex"}`
			req := e.newRequest(t, "POST", "/pets/42?a=1&b=2", payload)
			req.Header.Set("X-Tenant", "acme")
			e.sign(t, req, payload, "execute-api")
			tt.tamper(req)
			status, body := do(t, req)
			if tt.wantCode == "" {
				assert.Equal(t, http.StatusOK, status, body)
				assert.Equal(t, testKey+"|"+payload, body, "body handed on intact")
				return
			}
			assertRefused(t, status, body, http.StatusForbidden, tt.wantCode)
		})
	}
}
