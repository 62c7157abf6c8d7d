package sigv4

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"hash"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tollgate/tollgate/auth"
)

// Verifier checks AWS Signature Version 4 and 4a signatures on incoming
// requests, header-signed and presigned, against a [CredentialStore]. It
// implements [auth.Authenticator]. It is safe for concurrent use.
type Verifier struct {
	store CredentialStore
	cfg   config
	keys  keys
}

var _ auth.Authenticator = (*Verifier)(nil)

// New returns a Verifier that looks up access keys in store.
func New(store CredentialStore, opts ...Option) (*Verifier, error) {
	if store == nil {
		return nil, errors.New("sigv4: New needs a credential store")
	}
	cfg := defaults()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	return &Verifier{store: store, cfg: cfg, keys: newKeys(cfg.cacheCap)}, nil
}

// Middleware returns next behind SigV4 verification: the caller's
// identity is stored for [auth.FromContext] and refusals get problem
// responses with AWS's error codes. For options, use [auth.NewMiddleware]
// with the Verifier instead.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return auth.NewMiddleware(v)(next)
}

// request is one verification in progress.
type request struct {
	r      *http.Request
	sig    signature
	path   string
	query  string
	token  string
	s3     bool
	params []queryParam
	now    time.Time
	cred   Credential
}

// scratch holds the buffers one verification needs.
type scratch struct {
	params []queryParam
	creq   []byte
	sts    []byte
	sha    hash.Hash
	mac    []byte
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{params: make([]queryParam, 0, 16), creq: make([]byte, 0, 512), sts: make([]byte, 0, 256), sha: sha256.New(), mac: make([]byte, 0, sha256.Size)}
}}

// release returns sc to the pool, dropping references into the request
// and buffers grown by an outsized one.
func (sc *scratch) release() {
	clear(sc.params)
	if cap(sc.creq) > 64<<10 || cap(sc.params) > 1024 {
		return
	}
	scratchPool.Put(sc)
}

// Authenticate verifies r's signature and returns the identity of the
// access key that made it. A request without SigV4 credentials (no
// AWS4 Authorization header, no X-Amz-Algorithm query parameter) yields
// an error matching [auth.ErrNoCredentials]. Refusals are [*auth.Error]
// values with AWS's error codes. On success r.Body has been replaced by
// one that yields the same bytes (or, for a streaming upload, the
// decoded payload, verified chunk by chunk).
func (v *Verifier) Authenticate(ctx context.Context, r *http.Request) (*auth.Identity, error) {
	sc := scratchPool.Get().(*scratch)
	defer sc.release()
	q := request{r: r, now: v.cfg.now()}
	q.path, q.query = requestTarget(r)
	if err := v.parse(&q, sc); err != nil {
		return nil, err
	}
	if err := v.checkScope(&q); err != nil {
		return nil, err
	}
	if err := v.lookup(ctx, &q); err != nil {
		return nil, err
	}
	body, err := v.payload(&q)
	if err != nil {
		return nil, err
	}
	if err := v.verify(&q, sc, body.hash); err != nil {
		return nil, err
	}
	if err := v.finishBody(&q, body); err != nil {
		return nil, err
	}
	if q.cred.Identity != nil {
		return q.cred.Identity, nil
	}
	return &auth.Identity{ID: q.cred.AccessKeyID, Method: auth.MethodSigV4}, nil
}

// requestTarget returns the path and query exactly as the client sent
// them (r.RequestURI), falling back to r.URL for requests built in-process.
func requestTarget(r *http.Request) (path, query string) {
	if strings.HasPrefix(r.RequestURI, "/") {
		path, query, _ = strings.Cut(r.RequestURI, "?")
		return path, query
	}
	if r.URL == nil {
		return "/", ""
	}
	if r.URL.Opaque != "" {
		return r.URL.Opaque, r.URL.RawQuery
	}
	return r.URL.EscapedPath(), r.URL.RawQuery
}

