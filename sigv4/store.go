package sigv4

import (
	"context"
	"errors"
	"strconv"
	"sync"

	"github.com/tollgate/tollgate/auth"
)

// ErrInvalidCredential is returned by [CredentialStore.Put] for a
// credential without an access key ID or secret.
var ErrInvalidCredential = errors.New("sigv4: credential needs an access key ID and a secret")

// Credential is one access key: what a caller signs with, and who they are.
type Credential struct {
	// AccessKeyID names the key; it appears in every signed request.
	AccessKeyID string
	// Secret is the secret access key.
	Secret string
	// SecretVersion changes whenever Secret does. The verifier's signing
	// key cache is keyed by it; a store that leaves it empty on Put has
	// one assigned.
	SecretVersion string
	// SessionToken, when set, must arrive as X-Amz-Security-Token with
	// every request signed by this key (temporary credentials). When
	// empty, a request carrying a token is refused.
	SessionToken string
	// Identity is what an authenticated request is attributed to. Nil
	// means an identity with ID AccessKeyID and Method [auth.MethodSigV4].
	Identity *auth.Identity
	// Disabled refuses every request signed with the key, as an inactive
	// IAM access key is. The zero value is an enabled key.
	Disabled bool
}

// LookupResult is what [CredentialStore.Lookup] found.
type LookupResult struct {
	// Found is false when the access key ID is unknown.
	Found bool
	// Credential is the stored credential when Found.
	Credential Credential
}

// CredentialStore holds access keys. The verifier reads it on every
// request, so a revoked or rotated key stops verifying at once.
type CredentialStore interface {
	// Lookup returns the credential for accessKeyID. An unknown key is a
	// value (Found false, nil error); an error means the store failed.
	Lookup(ctx context.Context, accessKeyID string) (LookupResult, error)
	// Put stores c, replacing any credential with its access key ID. It
	// assigns a new SecretVersion when c.SecretVersion is empty. A
	// credential without access key ID or secret is
	// [ErrInvalidCredential].
	Put(ctx context.Context, c Credential) error
	// Delete removes the credential for accessKeyID; deleting an unknown
	// key is not an error.
	Delete(ctx context.Context, accessKeyID string) error
}

// MemoryStore is a [CredentialStore] held in memory. Its zero value is
// ready to use; it is safe for concurrent use.
type MemoryStore struct {
	mu      sync.RWMutex
	creds   map[string]Credential
	version uint64
}

var _ CredentialStore = (*MemoryStore)(nil)

// NewMemoryStore returns an empty [MemoryStore].
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

// Lookup implements [CredentialStore].
func (s *MemoryStore) Lookup(ctx context.Context, accessKeyID string) (LookupResult, error) {
	if err := ctx.Err(); err != nil {
		return LookupResult{}, err
	}
	s.mu.RLock()
	c, ok := s.creds[accessKeyID]
	s.mu.RUnlock()
	return LookupResult{Found: ok, Credential: c}, nil
}

// Put implements [CredentialStore]. It stores a copy of c.Identity, so
// later changes to the caller's value have no effect.
func (s *MemoryStore) Put(ctx context.Context, c Credential) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.AccessKeyID == "" || c.Secret == "" {
		return ErrInvalidCredential
	}
	if c.Identity == nil {
		c.Identity = &auth.Identity{ID: c.AccessKeyID, Method: auth.MethodSigV4}
	} else {
		c.Identity = c.Identity.Clone()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.SecretVersion == "" {
		s.version++
		c.SecretVersion = "m" + strconv.FormatUint(s.version, 10)
	}
	if s.creds == nil {
		s.creds = make(map[string]Credential)
	}
	s.creds[c.AccessKeyID] = c
	return nil
}

// Delete implements [CredentialStore].
func (s *MemoryStore) Delete(ctx context.Context, accessKeyID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.creds, accessKeyID)
	s.mu.Unlock()
	return nil
}
