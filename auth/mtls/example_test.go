package mtls_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/auth/mtls"
)

// The server verifies client certificates against its CA during the
// handshake; the authenticator maps the verified certificate's SPIFFE ID
// to the caller's identity.
func Example() {
	p := getPKI() // a test CA and client certificates; bring your own
	a, err := mtls.New(mtls.WithMapping(mtls.IDFrom(mtls.URISAN)))
	if err != nil {
		panic(err)
	}
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := auth.FromContext(r.Context())
		fmt.Fprintln(w, "hello", id.ID, "via", id.Method)
	})
	srv := httptest.NewUnstartedServer(auth.NewMiddleware(a)(hello))
	srv.TLS = &tls.Config{
		ClientAuth: tls.VerifyClientCertIfGiven, // no certificate: 401, or another authenticator
		ClientCAs:  pool(p.root.cert),
	}
	srv.StartTLS()
	defer srv.Close()

	client := srv.Client()
	client.Transport.(*http.Transport).TLSClientConfig.Certificates = []tls.Certificate{*p.spiffe.tlsCert()}
	resp, err := client.Get(srv.URL)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(resp.StatusCode, " ", string(body))
	// Output: 200 hello spiffe://example.test/svc-b via mtls
}

// A custom mapping admits only known certificates, pinned by fingerprint,
// and names each caller's usage plan.
func ExampleWithMapping() {
	p := getPKI()
	tenants := map[string]*auth.Identity{
		mtls.Fingerprint(p.client.cert): {ID: "tenant-42", Plan: "enterprise"},
	}
	a, err := mtls.New(mtls.WithMapping(func(_ context.Context, c *x509.Certificate) (*auth.Identity, error) {
		if id, ok := tenants[mtls.Fingerprint(c)]; ok {
			return id, nil
		}
		return nil, fmt.Errorf("unknown certificate: %w", auth.ErrForbidden)
	}))
	if err != nil {
		panic(err)
	}
	for _, n := range []*node{p.client, p.spiffe} {
		r := httptest.NewRequest("GET", "/", nil)
		// What net/http sets after a handshake that verified the chain.
		r.TLS = &tls.ConnectionState{
			PeerCertificates: []*x509.Certificate{n.cert, p.inter.cert},
			VerifiedChains:   [][]*x509.Certificate{{n.cert, p.inter.cert, p.root.cert}},
		}
		id, err := a.Authenticate(r.Context(), r)
		if err != nil {
			fmt.Println(auth.HTTPStatus(err), err)
			continue
		}
		fmt.Println(id.ID, id.Plan, id.Method)
	}
	// Output:
	// tenant-42 enterprise mtls
	// 403 unknown certificate: auth: forbidden
}
