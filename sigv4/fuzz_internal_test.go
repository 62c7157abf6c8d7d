package sigv4

import (
	"strings"
	"testing"
)

func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
		"AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20150830/service/aws4_request, SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=3045022100",
		"AWS4-HMAC-SHA256 Credential=a/b/c/d/e,SignedHeaders=,Signature=",
		"Bearer x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		s, ok, err := parseAuthorization(h)
		if !ok || err != nil {
			return
		}
		if s.accessKey == "" || s.service == "" || !validSignedHeaders(s.signedHeaders) || !validSignatureHex(s.sig, s.ecdsa) {
			t.Fatalf("accepted %q with %+v", h, s)
		}
		// What was accepted must be what the header says, component by component.
		alg := AlgorithmHMAC
		if s.ecdsa {
			alg = AlgorithmECDSA
		}
		again := alg + " Credential=" + s.accessKey + "/" + s.scope + ", SignedHeaders=" + s.signedHeaders + ", Signature=" + s.sig
		s2, ok2, err2 := parseAuthorization(again)
		if !ok2 || err2 != nil || s2 != s {
			t.Fatalf("%q parsed as %+v, its re-encoding %q as %+v (%v)", h, s, again, s2, err2)
		}
		if !strings.HasPrefix(h, alg+" ") {
			t.Fatalf("accepted %q without the algorithm prefix", h)
		}
	})
}

// FuzzCanonicalQuery: whatever the raw query, parsing never panics, and
// two raw queries that decode differently never share a canonical form.
func FuzzCanonicalQuery(f *testing.F) {
	f.Add("a=1&b=2", "b=2&a=1")
	f.Add("k=a+b", "k=a%20b")
	f.Add("k=a%2Bb", "k=a+b")
	f.Add("%e1%88%b4=x", "%E1%88%B4=x")
	f.Fuzz(func(t *testing.T, q1, q2 string) {
		c1, ok1 := canonicalQueryString(q1)
		c2, ok2 := canonicalQueryString(q2)
		if !ok1 || !ok2 || c1 != c2 {
			return
		}
		if d1, d2 := decodedQuery(q1), decodedQuery(q2); d1 != d2 {
			t.Fatalf("%q and %q decode to %q and %q but share canonical form %q", q1, q2, d1, d2, c1)
		}
	})
}

func canonicalQueryString(raw string) (string, bool) {
	params, ok := parseQuery(nil, raw)
	if !ok {
		return "", false
	}
	sortParams(params)
	return string(appendCanonicalQuery(nil, params, false, false)), true
}

// decodedQuery is the sorted multiset of decoded pairs, what a handler sees.
func decodedQuery(raw string) string {
	var pairs []queryParam
	for pair := range strings.SplitSeq(raw, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, _ = unescapeQuery(k)
		v, _ = unescapeQuery(v)
		pairs = append(pairs, queryParam{k, v})
	}
	sortParams(pairs)
	var b strings.Builder
	for _, p := range pairs {
		b.WriteString(p.key + "\x00" + p.value + "\x00")
	}
	return b.String()
}
