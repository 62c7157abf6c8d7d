package sigv4_test

import (
	"context"
	"net/http"
	"testing"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// BenchmarkVerify compares verifying a signed GET (signing key cached)
// with the baseline: the AWS SDK for Go's signer signing the same request.
func BenchmarkVerify(b *testing.B) {
	newReq := func() *http.Request {
		req, _ := http.NewRequest("GET", "https://api.example.com/prod/pets/42?limit=10&sort=name", nil)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("X-Request-Id", "9f1c2e")
		return req
	}
	signer := v4.NewSigner()
	sign := func(req *http.Request) {
		if err := signer.SignHTTP(context.Background(), testCreds, req, payloadHash(""), "execute-api", testRegion, epoch); err != nil {
			b.Fatal(err)
		}
	}

	b.Run("baseline=sdk-sign", func(b *testing.B) {
		req := newReq()
		b.ReportAllocs()
		for b.Loop() {
			sign(req)
		}
	})

	b.Run("verify", func(b *testing.B) {
		v := newVerifier(b)
		req := newReq()
		sign(req)
		ctx := context.Background()
		if _, err := v.Authenticate(ctx, req); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Authenticate(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
}
