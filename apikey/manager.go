package apikey

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/tollgate/tollgate/internal/clock"
	"github.com/tollgate/tollgate/internal/ttlcache"
)

// Manager creates, changes and verifies API keys over a [Store], with an
// in-process verification cache in front of it. It is safe for concurrent use.
//
// The cache holds a verified key for at most the positive TTL and an
// unknown value for at most the negative TTL. Changes made through this
// Manager invalidate its cache at once; changes made elsewhere (another
// instance, a direct store write) are seen after at most those TTLs, or
// at once if the caller calls [Manager.Invalidate].
type Manager struct {
	store  Store
	prefix string
	now    clock.Func
	posTTL time.Duration
	negTTL time.Duration
	cache  *ttlcache.Cache[Hash, *entry]
}

// Option configures a [Manager].
type Option func(*Manager) error

// WithPrefix sets the prefix of generated keys, such as "tg_live_": lower-
// case letters and digits in words separated by '_', ending in '_'.
// Default: "tg_".
func WithPrefix(p string) Option {
	return func(m *Manager) error {
		if !validPrefix(p) {
			return fmt.Errorf("apikey: invalid prefix %q: want lower-case words joined by '_', ending in '_'", p)
		}
		m.prefix = p
		return nil
	}
}

// WithClock sets the time source. Default: the monotonic clock anchored
// to the wall clock when the Manager was made.
func WithClock(now func() time.Time) Option {
	return func(m *Manager) error { m.now = clock.OrReal(now); return nil }
}

// WithCache sets the verification cache: how many entries it holds, how
// long a verified key is trusted without asking the store, and how long an
// unknown value is remembered. A size of 0 turns the cache off. Default:
// 10,000 entries, 30 s, 5 s.
func WithCache(size int, positive, negative time.Duration) Option {
	return func(m *Manager) error {
		if size < 0 || positive < 0 || negative < 0 {
			return errors.New("apikey: cache size and TTLs must not be negative")
		}
		m.cache = nil
		if size > 0 {
			m.cache = ttlcache.New[Hash, *entry](size)
		}
		m.posTTL, m.negTTL = positive, negative
		return nil
	}
}

// NewManager returns a Manager over store.
func NewManager(store Store, opts ...Option) (*Manager, error) {
	if store == nil {
		return nil, errors.New("apikey: nil store")
	}
	m := &Manager{store: store, prefix: "tg_", now: clock.Mono(), posTTL: 30 * time.Second, negTTL: 5 * time.Second}
	m.cache = ttlcache.New[Hash, *entry](10_000)
	for _, o := range opts {
		if err := o(m); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Params describes a key to create or import.
type Params struct {
	Name, Owner, Plan string
	Scopes            []string
	Metadata          map[string]string
	// ExpiresAt, if not zero, is when the key stops verifying.
	ExpiresAt time.Time
	// Disabled creates the key switched off.
	Disabled bool
}

// Create makes a new key and returns its plaintext, which is not stored
// and cannot be recovered, with its record.
func (m *Manager) Create(ctx context.Context, p Params) (string, *Key, error) {
	plaintext, err := generate(m.prefix)
	if err != nil {
		return "", nil, err
	}
	k, err := m.insert(ctx, plaintext, plaintext[:len(m.prefix)+startLen], p)
	if err != nil {
		return "", nil, err
	}
	return plaintext, k, nil
}

// Import stores an existing key value, such as one migrated from Amazon
// API Gateway: 20 to 128 printable ASCII characters, or a key in
// tollgate's own format. Values that start with the Manager's prefix must
// be well-formed generated keys.
func (m *Manager) Import(ctx context.Context, plaintext string, p Params) (*Key, error) {
	start, err := m.parse(plaintext)
	if err != nil {
		return nil, err
	}
	return m.insert(ctx, plaintext, start, p)
}

func (m *Manager) insert(ctx context.Context, plaintext, start string, p Params) (*Key, error) {
	now := m.now()
	k := &Key{
		ID: uuid.NewString(), Hash: HashKey(plaintext), Start: start,
		Name: p.Name, Owner: p.Owner, Plan: p.Plan, Scopes: p.Scopes, Metadata: p.Metadata,
		Enabled: !p.Disabled, CreatedAt: now, UpdatedAt: now, ExpiresAt: p.ExpiresAt, Version: 1,
	}
	if err := m.store.Put(ctx, k); err != nil {
		return nil, fmt.Errorf("apikey: create: %w", err)
	}
	m.invalidateHash(k.Hash) // a cached "unknown" for this value is now wrong
	return k.Clone(), nil
}

// Get returns the key with the given ID.
func (m *Manager) Get(ctx context.Context, id string) (*Key, error) {
	return m.store.Get(ctx, id)
}

// Page is one page of [Manager.List].
type Page struct {
	Keys []*Key
	// Next is the cursor for the following page; empty on the last page.
	Next string
}

// List returns up to limit keys of owner (1 to 1000; 0 means 100),
// starting after cursor (empty for the first page).
func (m *Manager) List(ctx context.Context, owner, cursor string, limit int) (Page, error) {
	if limit == 0 {
		limit = 100
	}
	if limit < 0 || limit > 1000 {
		return Page{}, fmt.Errorf("apikey: list limit %d out of range 1..1000", limit)
	}
	keys, err := m.store.List(ctx, owner, cursor, limit+1)
	if err != nil {
		return Page{}, err
	}
	if len(keys) <= limit {
		return Page{Keys: keys}, nil
	}
	return Page{Keys: keys[:limit], Next: keys[limit-1].ID}, nil
}
