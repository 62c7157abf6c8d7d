package policy

import (
	"context"
	"slices"
	"sync"
)

// Attachment is the set of policies attached to one identity.
type Attachment struct {
	// Policies are evaluated together by [Evaluate]. Treat the slice as
	// read-only: stores may share it between callers.
	Policies []*Policy
}

// Store holds the policies attached to identities, keyed by
// [auth.Identity] ID. Implementations are safe for concurrent use.
//
// An identity with nothing attached is a value, not an error: Get returns
// an empty Attachment and a nil error, and evaluation then denies by
// default. Errors mean the store failed to answer (a backend is down,
// ctx.Err()); the authorizer answers them with 503.
type Store interface {
	// Get returns the policies attached to the identity.
	Get(ctx context.Context, identityID string) (Attachment, error)
	// Put replaces the policies attached to the identity.
	Put(ctx context.Context, identityID string, a Attachment) error
	// Delete detaches every policy from the identity. Deleting an
	// identity with nothing attached is not an error.
	Delete(ctx context.Context, identityID string) error
}

// MemoryStore is a [Store] in memory. Its zero value is ready to use; it
// is safe for concurrent use, and Get takes no lock: policies are read on
// every request and rarely attached.
type MemoryStore struct {
	m sync.Map // identity ID → []*Policy, never modified once stored
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

// Get returns the policies attached to identityID. It fails only with
// ctx.Err().
func (s *MemoryStore) Get(ctx context.Context, identityID string) (Attachment, error) {
	if err := ctx.Err(); err != nil {
		return Attachment{}, err
	}
	ps, _ := s.m.Load(identityID)
	list, _ := ps.([]*Policy) // nil when nothing is attached
	return Attachment{Policies: list}, nil
}

// Put replaces the policies attached to identityID with a copy of
// a.Policies; attaching none detaches all. Nil policies are dropped.
func (s *MemoryStore) Put(ctx context.Context, identityID string, a Attachment) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ps := slices.DeleteFunc(slices.Clone(a.Policies), func(p *Policy) bool { return p == nil })
	if len(ps) == 0 {
		s.m.Delete(identityID)
		return nil
	}
	s.m.Store(identityID, slices.Clip(ps))
	return nil
}

// Delete detaches every policy from identityID.
func (s *MemoryStore) Delete(ctx context.Context, identityID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.m.Delete(identityID)
	return nil
}
