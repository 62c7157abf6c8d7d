package mtls_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/auth/mtls"
	"github.com/tollgate/tollgate/internal/clock"
)

func echoIdentity(w http.ResponseWriter, r *http.Request) {
	id, _ := auth.FromContext(r.Context())
	_ = json.NewEncoder(w).Encode(id)
}

// serve starts a real TLS server whose handshake asks for client
// certificates as clientAuth says, trusting the test root, with a behind
// the authentication middleware.
func serve(t *testing.T, clientAuth tls.ClientAuthType, a auth.Authenticator) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(auth.NewMiddleware(a)(http.HandlerFunc(echoIdentity)))
	srv.TLS = &tls.Config{ClientAuth: clientAuth, ClientCAs: pool(getPKI().root.cert)}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

type reply struct {
	status int
	id     auth.Identity
	code   string
}

// clientWith returns a client for srv that presents cert (none when nil),
// even when the server's handshake asks for certificates from other CAs.
func clientWith(srv *httptest.Server, cert *node) (*http.Client, func()) {
	tr := srv.Client().Transport.(*http.Transport).Clone()
	if cert != nil {
		tc := cert.tlsCert()
		tr.TLSClientConfig.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return tc, nil }
	}
	return &http.Client{Transport: tr}, tr.CloseIdleConnections
}

// get sends a request to srv presenting cert (none when nil).
func get(t *testing.T, srv *httptest.Server, cert *node) reply {
	t.Helper()
	client, done := clientWith(srv, cert)
	defer done()
	resp, err := client.Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	out := reply{status: resp.StatusCode}
	if resp.StatusCode == http.StatusOK {
		require.NoError(t, json.Unmarshal(body, &out.id))
		return out
	}
	var p struct{ Code string }
	require.NoError(t, json.Unmarshal(body, &p))
	out.code = p.Code
	return out
}

// revokeSerials is a revocation check that fails for the serial of down.
func revokeSerials(down *node, revoked ...*node) mtls.RevocationCheck {
	return func(_ context.Context, c *x509.Certificate) (bool, error) {
		if down != nil && c.SerialNumber.Cmp(down.cert.SerialNumber) == 0 {
			return false, errors.New("ocsp: responder unreachable")
		}
		for _, n := range revoked {
			if c.SerialNumber.Cmp(n.cert.SerialNumber) == 0 {
				return true, nil
			}
		}
		return false, nil
	}
}

