package jwt_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/auth/jwt"
)

// TestSeveralIssuers: tenants never vouch for each other. Each issuer's
// tokens verify only with its own keys, for its own audiences, under its
// own algorithms.
func TestSeveralIssuers(t *testing.T) {
	clk := fakeClock()
	const tenantB = "https://b.example"
	keysA, err := jwt.NewStaticKeys(jwt.Key{ID: "rsa-a", Public: rsaA().priv.Public(), Algorithm: "RS256"})
	require.NoError(t, err)
	remoteB := newKeyServer(t, ec256())
	keysB, err := jwt.NewJWKS(remoteB.URL, jwt.WithClock(clk.Now))
	require.NoError(t, err)
	closeJWKS(t, keysB)
	v, err := jwt.New([]jwt.Issuer{
		{Issuer: testIssuer, Audiences: []string{testAudience}, Keys: keysA},
		{Issuer: tenantB, Audiences: []string{"api://b"}, Keys: keysB, Algorithms: []string{"ES256"}},
	}, jwt.WithClock(clk.Now))
	require.NoError(t, err)

	tests := []struct {
		name   string
		token  string
		reason error
	}{
		{"A's token", mint(t, rsaA(), claims()), nil},
		{"B's token", mint(t, ec256(), claims("iss", tenantB, "aud", "api://b")), nil},
		{"B's token for A's audience", mint(t, ec256(), claims("iss", tenantB)), jwt.ErrAudience},
		{"claims B, signed with A's key", mint(t, rsaA(), claims("iss", tenantB, "aud", "api://b")), jwt.ErrAlgorithm},
		{"claims A, signed with B's key", mint(t, signer{"rsa-a", "ES256", ec256().priv}, claims()), jwt.ErrAlgorithm},
		{"PS256 with A's RS256-only key", mint(t, signer{"rsa-a", "PS256", rsaA().priv}, claims()), jwt.ErrAlgorithm},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), tt.token)
			if tt.reason == nil {
				assert.NoError(t, err)
				return
			}
			assertInvalid(t, err, tt.reason, tt.token)
		})
	}
}
