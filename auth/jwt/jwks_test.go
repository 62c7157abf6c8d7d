package jwt_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/auth/jwt"
	"github.com/tollgate/tollgate/internal/clock"
)

// remoteVerifier trusts testIssuer with the keys served by ks.
func remoteVerifier(t *testing.T, ks *keyServer, clk *clock.Fake, opts ...jwt.Option) (*jwt.Verifier, *jwt.JWKS) {
	t.Helper()
	set, err := jwt.NewJWKS(ks.URL, jwt.WithClock(clk.Now), jwt.WithRefreshInterval(time.Hour))
	require.NoError(t, err)
	closeJWKS(t, set)
	v, err := jwt.New([]jwt.Issuer{{Issuer: testIssuer, Audiences: []string{testAudience}, Keys: set}},
		append([]jwt.Option{jwt.WithClock(clk.Now)}, opts...)...)
	require.NoError(t, err)
	return v, set
}

func TestJWKSRotation(t *testing.T) {
	ctx := context.Background()
	ks := newKeyServer(t, rsaA())
	clk := fakeClock()
	v, set := remoteVerifier(t, ks, clk)
	require.NoError(t, set.Refresh(ctx))

	tokA := mint(t, rsaA(), claims())
	_, err := v.Verify(ctx, tokA)
	require.NoError(t, err)

	// The issuer rotates: A is withdrawn, B published. A token signed by
	// B names a kid we lack, which fetches the set at once (the last fetch
	// was long enough ago).
	ks.rotate(t, rsaB())
	clk.Advance(2 * time.Minute)
	before := ks.fetches.Load()
	_, err = v.Verify(ctx, mint(t, rsaB(), claims()))
	require.NoError(t, err)
	assert.Equal(t, before+1, ks.fetches.Load())

	// A's token was cached, but its key is gone: it no longer verifies.
	_, err = v.Verify(ctx, tokA)
	assertInvalid(t, err, jwt.ErrUnknownKey, tokA)
}

func TestJWKSKeepsUnchangedKeysAcrossRefresh(t *testing.T) {
	ctx := context.Background()
	ks := newKeyServer(t, rsaA(), ec256())
	clk := fakeClock()
	v, set := remoteVerifier(t, ks, clk)
	tok := mint(t, rsaA(), claims())
	id1, err := v.Verify(ctx, tok)
	require.NoError(t, err)
	ks.rotate(t, rsaA()) // ec256 withdrawn, rsa-a kept
	require.NoError(t, set.Refresh(ctx))
	id2, err := v.Verify(ctx, tok)
	require.NoError(t, err)
	assert.Same(t, id1, id2, "a key that stays in the set keeps its cached tokens")
}

func TestJWKSUnknownKidIsRateLimited(t *testing.T) {
	ctx := context.Background()
	ks := newKeyServer(t, rsaA())
	clk := fakeClock()
	v, _ := remoteVerifier(t, ks, clk)
	_, err := v.Verify(ctx, mint(t, rsaA(), claims()))
	require.NoError(t, err)
	base := ks.fetches.Load()
	require.EqualValues(t, 1, base, "the first request and the background loop share one fetch")

	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			s := rsaA()
			s.kid = fmt.Sprintf("random-%d", i)
			_, err := v.Verify(ctx, mint(t, s, claims()))
			assert.ErrorIs(t, err, jwt.ErrUnknownKey)
		})
	}
	wg.Wait()
	assert.Equal(t, base, ks.fetches.Load(), "within the minimum interval no kid may trigger a fetch")

	clk.Advance(time.Minute)
	for i := range 20 {
		s := rsaA()
		s.kid = fmt.Sprintf("again-%d", i)
		_, err := v.Verify(ctx, mint(t, s, claims()))
		assert.ErrorIs(t, err, jwt.ErrUnknownKey)
	}
	assert.Equal(t, base+1, ks.fetches.Load(), "one fetch per interval, however many kids")
}

