package sigv4_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/internal/testkit"
	"github.com/tollgate/tollgate/sigv4"
)

func TestClockSkew(t *testing.T) {
	tests := []struct {
		name     string
		offset   time.Duration
		opts     []sigv4.Option
		wantCode string
	}{
		{"on time", 0, nil, ""},
		{"4m late", 4 * time.Minute, nil, ""},
		{"4m early", -4 * time.Minute, nil, ""},
		{"6m late", 6 * time.Minute, nil, "RequestExpired"},
		{"6m early", -6 * time.Minute, nil, "RequestExpired"},
		{"2m late, 1m window", 2 * time.Minute, []sigv4.Option{sigv4.WithClockSkew(time.Minute)}, "RequestExpired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opts...)
			req := e.newRequest(t, "GET", "/", "")
			e.sign(t, req, "", "execute-api")
			e.clock.Advance(tt.offset)
			status, body := do(t, req)
			if tt.wantCode == "" {
				assert.Equal(t, http.StatusOK, status, body)
				return
			}
			assertRefused(t, status, body, http.StatusForbidden, tt.wantCode)
		})
	}
}

func (e *env) presign(t *testing.T, target, service string, expires string, creds aws.Credentials) string {
	t.Helper()
	req := e.newRequest(t, "GET", target, "")
	q := req.URL.Query()
	q.Set("X-Amz-Expires", expires)
	req.URL.RawQuery = q.Encode()
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, payloadHash(""), service, testRegion, e.clock.Now())
	require.NoError(t, err)
	return u
}

func TestPresigned(t *testing.T) {
	tests := []struct {
		name     string
		expires  string
		after    time.Duration
		tamper   func(string) string
		wantCode string
	}{
		{"valid", "3600", 59 * time.Minute, nil, ""},
		{"expired", "3600", 61 * time.Minute, nil, "RequestExpired"},
		{"not yet valid", "3600", -6 * time.Minute, nil, "RequestExpired"},
		{"seven days", "604800", 167 * time.Hour, nil, ""},
		{"over seven days", "604801", 0, nil, "IncompleteSignature"},
		{"query changed", "3600", 0, func(u string) string { return strings.Replace(u, "id=7", "id=8", 1) }, "SignatureDoesNotMatch"},
		{"expiry extended", "3600", 0, func(u string) string { return strings.Replace(u, "X-Amz-Expires=3600", "X-Amz-Expires=7200", 1) }, "SignatureDoesNotMatch"},
		{"parameter repeated", "3600", 0, func(u string) string { return u + "&X-Amz-Expires=3600" }, "IncompleteSignature"},
		{"also an Authorization header", "3600", 0, nil, "IncompleteSignature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			u := e.presign(t, "/reports?id=7", "execute-api", tt.expires, testCreds)
			if tt.tamper != nil {
				u = tt.tamper(u)
			}
			e.clock.Advance(tt.after)
			req, err := http.NewRequest("GET", u, nil)
			require.NoError(t, err)
			if strings.HasPrefix(tt.name, "also") {
				req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x/20260314/eu-west-1/s/aws4_request, SignedHeaders=host, Signature=00")
			}
			status, body := do(t, req)
			if tt.wantCode == "" {
				assert.Equal(t, http.StatusOK, status, body)
				return
			}
			want := http.StatusForbidden
			if tt.wantCode == "IncompleteSignature" {
				want = http.StatusBadRequest
			}
			assertRefused(t, status, body, want, tt.wantCode)
		})
	}
}

func TestSessionToken(t *testing.T) {
	tests := []struct {
		name      string
		stored    string
		sent      string
		presigned bool
		wantCode  string
	}{
		{"matching", "tok-1", "tok-1", false, ""},
		{"matching presigned", "tok-1", "tok-1", true, ""},
		{"wrong", "tok-1", "tok-2", false, "InvalidClientTokenId"},
		{"wrong presigned", "tok-1", "tok-2", true, "InvalidClientTokenId"},
		{"missing", "tok-1", "", false, "InvalidClientTokenId"},
		{"unexpected", "", "tok-1", false, "InvalidClientTokenId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			require.NoError(t, e.store.Put(context.Background(), sigv4.Credential{AccessKeyID: testKey, Secret: testSecret, SessionToken: tt.stored}))
			creds := testCreds
			creds.SessionToken = tt.sent
			var req *http.Request
			if tt.presigned {
				var err error
				req, err = http.NewRequest("GET", e.presign(t, "/", "execute-api", "60", creds), nil)
				require.NoError(t, err)
			} else {
				req = e.newRequest(t, "GET", "/", "")
				require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, req, payloadHash(""), "execute-api", testRegion, e.clock.Now()))
			}
			status, body := do(t, req)
			if tt.wantCode == "" {
				assert.Equal(t, http.StatusOK, status, body)
				return
			}
			assertRefused(t, status, body, http.StatusForbidden, tt.wantCode)
			assert.NotContains(t, body, "tok-")
		})
	}
}

