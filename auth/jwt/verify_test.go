package jwt_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/auth/jwt"
)

var hmacSecret = []byte("0123456789abcdef0123456789abcdef")

// staticVerifier trusts testIssuer with every test key and the HMAC secret.
func staticVerifier(t testing.TB, algs []string, opts ...jwt.Option) *jwt.Verifier {
	t.Helper()
	keys := []jwt.Key{{ID: "hs", Secret: hmacSecret}}
	for _, s := range []signer{rsaA(), ec256(), ec384(), ed()} {
		keys = append(keys, jwt.Key{ID: s.kid, Public: s.priv.Public()})
	}
	ks, err := jwt.NewStaticKeys(keys...)
	require.NoError(t, err)
	v, err := jwt.New([]jwt.Issuer{{Issuer: testIssuer, Audiences: []string{testAudience, "other"}, Keys: ks, Algorithms: algs}}, opts...)
	require.NoError(t, err)
	return v
}

// forge builds a token from raw header and claims JSON with a given signature.
func forge(header, payload string, sig []byte) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(sig)
}

func rsaPublicPEM(t *testing.T) []byte {
	der, err := x509.MarshalPKIXPublicKey(rsaA().priv.Public())
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// verifyCase is a token and the verdict a verifier trusting testIssuer
// with every test key should reach on it.
type verifyCase struct {
	name   string
	token  func(t *testing.T) string
	algs   []string
	opts   []jwt.Option
	reason error // nil: accepted
}

var (
	hs      = signer{"hs", "HS256", nil}
	withKid = func(s signer, kid string) signer { s.kid = kid; return s }
)

func TestVerifyAccepts(t *testing.T) {
	runVerifyCases(t, []verifyCase{
		{"RS256", func(t *testing.T) string { return mint(t, rsaA(), claims()) }, nil, nil, nil},
		{"PS256", func(t *testing.T) string { s := rsaA(); s.alg = "PS256"; return mint(t, s, claims()) }, nil, nil, nil},
		{"ES256", func(t *testing.T) string { return mint(t, ec256(), claims()) }, nil, nil, nil},
		{"ES384", func(t *testing.T) string { return mint(t, ec384(), claims()) }, nil, nil, nil},
		{"EdDSA", func(t *testing.T) string { return mint(t, ed(), claims()) }, nil, nil, nil},
		{"HS256 when allowed", func(t *testing.T) string { return hmacToken(t, hs, hmacSecret, claims()) }, []string{"HS256"}, nil, nil},
		{"no kid tries every key", func(t *testing.T) string { return mint(t, withKid(ec256(), ""), claims()) }, nil, nil, nil},
		{"aud array containing ours", func(t *testing.T) string { return mint(t, rsaA(), claims("aud", []string{"x", "other"})) }, nil, nil, nil},
		{"expired within leeway", func(t *testing.T) string { return mint(t, rsaA(), claims("exp", epoch.Add(-10*time.Second).Unix())) }, nil, nil, nil},
		{"typ accepted", func(t *testing.T) string { return atJWT(t, "application/AT+JWT") }, nil, []jwt.Option{jwt.WithTokenTypes("at+jwt")}, nil},
		{"nbf within leeway", func(t *testing.T) string { return mint(t, rsaA(), claims("nbf", epoch.Add(10*time.Second).Unix())) }, nil, nil, nil},
	})
}

func TestVerifyRefuses(t *testing.T) {
	runVerifyCases(t, []verifyCase{
		{"expired", func(t *testing.T) string { return mint(t, rsaA(), claims("exp", epoch.Add(-time.Minute).Unix())) }, nil, nil, jwt.ErrExpired},
		{"expired, no leeway", func(t *testing.T) string { return mint(t, rsaA(), claims("exp", epoch.Add(-time.Second).Unix())) }, nil, []jwt.Option{jwt.WithLeeway(0)}, jwt.ErrExpired},
		{"no exp", func(t *testing.T) string { return mint(t, rsaA(), claims("exp", nil)) }, nil, nil, jwt.ErrMissingClaim},
		{"exp not a number", func(t *testing.T) string { return mint(t, rsaA(), claims("exp", "tomorrow")) }, nil, nil, jwt.ErrMalformed},
		{"nbf in future", func(t *testing.T) string { return mint(t, rsaA(), claims("nbf", epoch.Add(time.Minute).Unix())) }, nil, nil, jwt.ErrNotYetValid},
		{"iat in future", func(t *testing.T) string { return mint(t, rsaA(), claims("iat", epoch.Add(time.Minute).Unix())) }, nil, nil, jwt.ErrNotYetValid},
		{"too old", func(t *testing.T) string { return mint(t, rsaA(), claims("iat", epoch.Add(-2*time.Hour).Unix())) }, nil, []jwt.Option{jwt.WithMaxAge(time.Hour)}, jwt.ErrTooOld},
		{"max age without iat", func(t *testing.T) string { return mint(t, rsaA(), claims("iat", nil)) }, nil, []jwt.Option{jwt.WithMaxAge(time.Hour)}, jwt.ErrMissingClaim},
		{"wrong issuer", func(t *testing.T) string { return mint(t, rsaA(), claims("iss", "https://evil.example")) }, nil, nil, jwt.ErrIssuer},
		{"issuer differs in case", func(t *testing.T) string { return mint(t, rsaA(), claims("iss", strings.ToUpper(testIssuer))) }, nil, nil, jwt.ErrIssuer},
		{"wrong audience", func(t *testing.T) string { return mint(t, rsaA(), claims("aud", "api://billing")) }, nil, nil, jwt.ErrAudience},
		{"no audience", func(t *testing.T) string { return mint(t, rsaA(), claims("aud", nil)) }, nil, nil, jwt.ErrAudience},
		{"missing required claim", func(t *testing.T) string { return mint(t, rsaA(), claims()) }, nil, []jwt.Option{jwt.WithRequiredClaims("tenant")}, jwt.ErrMissingClaim},
		{"no subject", func(t *testing.T) string { return mint(t, rsaA(), claims("sub", nil)) }, nil, nil, jwt.ErrMissingClaim},
		{"alg none", func(t *testing.T) string {
			return forge(`{"alg":"none","typ":"JWT"}`, string(mustJSON(t, claims())), nil) + "x"
		}, nil, nil, jwt.ErrAlgorithm},
		{"HS256 not allowed", func(t *testing.T) string { return hmacToken(t, hs, hmacSecret, claims()) }, nil, nil, jwt.ErrAlgorithm},
		{"HS/RS confusion", func(t *testing.T) string {
			return hmacToken(t, withKid(hs, "rsa-a"), rsaPublicPEM(t), claims())
		}, []string{"RS256", "HS256"}, nil, jwt.ErrAlgorithm},
		{"ES256 header on a P-384 key", func(t *testing.T) string {
			s := ec256()
			s.kid = "ec-384"
			return mint(t, s, claims())
		}, nil, nil, jwt.ErrAlgorithm},
		{"algorithm off the allow-list", func(t *testing.T) string { return mint(t, ec256(), claims()) }, []string{"RS256"}, nil, jwt.ErrAlgorithm},
		{"unknown kid", func(t *testing.T) string { return mint(t, withKid(rsaA(), "nope"), claims()) }, nil, nil, jwt.ErrUnknownKey},
		{"signed by another key", func(t *testing.T) string { return mint(t, withKid(rsaB(), "rsa-a"), claims()) }, nil, nil, jwt.ErrSignature},
		{"tampered payload", func(t *testing.T) string {
			p := strings.Split(mint(t, rsaA(), claims()), ".")
			p[1] = base64.RawURLEncoding.EncodeToString(mustJSON(t, claims("sub", "admin")))
			return strings.Join(p, ".")
		}, nil, nil, jwt.ErrSignature},
		{"typ not accepted", func(t *testing.T) string { return mint(t, rsaA(), claims()) }, nil, []jwt.Option{jwt.WithTokenTypes("at+jwt")}, jwt.ErrType},
		{"two parts", func(t *testing.T) string { return "a.b" }, nil, nil, jwt.ErrMalformed},
		{"four parts", func(t *testing.T) string { return mint(t, rsaA(), claims()) + ".x" }, nil, nil, jwt.ErrMalformed},
		{"padded base64", func(t *testing.T) string {
			p := strings.Split(mint(t, rsaA(), claims()), ".")
			return p[0] + "=." + p[1] + "." + p[2]
		}, nil, nil, jwt.ErrMalformed},
		{"payload not JSON", func(t *testing.T) string { return forge(`{"alg":"RS256"}`, "[1,2]", []byte("s")) }, nil, nil, jwt.ErrMalformed},
		{"critical header", func(t *testing.T) string {
			return forge(`{"alg":"RS256","crit":["exp"],"exp":1}`, string(mustJSON(t, claims())), []byte("s"))
		}, nil, nil, jwt.ErrMalformed},
		{"too long", func(t *testing.T) string { return strings.Repeat("a", 9000) }, nil, nil, jwt.ErrMalformed},
	})
}

func runVerifyCases(t *testing.T, tests []verifyCase) {
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := fakeClock()
			v := staticVerifier(t, tt.algs, append([]jwt.Option{jwt.WithClock(clk.Now)}, tt.opts...)...)
			tok := tt.token(t)
			id, err := v.Verify(context.Background(), tok)
			if tt.reason == nil {
				require.NoError(t, err)
				assert.Equal(t, "user-42", id.ID)
				assert.Equal(t, auth.MethodJWT, id.Method)
				return
			}
			assertInvalid(t, err, tt.reason, tok)
		})
	}
}