func TestAuthenticator(t *testing.T) {
	p := getPKI()
	later := clock.NewFake(time.Now().Add(2 * time.Hour)) // shortLived has expired
	subject := "CN=svc-a,O=Tollgate Test"
	tests := []struct {
		name       string
		clientAuth tls.ClientAuthType
		opts       []mtls.Option
		cert       *node
		wantStatus int
		wantID     string
		wantCode   string
	}{
		{"no certificate", tls.VerifyClientCertIfGiven, nil, nil, 401, "", "missing_credentials"},
		{"verified chain", tls.VerifyClientCertIfGiven, nil, p.client, 200, subject, ""},
		{"expired since handshake", tls.VerifyClientCertIfGiven, []mtls.Option{mtls.WithClock(later.Now)}, p.shortLived, 403, "", "certificate_expired"},
		{"revoked leaf", tls.VerifyClientCertIfGiven, []mtls.Option{mtls.WithRevocationCheck(revokeSerials(nil, p.client))}, p.client, 403, "", "certificate_revoked"},
		{"revoked intermediate", tls.VerifyClientCertIfGiven, []mtls.Option{mtls.WithRevocationCheck(revokeSerials(nil, p.inter))}, p.client, 403, "", "certificate_revoked"},
		{"root never checked", tls.VerifyClientCertIfGiven, []mtls.Option{mtls.WithRevocationCheck(revokeSerials(p.root))}, p.client, 200, subject, ""},
		{"revocation check down", tls.VerifyClientCertIfGiven, []mtls.Option{mtls.WithRevocationCheck(revokeSerials(p.client))}, p.client, 503, "", "auth_unavailable"},
		{"CRL lists leaf", tls.VerifyClientCertIfGiven, []mtls.Option{mtls.WithRevocationCheck(mtls.RevokedBy(p.crl))}, p.revoked, 403, "", "certificate_revoked"},
		{"CRL passes others", tls.VerifyClientCertIfGiven, []mtls.Option{mtls.WithRevocationCheck(mtls.RevokedBy(p.crl))}, p.client, 200, subject, ""},
		{"fingerprint mapping", tls.VerifyClientCertIfGiven, []mtls.Option{mtls.WithMapping(mtls.IDFrom(mtls.Fingerprint))}, p.client, 200, mtls.Fingerprint(p.client.cert), ""},
		{"URI SAN mapping", tls.VerifyClientCertIfGiven, []mtls.Option{mtls.WithMapping(mtls.IDFrom(mtls.URISAN))}, p.spiffe, 200, "spiffe://example.test/svc-b", ""},
		{"URI SAN mapping, none", tls.VerifyClientCertIfGiven, []mtls.Option{mtls.WithMapping(mtls.IDFrom(mtls.URISAN))}, p.client, 403, "", "unmapped_certificate"},
		{"own roots narrower than server's", tls.VerifyClientCertIfGiven, []mtls.Option{mtls.WithRoots(pool(p.otherRoot.cert))}, p.client, 403, "", "untrusted_certificate"},
		{"unverified refused without roots", tls.RequestClientCert, nil, p.client, 403, "", "untrusted_certificate"},
		{"rogue refused without roots", tls.RequireAnyClientCert, nil, p.rogue, 403, "", "untrusted_certificate"},
		{"own roots", tls.RequestClientCert, []mtls.Option{mtls.WithRoots(pool(p.root.cert))}, p.client, 200, subject, ""},
		{"own roots, rogue CA", tls.RequestClientCert, []mtls.Option{mtls.WithRoots(pool(p.root.cert))}, p.rogue, 403, "", "untrusted_certificate"},
		{"own roots, server-auth-only certificate", tls.RequestClientCert, []mtls.Option{mtls.WithRoots(pool(p.root.cert))}, p.serverOnly, 403, "", "untrusted_certificate"},
		{"own roots, expired by clock", tls.RequestClientCert, []mtls.Option{mtls.WithRoots(pool(p.root.cert)), mtls.WithClock(later.Now)}, p.shortLived, 403, "", "certificate_expired"},
		{"own roots, no certificate", tls.RequestClientCert, []mtls.Option{mtls.WithRoots(pool(p.root.cert))}, nil, 401, "", "missing_credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := mtls.New(tt.opts...)
			require.NoError(t, err)
			got := get(t, serve(t, tt.clientAuth, a), tt.cert)
			assert.Equal(t, tt.wantStatus, got.status)
			assert.Equal(t, tt.wantCode, got.code)
			if tt.wantStatus == http.StatusOK {
				assert.Equal(t, tt.wantID, got.id.ID)
				assert.Equal(t, auth.MethodMTLS, got.id.Method)
				assert.Equal(t, mtls.Fingerprint(tt.cert.cert), got.id.Attributes["fingerprint"])
			}
		})
	}
}

func TestAttributes(t *testing.T) {
	p := getPKI()
	a, err := mtls.New()
	require.NoError(t, err)
	got := get(t, serve(t, tls.VerifyClientCertIfGiven, a), p.spiffe)
	require.Equal(t, http.StatusOK, got.status)
	c := p.spiffe.cert
	assert.Equal(t, map[string]string{
		"subjectDN":    "CN=svc-b,O=Tollgate Test",
		"issuerDN":     "CN=Test Intermediate,O=Tollgate Test",
		"serialNumber": c.SerialNumber.String(),
		"notAfter":     c.NotAfter.UTC().Format(time.RFC3339),
		"fingerprint":  mtls.Fingerprint(c),
		"dnsNames":     "svc-b.test",
		"uris":         "spiffe://example.test/svc-b",
	}, got.id.Attributes)
}

func TestPlainHTTPHasNoCredentials(t *testing.T) {
	a, err := mtls.New()
	require.NoError(t, err)
	srv := httptest.NewServer(auth.NewMiddleware(a)(http.HandlerFunc(echoIdentity)))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

// TestFallsThroughToAPIKey checks the any-of contract: without a client
// certificate another kind of credentials may decide; with a bad one it may not.
func TestFallsThroughToAPIKey(t *testing.T) {
	p := getPKI()
	a, err := mtls.New(mtls.WithRevocationCheck(revokeSerials(nil, p.revoked)))
	require.NoError(t, err)
	key := auth.AuthenticatorFunc(func(_ context.Context, r *http.Request) (*auth.Identity, error) {
		if r.Header.Get("X-Api-Key") == "" {
			return nil, auth.ErrNoCredentials
		}
		return &auth.Identity{ID: "key-user", Method: auth.MethodAPIKey}, nil
	})
	srv := serve(t, tls.VerifyClientCertIfGiven, auth.AnyOf(a, key))
	tests := []struct {
		name       string
		cert       *node
		wantStatus int
		wantID     string
	}{
		{"no certificate: the key decides", nil, 200, "key-user"},
		{"certificate decides", p.client, 200, "CN=svc-a,O=Tollgate Test"},
		{"revoked certificate never falls through", p.revoked, 403, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, done := clientWith(srv, tt.cert)
			defer done()
			req, _ := http.NewRequest("GET", srv.URL, nil)
			req.Header.Set("X-Api-Key", "k")
			resp, err := client.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, tt.wantStatus, resp.StatusCode)
			var id auth.Identity
			_ = json.NewDecoder(resp.Body).Decode(&id)
			assert.Equal(t, tt.wantID, id.ID)
		})
	}
}

