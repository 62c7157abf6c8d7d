package mtls

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/internal/ttlcache"
)

// Mapping turns a verified client certificate into an identity. It may
// refuse a certificate it does not know with an error matching
// [auth.ErrInvalidCredentials] or [auth.ErrForbidden]; any other error is
// a failure to decide. An identity without a Method gets [auth.MethodMTLS].
type Mapping func(ctx context.Context, cert *x509.Certificate) (*auth.Identity, error)

// IDFrom returns a [Mapping] whose identity takes its ID from id(cert) and
// carries the certificate's facts as attributes, named as API Gateway
// names them in $context.identity.clientCert: "subjectDN", "issuerDN",
// "serialNumber" (decimal), "notAfter" (RFC 3339), plus "fingerprint"
// (see [Fingerprint]) and, when present, the comma-separated SANs
// "dnsNames", "uris" and "emails". A certificate for which id returns ""
// is refused with 403.
//
// The identity depends on nothing but the certificate, so it is memoized
// per parsed certificate: requests on one connection share it.
func IDFrom(id func(*x509.Certificate) string) Mapping {
	memo := ttlcache.New[*x509.Certificate, *auth.Identity](memoSize)
	return func(_ context.Context, c *x509.Certificate) (*auth.Identity, error) {
		now := time.Now() // only ages the memo; validity is checked elsewhere
		if ident, ok := memo.Get(c, now); ok {
			return ident, nil
		}
		v := id(c)
		if v == "" {
			return nil, &auth.Error{Status: http.StatusForbidden, Code: "unmapped_certificate",
				Description: "The client certificate names no identity.", Err: auth.ErrInvalidCredentials}
		}
		ident := &auth.Identity{ID: v, Method: auth.MethodMTLS, Attributes: attributes(c)}
		memo.Set(c, ident, now.Add(memoTTL))
		return ident, nil
	}
}

func attributes(c *x509.Certificate) map[string]string {
	m := map[string]string{
		"subjectDN":    c.Subject.String(),
		"issuerDN":     c.Issuer.String(),
		"serialNumber": c.SerialNumber.String(),
		"notAfter":     c.NotAfter.UTC().Format(time.RFC3339),
		"fingerprint":  Fingerprint(c),
	}
	setJoined(m, "dnsNames", c.DNSNames)
	setJoined(m, "emails", c.EmailAddresses)
	if len(c.URIs) > 0 {
		uris := make([]string, len(c.URIs))
		for i, u := range c.URIs {
			uris[i] = u.String()
		}
		setJoined(m, "uris", uris)
	}
	return m
}

func setJoined(m map[string]string, k string, vs []string) {
	if len(vs) > 0 {
		m[k] = strings.Join(vs, ",")
	}
}

// SubjectDN returns the certificate's subject distinguished name in RFC
// 2253 form, e.g. "CN=svc-a,O=Example". It survives certificate renewal.
func SubjectDN(c *x509.Certificate) string { return c.Subject.String() }

// Fingerprint returns the lowercase hex SHA-256 of the certificate's DER
// encoding: unique to this certificate, so it changes on renewal.
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// URISAN returns the certificate's first URI subject alternative name,
// such as a SPIFFE ID ("spiffe://example.org/svc-a"), or "" if it has none.
func URISAN(c *x509.Certificate) string {
	if len(c.URIs) == 0 {
		return ""
	}
	return c.URIs[0].String()
}

// RevokedBy returns a [RevocationCheck] that reports a certificate revoked
// when one of crls, issued by the certificate's issuer, lists its serial
// number. The CRLs must already be verified ([x509.RevocationList.CheckSignatureFrom]);
// to pick up new ones, build a new check.
func RevokedBy(crls ...*x509.RevocationList) RevocationCheck {
	type entry struct{ issuer, serial string }
	revoked := make(map[entry]bool)
	for _, crl := range crls {
		for _, e := range crl.RevokedCertificateEntries {
			revoked[entry{string(crl.RawIssuer), serialKey(e.SerialNumber)}] = true
		}
	}
	return func(_ context.Context, c *x509.Certificate) (bool, error) {
		return revoked[entry{string(c.RawIssuer), serialKey(c.SerialNumber)}], nil
	}
}

func serialKey(n *big.Int) string { return n.Text(16) }
