package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const suiteDir = "testdata/aws-signing-test-suite"

// suiteContext is a case's context.json.
type suiteContext struct {
	Credentials struct {
		AccessKeyID     string `json:"access_key_id"`
		SecretAccessKey string `json:"secret_access_key"`
		Token           string `json:"token"`
	} `json:"credentials"`
	Normalize        bool   `json:"normalize"`
	Timestamp        string `json:"timestamp"`
	OmitSessionToken bool   `json:"omit_session_token"`
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return strings.ReplaceAll(string(b), "\r", "")
}

// parseSuiteRequest reads a request file as aws-c-auth does: a raw
// request line, Name:value headers (a line starting with whitespace
// continues the previous one), an empty line and the body.
func parseSuiteRequest(t *testing.T, text string) *http.Request {
	t.Helper()
	head, body, _ := strings.Cut(text, "\n\n")
	lines := strings.Split(head, "\n")
	method, rest, _ := strings.Cut(lines[0], " ")
	target := strings.TrimSuffix(rest, " HTTP/1.1")
	r := &http.Request{Method: method, RequestURI: target, Header: http.Header{}, Body: http.NoBody}
	path, query, _ := strings.Cut(target, "?")
	r.URL = &url.URL{Path: path, RawQuery: query}
	var last string
	for _, l := range lines[1:] {
		if l != "" && (l[0] == ' ' || l[0] == '\t') {
			vals := r.Header[last]
			vals[len(vals)-1] += " " + strings.TrimSpace(l)
			continue
		}
		name, val, _ := strings.Cut(l, ":")
		if strings.EqualFold(name, "host") {
			r.Host = val
			continue
		}
		last = http.CanonicalHeaderKey(name)
		r.Header[last] = append(r.Header[last], val)
	}
	if body != "" {
		r.Body = io.NopCloser(strings.NewReader(body))
		r.ContentLength = int64(len(body))
	}
	return r
}

func suiteVerifier(t *testing.T, dir string) (*Verifier, suiteContext) {
	t.Helper()
	var sc suiteContext
	require.NoError(t, json.Unmarshal([]byte(readFile(t, filepath.Join(dir, "context.json"))), &sc))
	ts, err := time.Parse(time.RFC3339, sc.Timestamp)
	require.NoError(t, err)
	store := NewMemoryStore()
	require.NoError(t, store.Put(context.Background(), Credential{
		AccessKeyID: sc.Credentials.AccessKeyID, Secret: sc.Credentials.SecretAccessKey, SessionToken: sc.Credentials.Token,
	}))
	v, err := New(store, WithClock(func() time.Time { return ts }))
	require.NoError(t, err)
	return v, sc
}

// canonicalForms returns the canonical requests and strings to sign the
// verifier considers for r, in the order it tries them.
func canonicalForms(t *testing.T, v *Verifier, r *http.Request) (creqs, stss []string) {
	t.Helper()
	q := request{r: r, now: v.cfg.now()}
	q.path, q.query = requestTarget(r)
	sc := &scratch{}
	require.NoError(t, v.parse(&q, sc))
	require.NoError(t, v.checkScope(&q))
	require.NoError(t, v.lookup(context.Background(), &q))
	p, err := v.payload(&q)
	require.NoError(t, err)
	for _, o := range []canonOpts{{normalize: true}, {}, {normalize: true, dropToken: true}} {
		creq, ok := appendCanonicalRequest(nil, &q, o, p.hash)
		require.True(t, ok)
		creqs = append(creqs, string(creq))
		stss = append(stss, string(appendStringToSign(nil, &q.sig, sha256.Sum256(creq))))
	}
	return creqs, stss
}

var sigRE = regexp.MustCompile(`(Signature=)[0-9a-f]+`)

// TestSigningSuite runs every case of AWS's signing test suite, v4 and
// v4a, header and query forms: the canonical request and string to sign
// the verifier builds equal the expected ones byte for byte, and the
// signed request verifies, with the signature in the signed request and
// (v4a, whose ECDSA signatures differ) with the one in the signature file.
func TestSigningSuite(t *testing.T) {
	for _, suite := range []string{"v4", "v4a"} {
		dirs, err := filepath.Glob(filepath.Join(suiteDir, suite, "*"))
		require.NoError(t, err)
		ran := 0
		for _, dir := range dirs {
			if _, err := os.Stat(filepath.Join(dir, "header-canonical-request.txt")); err != nil {
				continue // request-only cases that aws-c-auth does not run
			}
			for _, form := range []string{"header", "query"} {
				t.Run(suite+"/"+filepath.Base(dir)+"/"+form, func(t *testing.T) { runSuiteCase(t, dir, form) })
				ran++
			}
		}
		assert.Equal(t, 76, ran, "every %s case in both forms", suite)
	}
}