func TestJWKSUnavailable(t *testing.T) {
	ks := newKeyServer(t, rsaA())
	ks.fail.Store(true)
	clk := fakeClock()
	v, _ := remoteVerifier(t, ks, clk)
	_, err := v.Verify(context.Background(), mint(t, rsaA(), claims()))
	require.Error(t, err)
	assert.NotErrorIs(t, err, auth.ErrInvalidCredentials, "an unreachable issuer is no verdict on the token")
	assert.Equal(t, http.StatusServiceUnavailable, auth.HTTPStatus(err))

	// Once the issuer is back and the retry interval has passed, tokens verify.
	ks.fail.Store(false)
	clk.Advance(time.Minute)
	_, err = v.Verify(context.Background(), mint(t, rsaA(), claims()))
	require.NoError(t, err)
}

func TestJWKSBackgroundRefresh(t *testing.T) {
	ks := newKeyServer(t, rsaA())
	set, err := jwt.NewJWKS(ks.URL, jwt.WithRefreshInterval(time.Millisecond))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return ks.fetches.Load() >= 3 }, 5*time.Second, time.Millisecond)
	require.NoError(t, set.Close(context.Background()))
	n := ks.fetches.Load()
	require.NoError(t, set.Close(context.Background()), "Close is idempotent")
	assert.Equal(t, n, ks.fetches.Load(), "no fetch after Close")
}

func TestJWKSIgnoresUnusableKeys(t *testing.T) {
	doc := `{"keys":[
		{"kty":"oct","kid":"sym","k":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"},
		{"kty":"EC","kid":"enc","use":"enc","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}`
	ks, err := jwt.ParseJWKS([]byte(doc))
	require.NoError(t, err)
	v, err := jwt.New([]jwt.Issuer{{Issuer: testIssuer, Audiences: []string{testAudience}, Keys: ks}})
	require.NoError(t, err)
	_, err = v.Verify(context.Background(), mint(t, signer{"sym", "RS256", rsaA().priv}, claims("exp", time.Now().Add(time.Hour).Unix(), "iat", nil)))
	assert.ErrorIs(t, err, jwt.ErrUnknownKey, "a symmetric key from a JWK set is never used")
}

func TestDiscover(t *testing.T) {
	ks := newKeyServer(t, ec256())
	var issuer string
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": issuer, "jwks_uri": ks.URL})
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ctx := context.Background()

	issuer = srv.URL
	set, err := jwt.Discover(ctx, srv.URL)
	require.NoError(t, err)
	closeJWKS(t, set)
	clk := fakeClock()
	v, err := jwt.New([]jwt.Issuer{{Issuer: srv.URL, Audiences: []string{testAudience}, Keys: set}}, jwt.WithClock(clk.Now))
	require.NoError(t, err)
	id, err := v.Verify(ctx, mint(t, ec256(), claims("iss", srv.URL)))
	require.NoError(t, err)
	assert.Equal(t, srv.URL, id.Attributes["iss"])

	issuer = "https://impostor.example"
	_, err = jwt.Discover(ctx, srv.URL)
	assert.ErrorContains(t, err, "names issuer")

	_, err = jwt.Discover(ctx, "http://issuer.example")
	assert.ErrorContains(t, err, "https", "keys are never fetched in the clear from a remote host")
}

// TestJWKSCancelledRequestDoesNotWasteRefresh: a client that gives up
// while its unknown kid is being fetched must not leave the key set stale
// for the rest of the refresh interval.
func TestJWKSCancelledRequestDoesNotWasteRefresh(t *testing.T) {
	ks := newKeyServer(t, rsaA())
	clk := fakeClock()
	v, set := remoteVerifier(t, ks, clk)
	require.NoError(t, set.Refresh(context.Background()))
	ks.rotate(t, rsaA(), rsaB())
	clk.Advance(time.Minute)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tokB := mint(t, rsaB(), claims())
	_, err := v.Verify(ctx, tokB)
	assert.ErrorIs(t, err, context.Canceled)

	_, err = v.Verify(context.Background(), tokB)
	assert.NoError(t, err, "the fetch prompted by the cancelled request completed, or never started")
}