// assertInvalid checks err is an RFC 6750 invalid_token refusal for reason
// that leaks nothing of tok.
func assertInvalid(t *testing.T, err, reason error, tok string) {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, reason)
	assert.ErrorIs(t, err, auth.ErrInvalidCredentials)
	assert.Equal(t, 401, auth.HTTPStatus(err))
	e, ok := errors.AsType[*auth.Error](err)
	require.True(t, ok)
	assert.Equal(t, "invalid_token", e.Code)
	assert.True(t, strings.HasPrefix(e.Challenge, `Bearer error="invalid_token", error_description="`), e.Challenge)
	for _, part := range strings.Split(tok, ".") {
		if len(part) > 8 {
			assert.NotContains(t, e.Description+e.Challenge, part)
		}
	}
}

func hmacToken(t *testing.T, s signer, secret []byte, c gojwt.MapClaims) string {
	tok := gojwt.NewWithClaims(gojwt.SigningMethodHS256, c)
	tok.Header["kid"] = s.kid
	out, err := tok.SignedString(secret)
	require.NoError(t, err)
	return out
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := jsonMarshal(v)
	require.NoError(t, err)
	return b
}

// atJWT mints an RS256 token with the given typ header.
func atJWT(t *testing.T, typ string) string {
	tok := gojwt.NewWithClaims(gojwt.SigningMethodRS256, claims())
	tok.Header["kid"] = "rsa-a"
	tok.Header["typ"] = typ
	out, err := tok.SignedString(rsaA().priv)
	require.NoError(t, err)
	return out
}
