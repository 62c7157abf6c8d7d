package jwt_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/internal/clock"
)

const (
	testIssuer   = "https://issuer.example"
	testAudience = "api://orders"
)

// epoch is the fake clock's start; tokens are minted relative to it.
var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// signer is a named private key and the algorithm it signs with.
type signer struct {
	kid  string
	alg  string
	priv crypto.Signer
}

var (
	rsaOnce = sync.OnceValues(func() (*rsa.PrivateKey, *rsa.PrivateKey) {
		a, _ := rsa.GenerateKey(rand.Reader, 2048)
		b, _ := rsa.GenerateKey(rand.Reader, 2048)
		return a, b
	})
	ecOnce = sync.OnceValues(func() (*ecdsa.PrivateKey, *ecdsa.PrivateKey) {
		a, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		b, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		return a, b
	})
	edKey = ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
)

func rsaA() signer { a, _ := rsaOnce(); return signer{"rsa-a", "RS256", a} }
func rsaB() signer { _, b := rsaOnce(); return signer{"rsa-b", "RS256", b} }
func ec256() signer {
	a, _ := ecOnce()
	return signer{"ec-256", "ES256", a}
}
func ec384() signer {
	_, b := ecOnce()
	return signer{"ec-384", "ES384", b}
}
func ed() signer { return signer{"ed", "EdDSA", edKey} }

// claims returns a valid claim set for the fake clock's epoch.
func claims(extra ...any) gojwt.MapClaims {
	c := gojwt.MapClaims{
		"iss": testIssuer, "sub": "user-42", "aud": testAudience,
		"iat": epoch.Unix(), "exp": epoch.Add(time.Hour).Unix(), "scope": "orders:read profile",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == nil {
			delete(c, extra[i].(string))
			continue
		}
		c[extra[i].(string)] = extra[i+1]
	}
	return c
}

// mint signs c with s using golang-jwt, an independent implementation.
func mint(t testing.TB, s signer, c gojwt.Claims) string {
	t.Helper()
	tok := gojwt.NewWithClaims(gojwt.GetSigningMethod(s.alg), c)
	if s.kid != "" {
		tok.Header["kid"] = s.kid
	}
	out, err := tok.SignedString(s.priv)
	require.NoError(t, err)
	return out
}

// jwksJSON renders the public halves of signers as a JWK Set.
func jwksJSON(t testing.TB, signers ...signer) []byte {
	t.Helper()
	set := jwk.NewSet()
	for _, s := range signers {
		k, err := jwk.Import(s.priv.Public())
		require.NoError(t, err)
		require.NoError(t, k.Set(jwk.KeyIDKey, s.kid))
		require.NoError(t, k.Set(jwk.KeyUsageKey, "sig"))
		require.NoError(t, set.AddKey(k))
	}
	b, err := json.Marshal(set)
	require.NoError(t, err)
	return b
}

// keyServer is an issuer's JWKS endpoint whose keys a test can rotate.
type keyServer struct {
	*httptest.Server
	doc     atomic.Pointer[[]byte]
	fetches atomic.Int64
	fail    atomic.Bool
}

func newKeyServer(t testing.TB, signers ...signer) *keyServer {
	t.Helper()
	ks := &keyServer{}
	ks.rotate(t, signers...)
	ks.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ks.fetches.Add(1)
		if ks.fail.Load() {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(*ks.doc.Load())
	}))
	t.Cleanup(ks.Close)
	return ks
}

func (ks *keyServer) rotate(t testing.TB, signers ...signer) {
	b := jwksJSON(t, signers...)
	ks.doc.Store(&b)
}

// closeJWKS closes s when the test ends.
func closeJWKS(t testing.TB, s interface{ Close(context.Context) error }) {
	t.Cleanup(func() { require.NoError(t, s.Close(context.Background())) })
}

func fakeClock() *clock.Fake { return clock.NewFake(epoch) }

var jsonMarshal = json.Marshal