// TestRotationAndRevocation: the signing key cache never lets a rotated,
// disabled or deleted secret verify, even when a store keeps the same
// secret version across a rotation.
func TestRotationAndRevocation(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *sigv4.MemoryStore) error
	}{
		{"rotated", func(s *sigv4.MemoryStore) error {
			return s.Put(context.Background(), sigv4.Credential{AccessKeyID: testKey, Secret: "new-secret"})
		}},
		{"rotated, version kept", func(s *sigv4.MemoryStore) error {
			return s.Put(context.Background(), sigv4.Credential{AccessKeyID: testKey, Secret: "new-secret", SecretVersion: "v1"})
		}},
		{"disabled", func(s *sigv4.MemoryStore) error {
			return s.Put(context.Background(), sigv4.Credential{AccessKeyID: testKey, Secret: testSecret, Disabled: true})
		}},
		{"deleted", func(s *sigv4.MemoryStore) error { return s.Delete(context.Background(), testKey) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			require.NoError(t, e.store.Put(context.Background(), sigv4.Credential{AccessKeyID: testKey, Secret: testSecret, SecretVersion: "v1"}))
			send := func() (int, string) {
				req := e.newRequest(t, "GET", "/", "")
				e.sign(t, req, "", "execute-api")
				return do(t, req)
			}
			status, _ := send() // warms the key cache
			require.Equal(t, http.StatusOK, status)
			require.NoError(t, tt.change(e.store))
			status, body := send()
			want := "InvalidClientTokenId"
			if strings.HasPrefix(tt.name, "rotated") {
				want = "SignatureDoesNotMatch"
			}
			assertRefused(t, status, body, http.StatusForbidden, want)
		})
	}
}

func TestScopeAllowLists(t *testing.T) {
	tests := []struct {
		name     string
		opts     []sigv4.Option
		service  string
		wantCode string
	}{
		{"allowed", []sigv4.Option{sigv4.WithRegions("us-east-1", testRegion), sigv4.WithServices("execute-api")}, "execute-api", ""},
		{"region refused", []sigv4.Option{sigv4.WithRegions("us-east-1")}, "execute-api", "AccessDenied"},
		{"service refused", []sigv4.Option{sigv4.WithServices("execute-api")}, "lambda", "AccessDenied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opts...)
			req := e.newRequest(t, "GET", "/", "")
			e.sign(t, req, "", tt.service)
			status, body := do(t, req)
			if tt.wantCode == "" {
				assert.Equal(t, http.StatusOK, status, body)
				return
			}
			assertRefused(t, status, body, http.StatusForbidden, tt.wantCode)
		})
	}
}

func TestPayload(t *testing.T) {
	const payload = "hello, tollgate"
	big := strings.Repeat("x", 2048)
	tests := []struct {
		name       string
		body       string
		header     string // X-Amz-Content-Sha256, signed when set
		hash       string // payload hash to sign with; default: the body's
		chunked    bool   // send without Content-Length
		opts       []sigv4.Option
		wantStatus int
		wantCode   string
	}{
		{name: "hashed body", body: payload, wantStatus: 200},
		{name: "claimed hash", body: payload, header: payloadHash(payload), wantStatus: 200},
		{name: "claimed hash, chunked transfer", body: payload, header: payloadHash(payload), chunked: true, wantStatus: 200},
		{name: "claimed hash of another body", body: payload, header: payloadHash("other"), hash: payloadHash("other"), wantStatus: 400, wantCode: "XAmzContentSHA256Mismatch"},
		{name: "claimed hash, upper-case", body: payload, header: strings.ToUpper(payloadHash(payload)), wantStatus: 400, wantCode: "XAmzContentSHA256Mismatch"},
		{name: "unsigned refused", body: payload, header: sigv4.UnsignedPayload, wantStatus: 403, wantCode: "AccessDenied"},
		{name: "unsigned by option", body: payload, header: sigv4.UnsignedPayload, opts: []sigv4.Option{sigv4.WithUnsignedPayload()}, wantStatus: 200},
		{name: "over the limit", body: big, opts: []sigv4.Option{sigv4.WithMaxBodyBytes(1024)}, wantStatus: 413, wantCode: "EntityTooLarge"},
		{name: "over the limit, chunked transfer", body: big, chunked: true, opts: []sigv4.Option{sigv4.WithMaxBodyBytes(1024)}, wantStatus: 413, wantCode: "EntityTooLarge"},
		{name: "at the limit", body: big[:1024], opts: []sigv4.Option{sigv4.WithMaxBodyBytes(1024)}, wantStatus: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opts...)
			req := e.newRequest(t, "PUT", "/objects/1", tt.body)
			if tt.header != "" {
				req.Header.Set("X-Amz-Content-Sha256", tt.header)
			}
			hash := tt.hash
			if hash == "" {
				hash = tt.header
			}
			if hash == "" {
				hash = payloadHash(tt.body)
			}
			if tt.chunked {
				req.ContentLength = -1
				req.Body = struct{ io.ReadCloser }{req.Body}
			}
			require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), testCreds, req, hash, "execute-api", testRegion, e.clock.Now()))
			status, body := do(t, req)
			if tt.wantCode == "" {
				assert.Equal(t, tt.wantStatus, status, body)
				assert.Equal(t, testKey+"|"+tt.body, body, "body handed on intact")
				return
			}
			assertRefused(t, status, body, tt.wantStatus, tt.wantCode)
		})
	}
}

