package jwt_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/auth/jwt"
)

// FuzzAuthenticate feeds arbitrary Authorization headers through token
// extraction, parsing and verification: nothing may panic, nothing but a
// genuine token may pass, and every refusal must be a client-safe one.
func FuzzAuthenticate(f *testing.F) {
	clk := fakeClock()
	v := staticVerifier(f, []string{"RS256", "ES256", "HS256"}, jwt.WithClock(clk.Now))
	good := mint(f, rsaA(), claims())
	for _, seed := range []string{
		"Bearer " + good, "Bearer " + good[:len(good)-3], "bearer a.b.c", "Bearer ..", "Bearer", "Basic x",
		"Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "Bearer e30.e30.e30",
		"Bearer eyJhbGciOiJIUzI1NiIsImNyaXQiOlsiYiJdfQ.e30.AA",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header["Authorization"] = []string{header}
		id, err := v.Authenticate(context.Background(), r)
		if err == nil {
			if header != "Bearer "+good && !strings.EqualFold(header[:7], "bearer ") {
				t.Fatalf("accepted %q", header)
			}
			if id == nil || id.ID == "" {
				t.Fatal("accepted without identity")
			}
			return
		}
		if !errors.Is(err, auth.ErrNoCredentials) && !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("refusal that is neither missing nor invalid: %v", err)
		}
	})
}

// FuzzParseJWKS feeds arbitrary key set documents (what a compromised or
// broken issuer could serve) to the JWK Set parser: errors, never panics.
func FuzzParseJWKS(f *testing.F) {
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","kid":"a"},{"kty":"RSA","kid":"a"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"oct","k":""}]}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		ks, err := jwt.ParseJWKS(doc)
		if err == nil && ks == nil {
			t.Fatal("nil key set without error")
		}
	})
}
