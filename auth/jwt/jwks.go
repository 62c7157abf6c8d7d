package jwt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// maxDocument bounds a fetched JWK Set or discovery document.
const maxDocument = 1 << 20

// fetchTimeout bounds a fetch prompted by a request, whatever the HTTP
// client's own timeout.
const fetchTimeout = 30 * time.Second

// JWKS is a remote JSON Web Key Set (RFC 7517) fetched over HTTPS. It
// refreshes in the background, and when a token names a key ID it does not
// hold it fetches the set again at once, at most once per minimum refresh
// interval, so a flood of tokens with made-up key IDs cannot hammer the
// issuer. One JWKS may be shared by several [Issuer]s and [Verifier]s.
//
// A key that disappears from the set stops verifying at once, including
// tokens already in a [Verifier]'s cache. JWKS is safe for concurrent use;
// Close stops its background refresh.
type JWKS struct {
	url        string
	client     *http.Client
	now        func() time.Time
	every      time.Duration
	minRefresh time.Duration

	keys    atomic.Pointer[keyTable]
	sem     chan struct{} // one fetch at a time
	last    time.Time     // when the last fetch started; guarded by sem
	lastErr error         // how it failed; guarded by sem

	cancel context.CancelFunc // stops the background refresh
	done   chan struct{}      // closed when it has stopped
}

var _ KeySource = (*JWKS)(nil)

// NewJWKS returns the key set published at url, which must be https (or
// http to a loopback address, for development). It does not fetch before
// returning: the background refresh starts at once, and the first token
// to arrive waits for the keys. Call [JWKS.Refresh] to fail fast at start-up.
// Options: [WithHTTPClient], [WithRefreshInterval], [WithMinRefreshInterval],
// [WithClock].
func NewJWKS(url string, opts ...Option) (*JWKS, error) {
	o, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	if err := checkURL(url); err != nil {
		return nil, err
	}
	s := &JWKS{
		url: url, client: o.client, now: o.now,
		every: o.refreshEvery, minRefresh: o.minRefresh,
		sem: make(chan struct{}, 1), done: make(chan struct{}),
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go s.loop(ctx)
	return s, nil
}

// Refresh fetches the key set now, waiting for a fetch already under way.
func (s *JWKS) Refresh(ctx context.Context) error {
	if err := s.acquire(ctx); err != nil {
		return err
	}
	defer s.release()
	return s.fetch(ctx)
}

// Close stops the background refresh and waits for it to end or for ctx.
// The key set keeps answering from the keys it holds.
func (s *JWKS) Close(ctx context.Context) error {
	s.cancel()
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *JWKS) loop(ctx context.Context) {
	defer close(s.done)
	_, _ = s.lookup(ctx, "") // the first load, unless a request or Refresh beat us to it
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = s.Refresh(ctx) // a failure keeps the old keys; the next tick retries
		}
	}
}

func (s *JWKS) lookup(ctx context.Context, kid string) ([]*key, error) {
	t := s.keys.Load()
	if t != nil {
		if ks := t.lookup(kid); len(ks) > 0 || kid == "" {
			return ks, nil
		}
	}
	return s.refreshFor(ctx, kid, t)
}

// refreshFor fetches the set for a key ID it lacks, unless another fetch
// has already brought it in or the last fetch was too recent.
func (s *JWKS) refreshFor(ctx context.Context, kid string, seen *keyTable) ([]*key, error) {
	if err := s.acquire(ctx); err != nil {
		return nil, err
	}
	defer s.release()
	t := s.keys.Load()
	if t != seen && t != nil { // a fetch finished while we waited
		return t.lookup(kid), nil
	}
	if !s.last.IsZero() && s.now().Sub(s.last) < s.minRefresh {
		return nil, s.unknown(t)
	}
	// The fetch outlives the request that prompted it: were a cancelled
	// request to abort it, a client could spend the refresh allowance
	// without the keys ever arriving.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
	defer cancel()
	if s.fetch(fctx) != nil {
		return nil, s.unknown(t)
	}
	return s.keys.Load().lookup(kid), nil
}

// unknown is the answer for a key ID that is not in t: no keys and no
// error when there are keys (the kid is simply unknown), the last fetch
// failure when there are none (the issuer cannot be reached: 503).
func (s *JWKS) unknown(t *keyTable) error {
	if t != nil {
		return nil
	}
	return s.lastErr
}

func (s *JWKS) acquire(ctx context.Context) error {
	select {
	case s.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *JWKS) release() { <-s.sem }

// fetch downloads and installs the key set; the caller holds sem.
func (s *JWKS) fetch(ctx context.Context) error {
	s.last = s.now()
	s.lastErr = s.install(ctx)
	return s.lastErr
}

func (s *JWKS) install(ctx context.Context) error {
	body, err := getDocument(ctx, s.client, s.url)
	if err != nil {
		return err
	}
	prev := s.keys.Load()
	t, err := parseKeySet(body, prev)
	if err != nil {
		return fmt.Errorf("%w %s: %w", errFetch, s.url, err)
	}
	s.keys.Store(t)
	markRemoved(prev, t)
	return nil
}

// markRemoved flags the keys of prev that next no longer holds.
func markRemoved(prev, next *keyTable) {
	if prev == nil {
		return
	}
	kept := make(map[*key]bool, len(next.all))
	for _, k := range next.all {
		kept[k] = true
	}
	for _, k := range prev.all {
		if !kept[k] {
			k.removed.Store(true)
		}
	}
}

// errFetch wraps every failure to obtain a document from an issuer; it is
// a failure to decide (503), never a verdict on the token.
var errFetch = errors.New("jwt: fetch")

func getDocument(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", errFetch, url, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", errFetch, url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w %s: status %d", errFetch, url, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocument+1))
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", errFetch, url, err)
	}
	if len(body) > maxDocument {
		return nil, fmt.Errorf("%w %s: document larger than %d bytes", errFetch, url, maxDocument)
	}
	return body, nil
}
