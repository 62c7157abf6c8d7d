package sigv4_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/internal/clock"
	"github.com/tollgate/tollgate/sigv4"
)

const (
	testKey    = "AKIDTOLLGATE"
	testSecret = "tollgate/secret+EXAMPLEKEY"
	testRegion = "eu-west-1"
)

var epoch = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

var testCreds = aws.Credentials{AccessKeyID: testKey, SecretAccessKey: testSecret}

// env is a verifier guarding a real server whose handler answers with
// the identity and the body it read.
type env struct {
	srv   *httptest.Server
	store *sigv4.MemoryStore
	clock *clock.Fake
}

func newEnv(t *testing.T, opts ...sigv4.Option) *env {
	t.Helper()
	e := &env{store: sigv4.NewMemoryStore(), clock: clock.NewFake(epoch)}
	require.NoError(t, e.store.Put(context.Background(), sigv4.Credential{AccessKeyID: testKey, Secret: testSecret}))
	e.srv = httptest.NewServer(e.verifier(t, opts...).Middleware(http.HandlerFunc(echo)))
	t.Cleanup(e.srv.Close)
	return e
}

// verifier returns another verifier over the env's store and clock.
func (e *env) verifier(t *testing.T, opts ...sigv4.Option) *sigv4.Verifier {
	t.Helper()
	v, err := sigv4.New(e.store, append([]sigv4.Option{sigv4.WithClock(e.clock.Now)}, opts...)...)
	require.NoError(t, err)
	return v
}

func echo(w http.ResponseWriter, r *http.Request) {
	id, _ := auth.FromContext(r.Context())
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	_, _ = io.WriteString(w, id.ID+"|"+string(body))
}

// newRequest builds a request for e.srv from a raw, escaped path and query.
func (e *env) newRequest(t *testing.T, method, target, body string) *http.Request {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+target, r)
	require.NoError(t, err)
	return req
}

func payloadHash(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}

// sign signs req with the AWS SDK's signer at the env's time.
func (e *env) sign(t *testing.T, req *http.Request, body, service string, opts ...func(*v4.SignerOptions)) {
	t.Helper()
	err := v4.NewSigner(opts...).SignHTTP(context.Background(), testCreds, req, payloadHash(body), service, testRegion, e.clock.Now())
	require.NoError(t, err)
}

// do sends req and returns the status and body.
func do(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// problemCode returns the code member of a problem response.
func problemCode(t *testing.T, body string) string {
	t.Helper()
	var p struct{ Code string }
	require.NoError(t, json.Unmarshal([]byte(body), &p), body)
	return p.Code
}

// assertRefused checks a refusal's status and AWS code, and that it
// gives nothing away.
func assertRefused(t *testing.T, status int, body string, wantStatus int, wantCode string) {
	t.Helper()
	assert.Equal(t, wantStatus, status, body)
	assert.Equal(t, wantCode, problemCode(t, body))
	assert.NotContains(t, body, testSecret)
	assert.NotRegexp(t, `[0-9a-f]{64}`, body, "no signature or hash is given away")
}

// newVerifier returns a verifier that knows the test key and whose clock
// reads epoch.
func newVerifier(tb testing.TB, opts ...sigv4.Option) *sigv4.Verifier {
	tb.Helper()
	store := sigv4.NewMemoryStore()
	if err := store.Put(context.Background(), sigv4.Credential{AccessKeyID: testKey, Secret: testSecret}); err != nil {
		tb.Fatal(err)
	}
	v, err := sigv4.New(store, append([]sigv4.Option{sigv4.WithClock(func() time.Time { return epoch })}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}
