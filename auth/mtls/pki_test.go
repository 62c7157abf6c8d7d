package mtls_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net/url"
	"sync"
	"time"
)

// node is a certificate with its key, and the chain above it (issuer
// first, root excluded).
type node struct {
	cert  *x509.Certificate
	key   *ecdsa.PrivateKey
	above []*x509.Certificate
}

// tlsCert is n as a client certificate, sending its intermediates.
func (n *node) tlsCert() *tls.Certificate {
	c := &tls.Certificate{Certificate: [][]byte{n.cert.Raw}, PrivateKey: n.key, Leaf: n.cert}
	for _, a := range n.above {
		c.Certificate = append(c.Certificate, a.Raw)
	}
	return c
}

// pool holds the given certificates.
func pool(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

type template struct {
	cn        string
	ca        bool
	serverEKU bool // server auth only, no client auth
	uri       string
	notAfter  time.Time
}

var serial int64 = 100

// issue creates a certificate from tpl signed by parent (self-signed when
// nil). It panics on failure, which only a broken crypto/x509 could cause.
func issue(tpl template, parent *node) *node {
	key := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	serial++
	x := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: tpl.cn, Organization: []string{"Tollgate Test"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              tpl.notAfter,
		BasicConstraintsValid: true,
		IsCA:                  tpl.ca,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		DNSNames:              []string{tpl.cn + ".test"},
	}
	if x.NotAfter.IsZero() {
		x.NotAfter = time.Now().Add(24 * time.Hour)
	}
	if tpl.ca {
		x.KeyUsage |= x509.KeyUsageCertSign | x509.KeyUsageCRLSign
		x.ExtKeyUsage = nil
	}
	if tpl.serverEKU {
		x.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	if tpl.uri != "" {
		u, _ := url.Parse(tpl.uri)
		x.URIs = []*url.URL{u}
	}
	signer, signKey, above := x, key, []*x509.Certificate(nil)
	if parent != nil {
		signer, signKey = parent.cert, parent.key
		if !isRoot(parent.cert) {
			above = append([]*x509.Certificate{parent.cert}, parent.above...)
		}
	}
	der := must(x509.CreateCertificate(rand.Reader, x, signer, &key.PublicKey, signKey))
	return &node{cert: must(x509.ParseCertificate(der)), key: key, above: above}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func isRoot(c *x509.Certificate) bool { return c.IsCA && string(c.RawIssuer) == string(c.RawSubject) }

// testPKI is a root with an intermediate, a second unrelated root, and
// client certificates issued under them.
type testPKI struct {
	root, inter, otherRoot            *node
	client, spiffe, serverOnly, rogue *node
	shortLived, revoked               *node
	crl                               *x509.RevocationList // by inter, lists revoked
}

var getPKI = sync.OnceValue(func() *testPKI {
	p := &testPKI{}
	p.root = issue(template{cn: "Test Root", ca: true}, nil)
	p.inter = issue(template{cn: "Test Intermediate", ca: true}, p.root)
	p.otherRoot = issue(template{cn: "Other Root", ca: true}, nil)
	p.client = issue(template{cn: "svc-a"}, p.inter)
	p.spiffe = issue(template{cn: "svc-b", uri: "spiffe://example.test/svc-b"}, p.inter)
	p.serverOnly = issue(template{cn: "web", serverEKU: true}, p.inter)
	p.rogue = issue(template{cn: "svc-a"}, p.otherRoot)
	p.shortLived = issue(template{cn: "svc-short", notAfter: time.Now().Add(time.Hour)}, p.inter)
	p.revoked = issue(template{cn: "svc-gone"}, p.inter)
	der := must(x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number:                    big.NewInt(1),
		ThisUpdate:                time.Now().Add(-time.Minute),
		NextUpdate:                time.Now().Add(time.Hour),
		RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: p.revoked.cert.SerialNumber, RevocationTime: time.Now()}},
	}, p.inter.cert, p.inter.key))
	p.crl = must(x509.ParseRevocationList(der))
	return p
})
