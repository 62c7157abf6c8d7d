package apikey

import (
	"context"
	"slices"
	"strings"
	"sync"
)

// MemoryStore is a [Store] in process memory, for tests, demos and single
// instances that can lose their keys on restart. Its zero value is ready
// to use, and it is safe for concurrent use.
type MemoryStore struct {
	mu     sync.RWMutex
	byID   map[string]*Key
	byHash map[Hash]string
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

// Get implements [Store].
func (s *MemoryStore) Get(ctx context.Context, id string) (*Key, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := s.byID[id]
	if !ok {
		return nil, ErrNotFound
	}
	return k.Clone(), nil
}

// GetByHash implements [Store].
func (s *MemoryStore) GetByHash(ctx context.Context, h Hash) (*Key, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.byHash[h]
	if !ok {
		return nil, ErrNotFound
	}
	return s.byID[id].Clone(), nil
}

// Put implements [Store].
func (s *MemoryStore) Put(ctx context.Context, k *Key) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byID == nil {
		s.byID, s.byHash = make(map[string]*Key), make(map[Hash]string)
	}
	old, exists := s.byID[k.ID]
	want := int64(1)
	if exists {
		want = old.Version + 1
	}
	if k.Version != want {
		return ErrConflict
	}
	hashes := k.Hashes()
	for _, h := range hashes {
		if id, ok := s.byHash[h]; ok && id != k.ID {
			return ErrConflict
		}
	}
	if exists {
		s.unindex(old)
	}
	for _, h := range hashes {
		s.byHash[h] = k.ID
	}
	s.byID[k.ID] = k.Clone()
	return nil
}

// List implements [Store].
func (s *MemoryStore) List(ctx context.Context, owner, after string, limit int) ([]*Key, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	var keys []*Key
	for _, k := range s.byID {
		if k.Owner == owner && k.ID > after {
			keys = append(keys, k.Clone())
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(keys, func(a, b *Key) int { return strings.Compare(a.ID, b.ID) })
	if len(keys) > limit {
		keys = keys[:limit]
	}
	return keys, nil
}

// Delete implements [Store].
func (s *MemoryStore) Delete(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if k, ok := s.byID[id]; ok {
		s.unindex(k)
		delete(s.byID, id)
	}
	return nil
}

func (s *MemoryStore) unindex(k *Key) {
	for _, h := range k.Hashes() {
		delete(s.byHash, h)
	}
}
