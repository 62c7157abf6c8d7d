package sigv4_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/sigv4"
)

func ExampleVerifier_Middleware() {
	store := sigv4.NewMemoryStore()
	_ = store.Put(context.Background(), sigv4.Credential{
		AccessKeyID: "AKIDEXAMPLE",
		Secret:      "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
		Identity:    &auth.Identity{ID: "billing-service", Method: auth.MethodSigV4, Plan: "internal"},
	})
	signedAt := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	v, err := sigv4.New(store,
		sigv4.WithServices("execute-api"),
		sigv4.WithClock(func() time.Time { return signedAt.Add(time.Minute) }), // omit outside examples
	)
	if err != nil {
		panic(err)
	}
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := auth.FromContext(r.Context())
		fmt.Println("hello", id.ID, "on plan", id.Plan)
	}))

	// A client signs with any AWS SDK; here, the SDK for Go's signer.
	req := httptest.NewRequest("GET", "https://api.example.com/prod/invoices?year=2026", nil)
	creds := aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	emptyHash := "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	_ = v4.NewSigner().SignHTTP(context.Background(), creds, req, emptyHash, "execute-api", "eu-west-1", signedAt)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code)

	req.URL.RawQuery = "year=2025" // not what was signed
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// hello billing-service on plan internal
	// 200
	// 403 {"code":"SignatureDoesNotMatch","detail":"The request signature we calculated does not match the signature you provided.","status":403,"title":"Forbidden","type":"about:blank"}
}

func ExampleMemoryStore_rotation() {
	ctx := context.Background()
	store := sigv4.NewMemoryStore()
	_ = store.Put(ctx, sigv4.Credential{AccessKeyID: "AKIDEXAMPLE", Secret: "old-secret"})
	before, _ := store.Lookup(ctx, "AKIDEXAMPLE")

	// Rotating the secret gives it a new version, so no signing key
	// derived from the old secret is used again.
	_ = store.Put(ctx, sigv4.Credential{AccessKeyID: "AKIDEXAMPLE", Secret: "new-secret"})
	after, _ := store.Lookup(ctx, "AKIDEXAMPLE")
	fmt.Println(before.Credential.SecretVersion != after.Credential.SecretVersion)

	_ = store.Delete(ctx, "AKIDEXAMPLE")
	gone, _ := store.Lookup(ctx, "AKIDEXAMPLE")
	fmt.Println(gone.Found)
	// Output:
	// true
	// false
}

func ExampleDeriveECDSAKey() {
	key, err := sigv4.DeriveECDSAKey("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
	if err != nil {
		panic(err)
	}
	pub, _ := key.PublicKey.Bytes()
	fmt.Printf("X=%x\nY=%x\n", pub[1:33], pub[33:])
	// Output:
	// X=b6618f6a65740a99e650b33b6b4b5bd0d43b176d721a3edfea7e7d2d56d936b1
	// Y=865ed22a7eadc9c5cb9d2cbaca1b3699139fedc5043dc6661864218330c8e518
}