func runSuiteCase(t *testing.T, dir, form string) {
	v, _ := suiteVerifier(t, dir)
	signed := readFile(t, filepath.Join(dir, form+"-signed-request.txt"))
	creqs, stss := canonicalForms(t, v, parseSuiteRequest(t, signed))
	assert.Contains(t, creqs, readFile(t, filepath.Join(dir, form+"-canonical-request.txt")))
	assert.Contains(t, stss, readFile(t, filepath.Join(dir, form+"-string-to-sign.txt")))

	_, err := v.Authenticate(context.Background(), parseSuiteRequest(t, signed))
	require.NoError(t, err, "signed request verifies")

	sig := readFile(t, filepath.Join(dir, form+"-signature.txt"))
	var withFileSig string
	if form == "header" {
		withFileSig = sigRE.ReplaceAllString(signed, "${1}"+sig)
	} else {
		withFileSig = regexp.MustCompile(`(X-Amz-Signature=)[0-9a-f]+`).ReplaceAllString(signed, "${1}"+sig)
	}
	_, err = v.Authenticate(context.Background(), parseSuiteRequest(t, withFileSig))
	require.NoError(t, err, "signature file verifies")

	tampered := strings.Replace(withFileSig, "example.amazonaws.com", "example.amazonaws.org", 1)
	_, err = v.Authenticate(context.Background(), parseSuiteRequest(t, tampered))
	assert.ErrorIs(t, err, ErrSignatureMismatch, "changed host")
}

// TestSuiteV4aPublicKey checks the SigV4a key derivation against the
// suite's public key.
func TestSuiteV4aPublicKey(t *testing.T) {
	dir := filepath.Join(suiteDir, "v4a", "get-vanilla")
	var want struct{ X, Y string }
	require.NoError(t, json.Unmarshal([]byte(readFile(t, filepath.Join(dir, "public-key.json"))), &want))
	priv, err := DeriveECDSAKey("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
	require.NoError(t, err)
	pub, err := priv.PublicKey.Bytes()
	require.NoError(t, err)
	assert.Equal(t, want.X, hex.EncodeToString(pub[1:33]))
	assert.Equal(t, want.Y, hex.EncodeToString(pub[33:]))
}

// TestV4aRegionSet applies the region allow-list to a SigV4a region set,
// whose entries may be wildcards.
func TestV4aRegionSet(t *testing.T) {
	signed := readFile(t, filepath.Join(suiteDir, "v4a", "get-vanilla", "header-signed-request.txt"))
	ts := time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
	tests := []struct {
		allowed []string
		wantErr error
	}{
		{nil, nil},
		{[]string{"eu-west-1", "us-east-1"}, nil},
		{[]string{"eu-west-1"}, ErrScopeNotAllowed},
	}
	for _, tt := range tests {
		store := NewMemoryStore()
		require.NoError(t, store.Put(context.Background(), Credential{AccessKeyID: "AKIDEXAMPLE", Secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}))
		opts := []Option{WithClock(func() time.Time { return ts })}
		if tt.allowed != nil {
			opts = append(opts, WithRegions(tt.allowed...))
		}
		v, err := New(store, opts...)
		require.NoError(t, err)
		_, err = v.Authenticate(context.Background(), parseSuiteRequest(t, signed))
		if tt.wantErr == nil {
			assert.NoError(t, err, "%v", tt.allowed)
		} else {
			assert.ErrorIs(t, err, tt.wantErr, "%v", tt.allowed)
		}
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "us-east-1", true},
		{"us-*", "us-east-1", true},
		{"us-*-1", "us-east-1", true},
		{"eu-*", "us-east-1", false},
		{"us-east-1", "us-east-1", true},
		{"us-east-1*", "us-east-1", true},
		{"us-east-2", "us-east-1", false},
		{strings.Repeat("*", 50) + "x", strings.Repeat("a", 50), false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, globMatch(tt.pattern, tt.s), "%q ~ %q", tt.pattern, tt.s)
	}
}

// legacyBroken are the legacy cases whose files disagree with each other.
var legacyBroken = map[string]bool{
	"post-x-www-form-urlencoded":            true,
	"post-x-www-form-urlencoded-parameters": true,
	"get-vanilla-with-session-token":        true,
}

// TestLegacySuite runs the original AWS suite: the canonical request of
// each signed request (.sreq) equals .creq, and it verifies. Its two
// cases not in the newer suite sort repeated query keys by value.
func TestLegacySuite(t *testing.T) {
	reqs, err := filepath.Glob("testdata/aws-sig-v4-test-suite/*/*.sreq")
	require.NoError(t, err)
	nested, err := filepath.Glob("testdata/aws-sig-v4-test-suite/*/*/*.sreq")
	require.NoError(t, err)
	ran := 0
	for _, sreq := range append(reqs, nested...) {
		name := strings.TrimSuffix(filepath.Base(sreq), ".sreq")
		if legacyBroken[name] {
			continue
		}
		ran++
		t.Run(name, func(t *testing.T) {
			r := parseSuiteRequest(t, readFile(t, sreq))
			r.Header["Authorization"][0] = strings.TrimSpace(r.Header.Get("Authorization"))
			ts := time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
			store := NewMemoryStore()
			require.NoError(t, store.Put(context.Background(), Credential{
				AccessKeyID: "AKIDEXAMPLE", Secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
				SessionToken: r.Header.Get("X-Amz-Security-Token"),
			}))
			v, err := New(store, WithClock(func() time.Time { return ts }))
			require.NoError(t, err)
			creqs, _ := canonicalForms(t, v, r)
			assert.Contains(t, creqs, readFile(t, strings.TrimSuffix(sreq, ".sreq")+".creq"))
			_, err = v.Authenticate(context.Background(), r)
			assert.NoError(t, err)
		})
	}
	assert.Equal(t, 30, ran)
}
