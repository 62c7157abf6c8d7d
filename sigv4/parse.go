package sigv4

import (
	"strconv"
	"strings"
)

// The signing algorithms, as they appear in Authorization and X-Amz-Algorithm.
const (
	AlgorithmHMAC  = "AWS4-HMAC-SHA256"
	AlgorithmECDSA = "AWS4-ECDSA-P256-SHA256"
)

const (
	amzDateFormat = "20060102T150405Z"
	maxExpires    = 604800 // seven days, AWS's limit for presigned URLs
	scopeTerm     = "aws4_request"
)

// signature is what a request claims: the parsed Authorization header or
// presigned query parameters.
type signature struct {
	ecdsa         bool   // AWS4-ECDSA-P256-SHA256 (SigV4a)
	presigned     bool   // from the query string
	accessKey     string // before the first '/' of the credential
	scope         string // the rest: date/region/service/aws4_request
	date          string // yyyymmdd from the scope
	region        string // SigV4 only
	service       string
	signedHeaders string
	sig           string // hex
	amzDate       string // X-Amz-Date
	expires       int64  // X-Amz-Expires, presigned only
}

// parseAuthorization parses an Authorization header value. ok is false
// when the header is not a SigV4 one at all.
func parseAuthorization(h string) (s signature, ok bool, err error) {
	alg, rest, _ := strings.Cut(h, " ")
	switch alg {
	case AlgorithmHMAC:
	case AlgorithmECDSA:
		s.ecdsa = true
	default:
		return s, false, nil
	}
	var cred string
	for part := range strings.SplitSeq(rest, ",") {
		k, v, found := strings.Cut(strings.TrimSpace(part), "=")
		var dst *string
		switch k {
		case "Credential":
			dst = &cred
		case "SignedHeaders":
			dst = &s.signedHeaders
		case "Signature":
			dst = &s.sig
		default:
			return s, true, incomplete("Authorization header has an unknown or malformed component.")
		}
		if !found || v == "" || *dst != "" {
			return s, true, incomplete("Authorization header component " + k + " is empty or repeated.")
		}
		*dst = v
	}
	if cred == "" || s.signedHeaders == "" || s.sig == "" {
		return s, true, incomplete("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.")
	}
	return s, true, s.parseRest(cred)
}

// parseRest checks the credential, signed header list and signature.
func (s *signature) parseRest(cred string) error {
	if err := s.parseCredential(cred); err != nil {
		return err
	}
	if !validSignedHeaders(s.signedHeaders) {
		return incomplete("SignedHeaders must be sorted, lower-case header names and include host.")
	}
	if !validSignatureHex(s.sig, s.ecdsa) {
		return incomplete("Signature is not a well-formed hex signature.")
	}
	return nil
}

// parseCredential splits "AKID/20150830/us-east-1/service/aws4_request"
// (SigV4) or "AKID/20150830/service/aws4_request" (SigV4a).
func (s *signature) parseCredential(cred string) error {
	ak, scope, _ := strings.Cut(cred, "/")
	var parts [4]string
	n := 0
	for p := range strings.SplitSeq(scope, "/") {
		if n == len(parts) {
			n++
			break
		}
		parts[n] = p
		n++
	}
	want := 4
	if s.ecdsa {
		want = 3
	}
	if ak == "" || n != want || parts[n-1] != scopeTerm || !validDate(parts[0]) {
		return incomplete("Credential should be scoped to a valid date, region, service and aws4_request.")
	}
	s.accessKey, s.scope, s.date = ak, scope, parts[0]
	s.service = parts[n-2]
	if !s.ecdsa {
		s.region = parts[1]
	}
	if s.service == "" || !s.ecdsa && s.region == "" {
		return incomplete("Credential should be scoped to a valid region and service.")
	}
	return nil
}

// validDate checks the shape of a yyyymmdd scope date; checkDate
// compares it with X-Amz-Date, which is parsed in full.
func validDate(d string) bool {
	if len(d) != 8 {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	return true
}

// validSignatureHex accepts 64 lower-case hex digits for SigV4, and an
// even number (at most 144, a DER P-256 signature) for SigV4a.
func validSignatureHex(sig string, ecdsa bool) bool {
	if ecdsa {
		if len(sig)%2 != 0 || len(sig) < 16 || len(sig) > 144 {
			return false
		}
	} else if len(sig) != 64 {
		return false
	}
	for i := 0; i < len(sig); i++ {
		if c := sig[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Presigned query parameter names.
const (
	qAlgorithm     = "X-Amz-Algorithm"
	qCredential    = "X-Amz-Credential"
	qDate          = "X-Amz-Date"
	qExpires       = "X-Amz-Expires"
	qSignedHeaders = "X-Amz-SignedHeaders"
	qSignature     = "X-Amz-Signature"
	qSecurityToken = "X-Amz-Security-Token"
	qRegionSet     = "X-Amz-Region-Set"
)

// parsePresigned reads the signature from decoded query parameters.
func parsePresigned(get func(string) (string, bool)) (signature, error) {
	var s signature
	s.presigned = true
	alg, _ := get(qAlgorithm)
	switch alg {
	case AlgorithmHMAC:
	case AlgorithmECDSA:
		s.ecdsa = true
	default:
		return s, incomplete("X-Amz-Algorithm only supports AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256.")
	}
	cred, _ := get(qCredential)
	s.signedHeaders, _ = get(qSignedHeaders)
	s.sig, _ = get(qSignature)
	s.amzDate, _ = get(qDate)
	exp, _ := get(qExpires)
	if cred == "" || s.signedHeaders == "" || s.sig == "" || s.amzDate == "" || exp == "" {
		return s, incomplete("Presigned URLs require X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature.")
	}
	n, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || n < 1 || n > maxExpires {
		return s, incomplete("X-Amz-Expires must be between 1 and 604800 seconds.")
	}
	s.expires = n
	return s, s.parseRest(cred)
}

// regionSetMatches reports whether any region in the comma-separated
// SigV4a region set (whose entries may hold '*' wildcards) is in allowed.
func regionSetMatches(set string, allowed []string) bool {
	for pattern := range strings.SplitSeq(set, ",") {
		pattern = strings.TrimSpace(pattern)
		for _, r := range allowed {
			if globMatch(pattern, r) {
				return true
			}
		}
	}
	return false
}

// globMatch matches s against pattern, where '*' stands for any run of
// characters. It backtracks only to the last star, so it runs in
// O(len(pattern)·len(s)) whatever the pattern.
func globMatch(pattern, s string) bool {
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && pattern[p] == s[i]:
			p++
			i++
		case star >= 0:
			p, mark = star+1, mark+1
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
