package apikey

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/tollgate/tollgate/auth"
)

// entry is what the verification cache holds for a hash: the key and the
// identity built from it, or nil for a value no key has.
type entry struct {
	key *Key
	id  *auth.Identity
}

var unknown = &entry{}

// Verify checks a plaintext key and returns its record. The error matches
// ErrMalformed, ErrUnknown, ErrDisabled, ErrExpired or ErrRevoked for a
// key that must be refused, and is anything else for a store failure.
// The returned Key may be shared with other callers: do not modify it.
func (m *Manager) Verify(ctx context.Context, plaintext string) (*Key, error) {
	e, err := m.verify(ctx, plaintext)
	if err != nil {
		return nil, err
	}
	return e.key, nil
}

// verify looks the hash up in the cache before parsing: only values that
// passed Parse are ever cached, so a hit skips the format checks.
func (m *Manager) verify(ctx context.Context, plaintext string) (*entry, error) {
	if len(plaintext) > MaxImportedLen {
		return nil, ErrMalformed
	}
	h := HashKey(plaintext)
	now := m.now()
	e, ok := m.cached(h, now)
	if !ok {
		if _, err := m.parse(plaintext); err != nil {
			return nil, err
		}
		var err error
		if e, err = m.fetch(ctx, h, now); err != nil {
			return nil, err
		}
	}
	if e.key == nil {
		return nil, ErrUnknown
	}
	if err := e.key.check(h, now); err != nil {
		return nil, err
	}
	return e, nil
}

// parse is [Parse] with the Manager's own prefix reserved: a value that
// starts with it must be a well-formed generated key, so a truncated or
// mistyped key is refused without a store lookup.
func (m *Manager) parse(plaintext string) (start string, err error) {
	kind, start, err := Parse(plaintext)
	if err == nil && kind != Generated && strings.HasPrefix(plaintext, m.prefix) {
		return "", ErrMalformed
	}
	return start, err
}

func (m *Manager) cached(h Hash, now time.Time) (*entry, bool) {
	if m.cache == nil {
		return nil, false
	}
	return m.cache.Get(h, now)
}

// fetch asks the store for h and caches the answer: a key, or the fact
// that there is none.
func (m *Manager) fetch(ctx context.Context, h Hash, now time.Time) (*entry, error) {
	k, err := m.store.GetByHash(ctx, h)
	switch {
	case errors.Is(err, ErrNotFound):
		m.remember(h, unknown, now, m.negTTL)
		return unknown, nil
	case err != nil:
		return nil, err
	}
	e := &entry{key: k, id: identityOf(k)}
	m.remember(h, e, now, m.posTTL)
	return e, nil
}

func (m *Manager) remember(h Hash, e *entry, now time.Time, ttl time.Duration) {
	if m.cache != nil && ttl > 0 {
		m.cache.Set(h, e, now.Add(ttl))
	}
}

// Invalidate drops the cached verification of the key with the given ID,
// so the next request sees the store's current record. Call it when the
// key was changed outside this Manager (another instance, a store
// notification).
func (m *Manager) Invalidate(id string) {
	if m.cache != nil {
		m.cache.DeleteFunc(func(_ Hash, e *entry) bool { return e.key != nil && e.key.ID == id })
	}
}

func (m *Manager) invalidateHash(h Hash) {
	if m.cache != nil {
		m.cache.Delete(h)
	}
}

// identityOf builds the identity a key authenticates as. Metadata become
// attributes; "owner" and "key_name" are set from the record and win.
func identityOf(k *Key) *auth.Identity {
	attrs := make(map[string]string, len(k.Metadata)+2)
	for name, v := range k.Metadata {
		attrs[name] = v
	}
	attrs["owner"], attrs["key_name"] = k.Owner, k.Name
	return &auth.Identity{ID: k.ID, Method: auth.MethodAPIKey, Plan: k.Plan, Scopes: k.Scopes, Attributes: attrs}
}
