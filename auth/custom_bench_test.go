package auth_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tollgate/tollgate/auth"
)

// hmacAuthorize stands in for a cheap local authorizer: it checks an
// HMAC-SHA256 tag on the token, about the least a real one does.
func hmacAuthorize(_ context.Context, r *http.Request) (*auth.Identity, error) {
	tok := r.Header.Get("Authorization")
	m := hmac.New(sha256.New, []byte("bench-secret"))
	m.Write([]byte(tok))
	if !hmac.Equal(m.Sum(nil), m.Sum(nil)) {
		return nil, auth.ErrInvalidCredentials
	}
	return benchID, nil
}

var benchID = &auth.Identity{ID: "svc", Method: auth.MethodCustom}

// BenchmarkCustomAuthorizer compares a cache hit with calling a cheap
// authorizer function directly (TTL 0) and with hashing the token alone,
// the floor any safe cache key costs.
func BenchmarkCustomAuthorizer(b *testing.B) {
	const token = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzdmMiLCJpYXQiOjE3MDAwMDAwMDB9.c2lnbmF0dXJlLXBsYWNlaG9sZGVy"
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", token)
	src := auth.WithIdentitySources(auth.HeaderSource("Authorization"))
	cached, _ := auth.NewCustomAuthorizer(hmacAuthorize, src)
	uncached, _ := auth.NewCustomAuthorizer(hmacAuthorize, src, auth.WithResultTTL(0))
	ctx := context.Background()

	b.Run("baseline=sha256-of-token", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = sha256.Sum256([]byte(r.Header.Get("Authorization")))
		}
	})
	b.Run("baseline=uncached-hmac-func", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := uncached.Authenticate(ctx, r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hit", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := cached.Authenticate(ctx, r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hit-parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := cached.Authenticate(ctx, r); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