// parse reads the claimed signature from the Authorization header or the
// query string.
func (v *Verifier) parse(q *request, sc *scratch) error {
	authz := q.r.Header["Authorization"]
	maybePresigned := strings.Contains(q.query, qAlgorithm)
	var sig signature
	isV4 := false
	if len(authz) > 0 {
		var err error
		if sig, isV4, err = parseAuthorization(authz[0]); isV4 && err != nil {
			return err
		}
	}
	if !isV4 && !maybePresigned {
		return errNoCredentials
	}
	params, ok := parseQuery(sc.params[:0], q.query)
	sc.params = params
	if !ok {
		return incomplete("The query string contains an invalid percent-encoding.")
	}
	sortParams(params)
	q.params = params
	_, n := queryValue(params, qAlgorithm)
	switch {
	case isV4 && (len(authz) > 1 || n > 0):
		return incomplete("Only one authentication mechanism is allowed.")
	case isV4:
		q.sig = sig
		return v.parseHeaderDate(q)
	case n > 0:
		return v.parsePresigned(q)
	}
	return errNoCredentials
}

func sortParams(params []queryParam) { slices.SortFunc(params, compareParams) }

func compareParams(a, b queryParam) int {
	if c := strings.Compare(a.key, b.key); c != 0 {
		return c
	}
	return strings.Compare(a.value, b.value)
}

func (v *Verifier) parsePresigned(q *request) error {
	dup := false
	get := func(name string) (string, bool) {
		val, n := queryValue(q.params, name)
		dup = dup || n > 1
		return val, n == 1
	}
	sig, err := parsePresigned(get)
	if err != nil {
		return err
	}
	q.token, _ = get(qSecurityToken)
	if dup {
		return incomplete("A presigned URL parameter is repeated.")
	}
	q.sig = sig
	return v.checkDate(q)
}

// queryValue returns the decoded value of the canonical parameter name
// and how many times it occurs.
func queryValue(params []queryParam, name string) (string, int) {
	i, found := slices.BinarySearchFunc(params, name, func(p queryParam, k string) int { return strings.Compare(p.key, k) })
	if !found {
		return "", 0
	}
	n := 1
	for i+n < len(params) && params[i+n].key == name {
		n++
	}
	val, _ := unescapeQuery(params[i].value)
	return val, n
}

func (v *Verifier) parseHeaderDate(q *request) error {
	d := q.r.Header["X-Amz-Date"]
	if len(d) != 1 || !signedHeader(q.sig.signedHeaders, "x-amz-date") {
		return incomplete("Authorization requires a single X-Amz-Date header, and it must be signed.")
	}
	q.sig.amzDate = d[0]
	if t := q.r.Header["X-Amz-Security-Token"]; len(t) > 0 {
		q.token = t[0]
	}
	return v.checkDate(q)
}

// verify checks the signature over the canonical request. Besides the
// canonical form AWS computes, it accepts two that derive from the same
// bytes on the wire: the path not normalised (the Go SDK never
// normalises) and, for presigned URLs, the session token left out of the
// canonical query (the token was appended after signing).
func (v *Verifier) verify(q *request, sc *scratch, payloadHash string) error {
	variants := [...]canonOpts{
		{s3: q.s3, normalize: !q.s3},
		{s3: q.s3, normalize: false},
		{s3: q.s3, normalize: !q.s3, dropToken: true},
	}
	for i, o := range variants {
		switch {
		case i == 1 && (q.s3 || !needsNormalizing(q.path)):
			continue
		case i == 2 && (!q.sig.presigned || q.token == ""):
			continue
		}
		ok, err := v.check(q, sc, o, payloadHash)
		if ok || err != nil {
			return err
		}
	}
	return mismatch()
}

// check builds one canonical request and string to sign and compares
// the signature.
func (v *Verifier) check(q *request, sc *scratch, o canonOpts, payloadHash string) (bool, error) {
	creq, ok := appendCanonicalRequest(sc.creq[:0], q, o, payloadHash)
	sc.creq = creq
	if !ok {
		return false, nil
	}
	sc.sts = appendStringToSign(sc.sts[:0], &q.sig, sha256.Sum256(creq))
	if q.sig.ecdsa {
		return v.checkECDSA(q, sc.sts)
	}
	key := v.keys.signingKey(&q.cred, &q.sig, q.now)
	mac := key.sum(sc.sha, sc.mac, sc.sts)
	var got [2 * sha256.Size]byte
	hex.Encode(got[:], mac)
	return subtle.ConstantTimeCompare(got[:], []byte(q.sig.sig)) == 1, nil
}
