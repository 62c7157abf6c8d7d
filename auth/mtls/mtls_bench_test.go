package mtls_test

import (
	"crypto/tls"
	"crypto/x509"
	"net/http/httptest"
	"testing"

	"github.com/tollgate/tollgate/auth/mtls"
)

// BenchmarkAuthenticate measures authenticating a request whose TLS
// handshake is done: with the chain the server verified, and with the
// authenticator's own roots, against the bare x509 verification that the
// latter must pay as its baseline.
func BenchmarkAuthenticate(b *testing.B) {
	p := getPKI()
	r := httptest.NewRequest("GET", "/", nil)
	r.TLS = &tls.ConnectionState{
		PeerCertificates: []*x509.Certificate{p.client.cert, p.inter.cert},
		VerifiedChains:   [][]*x509.Certificate{{p.client.cert, p.inter.cert, p.root.cert}},
	}
	roots := pool(p.root.cert)
	opts := x509.VerifyOptions{Roots: roots, Intermediates: pool(p.inter.cert), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}

	b.Run("baseline=x509.Verify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.client.cert.Verify(opts); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, bc := range []struct {
		name string
		opts []mtls.Option
	}{
		{"verified-chains", nil},
		{"verified-chains+fingerprint-id", []mtls.Option{mtls.WithMapping(mtls.IDFrom(mtls.Fingerprint))}},
		{"verified-chains+CRL", []mtls.Option{mtls.WithRevocationCheck(mtls.RevokedBy(p.crl))}},
		{"own-roots", []mtls.Option{mtls.WithRoots(roots)}},
	} {
		a, err := mtls.New(bc.opts...)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := a.Authenticate(r.Context(), r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
