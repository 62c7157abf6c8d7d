package apikey

import (
	"context"
	"crypto/subtle"
)

// Store keeps key records. Implementations must be safe for concurrent
// use; package apikeytest checks one against this contract.
//
// A key that does not exist is reported as ErrNotFound; any other error
// is a backend failure. Records returned are the caller's to modify.
type Store interface {
	// Get returns the key with the given ID, or ErrNotFound.
	Get(ctx context.Context, id string) (*Key, error)
	// GetByHash returns the key whose current or previous secret has hash
	// h, or ErrNotFound.
	GetByHash(ctx context.Context, h Hash) (*Key, error)
	// Put writes k if k.Version is one more than the stored version (1 for
	// a new key) and indexes all of k's hashes, dropping the ones the old
	// version had and k has not. It returns ErrConflict for a stale
	// version or a hash held by another key.
	Put(ctx context.Context, k *Key) error
	// List returns up to limit keys of owner with IDs greater than after,
	// in ID order.
	List(ctx context.Context, owner, after string, limit int) ([]*Key, error)
	// Delete removes the key and its hashes; deleting a missing key is
	// not an error.
	Delete(ctx context.Context, id string) error
}

func equal(a, b Hash) bool { return subtle.ConstantTimeCompare(a[:], b[:]) == 1 }