func TestNoCredentials(t *testing.T) {
	e := newEnv(t)
	for _, h := range []string{"", "Bearer abc", "AWS AKID:sig"} {
		req := e.newRequest(t, "GET", "/", "")
		if h != "" {
			req.Header.Set("Authorization", h)
		}
		status, body := do(t, req)
		assertRefused(t, status, body, http.StatusForbidden, "MissingAuthenticationToken")
	}

	v, err := sigv4.New(sigv4.NewMemoryStore())
	require.NoError(t, err)
	for _, target := range []string{"/", "/?note=X-Amz-Algorithm"} {
		_, err = v.Authenticate(context.Background(), httptestRequest(t, target))
		assert.ErrorIs(t, err, auth.ErrNoCredentials, "the next authenticator may try")
	}
}

func httptestRequest(t *testing.T, target string) *http.Request {
	t.Helper()
	req, err := http.NewRequest("GET", "http://example.com"+target, nil)
	require.NoError(t, err)
	return req
}

func TestMalformedAuthorization(t *testing.T) {
	const cred = "Credential=AKIDTOLLGATE/20260314/eu-west-1/execute-api/aws4_request"
	const sig = "Signature=" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	for _, h := range []string{
		"AWS4-HMAC-SHA256",
		"AWS4-HMAC-SHA256 " + cred,
		"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;x-amz-date",
		"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;x-amz-date, " + sig + ", Extra=1",
		"AWS4-HMAC-SHA256 " + cred + ", " + cred + ", SignedHeaders=host;x-amz-date, " + sig,
		"AWS4-HMAC-SHA256 Credential=AKIDTOLLGATE/20260314/eu-west-1/execute-api, SignedHeaders=host;x-amz-date, " + sig,
		"AWS4-HMAC-SHA256 Credential=AKIDTOLLGATE/2026031/eu-west-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, " + sig,
		"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=x-amz-date;host, " + sig,
		"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=x-amz-date, " + sig,
		"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, " + sig, // x-amz-date unsigned
		"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;x-amz-date, Signature=ABC",
		"AWS4-ECDSA-P256-SHA256 " + cred + ", SignedHeaders=host;x-amz-date, " + sig,
	} {
		t.Run(h, func(t *testing.T) {
			e := newEnv(t)
			req := e.newRequest(t, "GET", "/", "")
			req.Header.Set("X-Amz-Date", "20260314T150926Z")
			req.Header.Set("Authorization", h)
			status, body := do(t, req)
			assertRefused(t, status, body, http.StatusBadRequest, "IncompleteSignature")
		})
	}
}

type failingStore struct{ sigv4.MemoryStore }

var errBackend = errors.New("backend: connection refused")

func (*failingStore) Lookup(context.Context, string) (sigv4.LookupResult, error) {
	return sigv4.LookupResult{}, errBackend
}

func TestStoreFailure(t *testing.T) {
	e := newEnv(t)
	v, err := sigv4.New(&failingStore{}, sigv4.WithClock(e.clock.Now))
	require.NoError(t, err)
	req := httptestRequest(t, "/")
	e.sign(t, req, "", "execute-api")
	_, err = v.Authenticate(context.Background(), req)
	assert.ErrorIs(t, err, errBackend)
	assert.Equal(t, http.StatusServiceUnavailable, auth.HTTPStatus(err))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	v = e.verifier(t)
	_, err = v.Authenticate(ctx, req)
	assert.Equal(t, context.Canceled, err, "ctx.Err() passes through unchanged")
}

func TestNewValidates(t *testing.T) {
	s := sigv4.NewMemoryStore()
	for _, o := range []sigv4.Option{
		sigv4.WithClock(nil), sigv4.WithClockSkew(-1), sigv4.WithRegions(), sigv4.WithServices(),
		sigv4.WithMaxBodyBytes(-1), sigv4.WithKeyCacheSize(0),
	} {
		_, err := sigv4.New(s, o)
		assert.Error(t, err)
	}
	_, err := sigv4.New(nil)
	assert.Error(t, err)
}

func TestWebSocket(t *testing.T) {
	e := newEnv(t)
	v := e.verifier(t)
	req := httptestRequest(t, "/")
	req.Host = "ws.example.com"
	e.sign(t, req, "", "execute-api")
	// The signed host is ws.example.com, as behind a proxy that keeps Host.
	mw := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Host = "ws.example.com"
			v.Middleware(next).ServeHTTP(w, r)
		})
	}
	testkit.AssertWebSocket(t, mw, http.Header{
		"Authorization": req.Header["Authorization"],
		"X-Amz-Date":    req.Header["X-Amz-Date"],
	})
}
