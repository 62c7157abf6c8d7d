package apikey

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Update lists the changes [Manager.Update] makes; nil fields are left
// as they are.
type Update struct {
	Name      *string
	Plan      *string
	Enabled   *bool
	Scopes    *[]string
	Metadata  *map[string]string
	ExpiresAt *time.Time
}

// Update applies u to the key with the given ID and returns the new record.
func (m *Manager) Update(ctx context.Context, id string, u Update) (*Key, error) {
	return m.modify(ctx, id, func(k *Key, _ time.Time) error {
		set(&k.Name, u.Name)
		set(&k.Plan, u.Plan)
		set(&k.Enabled, u.Enabled)
		set(&k.Scopes, u.Scopes)
		set(&k.Metadata, u.Metadata)
		set(&k.ExpiresAt, u.ExpiresAt)
		return nil
	})
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// Rotate gives the key a new secret and returns its plaintext. The old
// secret keeps verifying for grace (0 ends it at once), so clients can
// move over without an outage.
func (m *Manager) Rotate(ctx context.Context, id string, grace time.Duration) (string, *Key, error) {
	if grace < 0 {
		return "", nil, errors.New("apikey: negative grace period")
	}
	plaintext, err := generate(m.prefix)
	if err != nil {
		return "", nil, err
	}
	k, err := m.modify(ctx, id, func(k *Key, now time.Time) error {
		if !k.RevokedAt.IsZero() {
			return ErrRevoked
		}
		prev := slices.DeleteFunc(k.Previous, func(p PreviousSecret) bool { return !now.Before(p.ExpiresAt) })
		if grace > 0 {
			prev = append(prev, PreviousSecret{Hash: k.Hash, Start: k.Start, ExpiresAt: now.Add(grace)})
		}
		k.Previous = prev
		k.Hash, k.Start = HashKey(plaintext), plaintext[:len(m.prefix)+startLen]
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	return plaintext, k, nil
}

// Revoke ends the key for good: every secret of it stops verifying.
// Revoking a revoked key is not an error.
func (m *Manager) Revoke(ctx context.Context, id string) error {
	_, err := m.modify(ctx, id, func(k *Key, now time.Time) error {
		if k.RevokedAt.IsZero() {
			k.RevokedAt, k.Enabled = now, false
		}
		return nil
	})
	return err
}

// Delete removes the key's record altogether; its secrets then verify as
// unknown. Prefer [Manager.Revoke], which keeps the record for audit.
func (m *Manager) Delete(ctx context.Context, id string) error {
	if err := m.store.Delete(ctx, id); err != nil {
		return err
	}
	m.Invalidate(id)
	return nil
}

// maxAttempts bounds the optimistic-concurrency retries of modify.
const maxAttempts = 8

// modify reads the key, applies change and writes it back, retrying when
// a concurrent writer got there first.
func (m *Manager) modify(ctx context.Context, id string, change func(*Key, time.Time) error) (*Key, error) {
	k, err := m.write(ctx, id, change)
	if err == nil {
		m.Invalidate(id)
	}
	return k, err
}

// write is modify without cache invalidation.
func (m *Manager) write(ctx context.Context, id string, change func(*Key, time.Time) error) (*Key, error) {
	for range maxAttempts {
		k, err := m.store.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		now := m.now()
		if err := change(k, now); err != nil {
			return nil, err
		}
		k.UpdatedAt = now
		k.Version++
		err = m.store.Put(ctx, k)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return k, nil
	}
	return nil, fmt.Errorf("apikey: update of %s kept conflicting: %w", id, ErrConflict)
}

// TouchLastUsed records when keys were last used, typically from a batch
// of usage records rather than per request. Times older than the stored
// one are ignored; keys that no longer exist are skipped. It leaves the
// verification cache alone: the last-used time is not needed to verify.
// A store with a TouchLastUsed method of its own (one statement for the
// batch) is used directly; others get a read and a write per key.
func (m *Manager) TouchLastUsed(ctx context.Context, last map[string]time.Time) error {
	if s, ok := m.store.(lastUsedToucher); ok {
		return s.TouchLastUsed(ctx, last)
	}
	for id, t := range last {
		_, err := m.write(ctx, id, func(k *Key, _ time.Time) error {
			if !t.After(k.LastUsedAt) {
				return errUnchanged
			}
			k.LastUsedAt = t
			return nil
		})
		if err != nil && !errors.Is(err, errUnchanged) && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return nil
}

var errUnchanged = errors.New("apikey: unchanged")

// lastUsedToucher is a Store that records last-used times in bulk.
type lastUsedToucher interface {
	TouchLastUsed(ctx context.Context, last map[string]time.Time) error
}
