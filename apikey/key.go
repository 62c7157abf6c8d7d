package apikey

import (
	"errors"
	"maps"
	"slices"
	"time"
)

// Errors returned by [Manager.Verify] and the key operations. Match them
// with [errors.Is].
var (
	// ErrMalformed: the value cannot be a key (bad shape or checksum); no
	// store was asked.
	ErrMalformed = errors.New("apikey: malformed key")
	// ErrUnknown: no key has this value.
	ErrUnknown = errors.New("apikey: unknown key")
	// ErrDisabled: the key exists but is disabled.
	ErrDisabled = errors.New("apikey: key disabled")
	// ErrExpired: the key, or the rotated-out secret used, has expired.
	ErrExpired = errors.New("apikey: key expired")
	// ErrRevoked: the key was revoked.
	ErrRevoked = errors.New("apikey: key revoked")
	// ErrNotFound: no key has the ID (or hash) asked for.
	ErrNotFound = errors.New("apikey: key not found")
	// ErrConflict: a write lost a race (stale Version) or would reuse an ID
	// or a secret hash that another key holds.
	ErrConflict = errors.New("apikey: conflicting write")
)

// Key is an API key's record. It never holds the plaintext secret.
type Key struct {
	// ID is the key's non-secret identifier (a UUID).
	ID string
	// Hash is the SHA-256 of the current secret.
	Hash Hash
	// Start is a short non-secret display prefix of the current secret,
	// such as "tg_live_Ab3d", to help people tell keys apart.
	Start string
	// Name is a human label; Owner names the subscriber the key belongs to.
	Name, Owner string
	// Plan names the usage plan the key is on.
	Plan string
	// Scopes are the permissions the key grants.
	Scopes []string
	// Metadata holds free-form attributes.
	Metadata map[string]string
	// Enabled is false for a key switched off (it can be switched on again).
	Enabled bool
	// CreatedAt and UpdatedAt record the key's history.
	CreatedAt, UpdatedAt time.Time
	// ExpiresAt, if not zero, is when the key stops verifying.
	ExpiresAt time.Time
	// LastUsedAt is when the key was last seen, updated in batches.
	LastUsedAt time.Time
	// RevokedAt, if not zero, is when the key was revoked for good.
	RevokedAt time.Time
	// Previous lists rotated-out secrets still inside their grace period.
	Previous []PreviousSecret
	// Version counts writes; a store accepts a write only for the next
	// version (optimistic concurrency). A new key has Version 1.
	Version int64
}

// PreviousSecret is a secret replaced by [Manager.Rotate] that keeps
// verifying until ExpiresAt.
type PreviousSecret struct {
	Hash      Hash
	Start     string
	ExpiresAt time.Time
}

// Clone returns a deep copy of k.
func (k *Key) Clone() *Key {
	c := *k
	c.Scopes = slices.Clone(k.Scopes)
	c.Metadata = maps.Clone(k.Metadata)
	c.Previous = slices.Clone(k.Previous)
	return &c
}

// Hashes returns every hash the key answers to: the current one first,
// then those of previous secrets.
func (k *Key) Hashes() []Hash {
	hs := make([]Hash, 0, 1+len(k.Previous))
	hs = append(hs, k.Hash)
	for _, p := range k.Previous {
		hs = append(hs, p.Hash)
	}
	return hs
}

// check returns why the key may not be used at now with the secret
// hashed to h, or nil.
func (k *Key) check(h Hash, now time.Time) error {
	switch {
	case !k.RevokedAt.IsZero():
		return ErrRevoked
	case !k.Enabled:
		return ErrDisabled
	case !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt):
		return ErrExpired
	}
	if equal(h, k.Hash) {
		return nil
	}
	for _, p := range k.Previous {
		if equal(h, p.Hash) {
			if now.Before(p.ExpiresAt) {
				return nil
			}
			return ErrExpired
		}
	}
	return ErrUnknown
}
