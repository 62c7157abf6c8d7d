package jwt_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/auth0/go-jwt-middleware/v2/validator"
	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/tollgate/tollgate/auth/jwt"
)

// benchClaims are valid for an hour of real time.
func benchClaims() gojwt.MapClaims {
	return claims("iat", time.Now().Unix(), "exp", time.Now().Add(time.Hour).Unix())
}

func benchVerifier(b *testing.B, k jwt.Key, algs []string, opts ...jwt.Option) *jwt.Verifier {
	ks, err := jwt.NewStaticKeys(k)
	if err != nil {
		b.Fatal(err)
	}
	v, err := jwt.New([]jwt.Issuer{{Issuer: testIssuer, Audiences: []string{testAudience}, Keys: ks, Algorithms: algs}}, opts...)
	if err != nil {
		b.Fatal(err)
	}
	return v
}

// benchCase is a token and the key that verifies it.
type benchCase struct {
	alg   string
	token string
	key   jwt.Key
	raw   any // the key as golang-jwt and auth0 take it
}

func benchCases(b *testing.B) []benchCase {
	var out []benchCase
	for _, s := range []signer{rsaA(), ec256()} {
		out = append(out, benchCase{s.alg, mint(b, s, benchClaims()), jwt.Key{ID: s.kid, Public: s.priv.Public()}, s.priv.Public()})
	}
	// HS256's signature costs next to nothing, so it shows each library's
	// own overhead: parsing, key selection, claim checks.
	tok := gojwt.NewWithClaims(gojwt.SigningMethodHS256, benchClaims())
	tok.Header["kid"] = "hs"
	hs, err := tok.SignedString(hmacSecret)
	if err != nil {
		b.Fatal(err)
	}
	return append(out, benchCase{"HS256", hs, jwt.Key{ID: "hs", Secret: hmacSecret}, hmacSecret})
}

// BenchmarkVerifyFirstSeen verifies a token the cache has not seen (the
// cache is off), against golang-jwt/jwt/v5 and auth0/go-jwt-middleware/v2
// doing the same checks: signature, algorithm, iss, aud, exp.
func BenchmarkVerifyFirstSeen(b *testing.B) {
	for _, bc := range benchCases(b) {
		b.Run(bc.alg+"/tollgate", func(b *testing.B) {
			v := benchVerifier(b, bc.key, []string{bc.alg}, jwt.WithCacheSize(0))
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(ctx, bc.token); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(bc.alg+"/golang-jwt", func(b *testing.B) {
			p := gojwt.NewParser(gojwt.WithValidMethods([]string{bc.alg}), gojwt.WithIssuer(testIssuer),
				gojwt.WithAudience(testAudience), gojwt.WithExpirationRequired(), gojwt.WithLeeway(30*time.Second))
			keyFunc := func(*gojwt.Token) (any, error) { return bc.raw, nil }
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Parse(bc.token, keyFunc); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(bc.alg+"/auth0", func(b *testing.B) {
			keyFunc := func(context.Context) (any, error) { return bc.raw, nil }
			val, err := validator.New(keyFunc, validator.SignatureAlgorithm(bc.alg), testIssuer, []string{testAudience},
				validator.WithAllowedClockSkew(30*time.Second))
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := val.ValidateToken(ctx, bc.token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerifyCached is a client's repeated token: the verified-token
// cache answers without a signature check. The baseline is the same
// request with the cache off.
func BenchmarkVerifyCached(b *testing.B) {
	s := rsaA()
	tok := mint(b, s, benchClaims())
	for _, tc := range []struct {
		name string
		opts []jwt.Option
	}{{"cached", nil}, {"uncached", []jwt.Option{jwt.WithCacheSize(0)}}} {
		b.Run("RS256/"+tc.name, func(b *testing.B) {
			v := benchVerifier(b, jwt.Key{ID: s.kid, Public: s.priv.Public()}, nil, tc.opts...)
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("Authorization", "Bearer "+tok)
			ctx := r.Context()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Authenticate(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerifyCachedParallel(b *testing.B) {
	s := ec256()
	tok := mint(b, s, benchClaims())
	v := benchVerifier(b, jwt.Key{ID: s.kid, Public: s.priv.Public()}, nil)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := v.Verify(ctx, tok); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
