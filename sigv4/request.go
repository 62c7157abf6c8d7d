package sigv4

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/hex"
)

// canonOpts selects one canonical form of a request.
type canonOpts struct {
	s3        bool // path as sent, no second encoding, no normalisation
	normalize bool // remove dot segments and empty segments
	dropToken bool // leave X-Amz-Security-Token out of a presigned query
}

// appendCanonicalRequest appends AWS's canonical request for q. It
// reports false when a signed header is missing from the request.
func appendCanonicalRequest(dst []byte, q *request, o canonOpts, payloadHash string) ([]byte, bool) {
	dst = append(dst, q.r.Method...)
	dst = append(dst, '\n')
	dst = appendCanonicalURI(dst, q.path, o.s3, o.normalize)
	dst = append(dst, '\n')
	dst = appendCanonicalQuery(dst, q.params, q.sig.presigned, o.dropToken)
	dst = append(dst, '\n')
	dst, ok := appendCanonicalHeaders(dst, q.r, q.sig.signedHeaders)
	dst = append(dst, '\n')
	dst = append(dst, q.sig.signedHeaders...)
	dst = append(dst, '\n')
	dst = append(dst, payloadHash...)
	return dst, ok
}

// appendStringToSign appends the string to sign for a canonical request
// whose SHA-256 is creqHash.
func appendStringToSign(dst []byte, s *signature, creqHash [sha256.Size]byte) []byte {
	if s.ecdsa {
		dst = append(dst, AlgorithmECDSA...)
	} else {
		dst = append(dst, AlgorithmHMAC...)
	}
	dst = append(dst, '\n')
	dst = append(dst, s.amzDate...)
	dst = append(dst, '\n')
	dst = append(dst, s.scope...)
	dst = append(dst, '\n')
	return hex.AppendEncode(dst, creqHash[:])
}

// checkECDSA verifies a SigV4a signature over sts.
func (v *Verifier) checkECDSA(q *request, sts []byte) (bool, error) {
	pub, err := v.keys.publicKey(&q.cred, q.now)
	if err != nil {
		return false, invalidClient()
	}
	der, err := hex.DecodeString(q.sig.sig)
	if err != nil {
		return false, nil
	}
	h := sha256.Sum256(sts)
	return ecdsa.VerifyASN1(pub, h[:], der), nil
}