func TestRevocationContextErrorPassesThrough(t *testing.T) {
	p := getPKI()
	a, err := mtls.New(mtls.WithRevocationCheck(func(ctx context.Context, _ *x509.Certificate) (bool, error) {
		return false, ctx.Err()
	}))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequest("GET", "/", nil)
	r.TLS = &tls.ConnectionState{
		PeerCertificates: []*x509.Certificate{p.client.cert, p.inter.cert},
		VerifiedChains:   [][]*x509.Certificate{{p.client.cert, p.inter.cert, p.root.cert}},
	}
	_, err = a.Authenticate(ctx, r)
	assert.Same(t, context.Canceled, err)
}

func TestNewErrors(t *testing.T) {
	_, err := mtls.New(mtls.WithMapping(nil))
	assert.Error(t, err)
}

func TestErrorsMatch(t *testing.T) {
	p := getPKI()
	a, err := mtls.New(mtls.WithRevocationCheck(mtls.RevokedBy(p.crl)))
	require.NoError(t, err)
	r := httptest.NewRequest("GET", "/", nil)
	r.TLS = &tls.ConnectionState{
		PeerCertificates: []*x509.Certificate{p.revoked.cert},
		VerifiedChains:   [][]*x509.Certificate{{p.revoked.cert, p.inter.cert, p.root.cert}},
	}
	_, err = a.Authenticate(r.Context(), r)
	assert.ErrorIs(t, err, mtls.ErrRevoked)
	assert.ErrorIs(t, err, auth.ErrInvalidCredentials)
	assert.NotErrorIs(t, err, auth.ErrNoCredentials)
	assert.Equal(t, http.StatusForbidden, auth.HTTPStatus(err))
}

// TestMemoKeepsCheckingTime checks that memoized verification and mapping
// never outlive the certificate: the clock is consulted on every request.
func TestMemoKeepsCheckingTime(t *testing.T) {
	p := getPKI()
	clk := clock.NewFake(time.Now())
	tests := []struct {
		name string
		opts []mtls.Option
	}{
		{"own roots", []mtls.Option{mtls.WithRoots(pool(p.root.cert))}},
		{"verified chains", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk.Set(time.Now())
			a, err := mtls.New(append(tt.opts, mtls.WithClock(clk.Now))...)
			require.NoError(t, err)
			r := httptest.NewRequest("GET", "/", nil)
			r.TLS = &tls.ConnectionState{
				PeerCertificates: []*x509.Certificate{p.shortLived.cert, p.inter.cert},
				VerifiedChains:   [][]*x509.Certificate{{p.shortLived.cert, p.inter.cert, p.root.cert}},
			}
			first, err := a.Authenticate(r.Context(), r)
			require.NoError(t, err)
			again, err := a.Authenticate(r.Context(), r)
			require.NoError(t, err)
			assert.Same(t, first, again, "one identity per parsed certificate")

			clk.Advance(2 * time.Hour)
			_, err = a.Authenticate(r.Context(), r)
			assert.ErrorIs(t, err, mtls.ErrExpired)
		})
	}
}

func TestMemoKeepsRefusing(t *testing.T) {
	p := getPKI()
	a, err := mtls.New(mtls.WithRoots(pool(p.root.cert)))
	require.NoError(t, err)
	r := httptest.NewRequest("GET", "/", nil)
	r.TLS = &tls.ConnectionState{PeerCertificates: []*x509.Certificate{p.rogue.cert}}
	for range 2 {
		_, err = a.Authenticate(r.Context(), r)
		assert.ErrorIs(t, err, mtls.ErrUntrusted)
		assert.Equal(t, http.StatusForbidden, auth.HTTPStatus(err))
	}
}
