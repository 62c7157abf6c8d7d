package jwt_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/auth/jwt"
)

// exampleToken signs claims with an Ed25519 key, as an issuer would.
func exampleToken(priv ed25519.PrivateKey, c gojwt.MapClaims) string {
	tok := gojwt.NewWithClaims(gojwt.SigningMethodEdDSA, c)
	tok.Header["kid"] = "2026-03"
	s, _ := tok.SignedString(priv)
	return s
}

func Example() {
	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)) // the issuer's key
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

	keys, _ := jwt.NewStaticKeys(jwt.Key{ID: "2026-03", Public: priv.Public()})
	v, err := jwt.New([]jwt.Issuer{{
		Issuer:    "https://login.example.com/",
		Audiences: []string{"api://orders"},
		Keys:      keys,
	}}, jwt.WithPlanClaim("plan"), jwt.WithClock(func() time.Time { return now }))
	if err != nil {
		panic(err)
	}
	api := http.NewServeMux()
	api.Handle("GET /orders", jwt.RequireScopes("orders:read")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := auth.FromContext(r.Context())
		fmt.Fprintf(w, "orders of %s on plan %s", id.ID, id.Plan)
	})))
	h := auth.Middleware(v)(api)

	for _, scope := range []string{"orders:read", "profile"} {
		tok := exampleToken(priv, gojwt.MapClaims{
			"iss": "https://login.example.com/", "aud": "api://orders", "sub": "alice",
			"plan": "gold", "scope": scope, "exp": now.Add(time.Hour).Unix(),
		})
		req := httptest.NewRequest("GET", "/orders", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"), rec.Body.String())
	}
	// Output:
	// 200  orders of alice on plan gold
	// 403 Bearer error="insufficient_scope", error_description="the token lacks the scope this resource requires", scope="orders:read" {"code":"insufficient_scope","detail":"the token lacks the scope this resource requires","status":403,"title":"Forbidden","type":"about:blank"}
}

func ExampleVerifier_Verify() {
	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	keys, _ := jwt.NewStaticKeys(jwt.Key{ID: "2026-03", Public: priv.Public()})
	v, _ := jwt.New([]jwt.Issuer{{Issuer: "https://login.example.com/", Audiences: []string{"api://orders"}, Keys: keys}},
		jwt.WithClock(func() time.Time { return now }))

	expired := exampleToken(priv, gojwt.MapClaims{
		"iss": "https://login.example.com/", "aud": "api://orders", "sub": "alice", "exp": now.Add(-time.Hour).Unix(),
	})
	_, err := v.Verify(context.Background(), expired)
	fmt.Println(err)
	// Output:
	// auth: invalid_token: jwt: token expired: auth: invalid credentials
}

func ExampleNewJWKS() {
	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	// The issuer's JWKS endpoint, here served locally.
	jwksDoc := `{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"2026-03","use":"sig","x":"O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik"}]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, jwksDoc)
	}))
	defer srv.Close()

	ctx := context.Background()
	keys, err := jwt.NewJWKS(srv.URL + "/.well-known/jwks.json")
	if err != nil {
		panic(err)
	}
	defer keys.Close(ctx)
	if err := keys.Refresh(ctx); err != nil { // fail fast at start-up
		panic(err)
	}
	v, _ := jwt.New([]jwt.Issuer{{Issuer: "https://login.example.com/", Audiences: []string{"api://orders"}, Keys: keys}},
		jwt.WithClock(func() time.Time { return now }))

	tok := exampleToken(priv, gojwt.MapClaims{
		"iss": "https://login.example.com/", "aud": "api://orders", "sub": "alice",
		"scp": []string{"orders:read"}, "exp": now.Add(time.Hour).Unix(),
	})
	id, err := v.Verify(ctx, tok)
	fmt.Println(id.ID, id.Scopes, err)
	// Output:
	// alice [orders:read] <nil>
}

func ExampleDiscover() {
	ctx := context.Background()
	keys, err := jwt.Discover(ctx, "https://login.example.com/")
	if err != nil {
		fmt.Println("discovery failed") // the example has no network
		return
	}
	defer keys.Close(ctx)
	v, _ := jwt.New([]jwt.Issuer{{Issuer: "https://login.example.com/", Audiences: []string{"api://orders"}, Keys: keys}})
	_ = auth.Middleware(v)
}
