package jwt_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/auth/jwt"
)

func TestConfigErrors(t *testing.T) {
	static, err := jwt.NewStaticKeys(jwt.Key{ID: "a", Public: rsaA().priv.Public()})
	require.NoError(t, err)
	ks := newKeyServer(t, rsaA())
	remote, err := jwt.NewJWKS(ks.URL)
	require.NoError(t, err)
	closeJWKS(t, remote)
	ok := jwt.Issuer{Issuer: testIssuer, Audiences: []string{testAudience}, Keys: static}
	with := func(f func(*jwt.Issuer)) []jwt.Issuer { is := ok; f(&is); return []jwt.Issuer{is} }
	tests := []struct {
		name    string
		issuers []jwt.Issuer
		opts    []jwt.Option
	}{
		{"no issuers", nil, nil},
		{"empty issuer", with(func(is *jwt.Issuer) { is.Issuer = "" }), nil},
		{"no audience", with(func(is *jwt.Issuer) { is.Audiences = nil }), nil},
		{"no keys", with(func(is *jwt.Issuer) { is.Keys = nil }), nil},
		{"alg none", with(func(is *jwt.Issuer) { is.Algorithms = []string{"none"} }), nil},
		{"HS256 with a remote key set", with(func(is *jwt.Issuer) { is.Keys = remote; is.Algorithms = []string{"HS256"} }), nil},
		{"issuer twice", []jwt.Issuer{ok, ok}, nil},
		{"negative leeway", []jwt.Issuer{ok}, []jwt.Option{jwt.WithLeeway(-1)}},
		{"empty identity claim", []jwt.Issuer{ok}, []jwt.Option{jwt.WithIdentityClaim("")}},
		{"negative cache", []jwt.Issuer{ok}, []jwt.Option{jwt.WithCacheSize(-1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := jwt.New(tt.issuers, tt.opts...)
			assert.Error(t, err)
		})
	}
}

func TestKeyErrors(t *testing.T) {
	tests := []struct {
		name string
		key  jwt.Key
	}{
		{"short secret", jwt.Key{Secret: []byte("short")}},
		{"public and secret", jwt.Key{Public: rsaA().priv.Public(), Secret: hmacSecret}},
		{"unknown algorithm", jwt.Key{Public: rsaA().priv.Public(), Algorithm: "none"}},
		{"not a key", jwt.Key{Public: "pem"}},
		{"nothing", jwt.Key{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := jwt.NewStaticKeys(tt.key)
			assert.Error(t, err)
		})
	}
	_, err := jwt.NewStaticKeys(jwt.Key{ID: "a", Public: rsaA().priv.Public()}, jwt.Key{ID: "a", Public: ec256().priv.Public()})
	assert.ErrorContains(t, err, "duplicate key ID")
	s, err := jwt.NewStaticKeys(jwt.Key{ID: "priv", Public: rsaA().priv})
	require.NoError(t, err, "a private key is reduced to its public half")
	assert.NotNil(t, s)
}

func TestJWKSURL(t *testing.T) {
	for _, u := range []string{"http://keys.example.com/jwks", "ftp://localhost/x", "::", "https://"} {
		_, err := jwt.NewJWKS(u)
		assert.Error(t, err, u)
	}
	for _, u := range []string{"https://127.0.0.1:1/jwks", "http://localhost:1/jwks", "http://[::1]/jwks"} {
		s, err := jwt.NewJWKS(u, jwt.WithRefreshInterval(1<<62))
		require.NoError(t, err, u)
		require.NoError(t, s.Close(context.Background()))
	}
}

func TestKeyWithoutIDMatchesAnyKid(t *testing.T) {
	clk := fakeClock()
	ks, err := jwt.NewStaticKeys(jwt.Key{Public: ec256().priv.Public()})
	require.NoError(t, err)
	v, err := jwt.New([]jwt.Issuer{{Issuer: testIssuer, Audiences: []string{testAudience}, Keys: ks}}, jwt.WithClock(clk.Now))
	require.NoError(t, err)
	_, err = v.Verify(context.Background(), mint(t, ec256(), claims()))
	assert.NoError(t, err, "a key configured without an ID verifies whatever kid the token names")
	_, err = v.Verify(context.Background(), mint(t, rsaA(), claims()))
	assert.ErrorIs(t, err, jwt.ErrAlgorithm, "but only tokens whose algorithm fits it")
}

func TestCanceledContextPassesThrough(t *testing.T) {
	ks := newKeyServer(t, rsaA())
	clk := fakeClock()
	v, _ := remoteVerifier(t, ks, clk)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := v.Verify(ctx, mint(t, rsaA(), claims()))
	assert.Equal(t, context.Canceled, err)
}
