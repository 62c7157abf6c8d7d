package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/sigv4"
)

// CredentialStore is a [sigv4.CredentialStore] in Redis: one string per
// access key holding the credential as JSON, so a lookup, a put and a
// delete are one command each. SigV4 needs the secret itself to check a
// signature, so the secret is stored as it is: protect the Redis
// deployment (ACLs, TLS) as you would a secrets store.
//
// It is safe for concurrent use.
type CredentialStore struct {
	s *Store
}

var _ sigv4.CredentialStore = (*CredentialStore)(nil)

// Credentials returns the store of SigV4 access keys.
func (s *Store) Credentials() *CredentialStore { return &CredentialStore{s: s} }

// credentialRecord is a [sigv4.Credential] as stored.
type credentialRecord struct {
	AccessKeyID   string            `json:"access_key_id"`
	Secret        string            `json:"secret"`
	SecretVersion string            `json:"secret_version"`
	SessionToken  string            `json:"session_token,omitempty"`
	Disabled      bool              `json:"disabled,omitempty"`
	ID            string            `json:"identity_id"`
	Method        auth.Method       `json:"identity_method"`
	Plan          string            `json:"identity_plan,omitempty"`
	Scopes        []string          `json:"identity_scopes,omitempty"`
	Attributes    map[string]string `json:"identity_attributes,omitempty"`
}

func (c *CredentialStore) key(accessKeyID string) string { return c.s.prefix + "sigv4:" + accessKeyID }

// Lookup implements [sigv4.CredentialStore].
func (c *CredentialStore) Lookup(ctx context.Context, accessKeyID string) (sigv4.LookupResult, error) {
	if err := ctx.Err(); err != nil {
		return sigv4.LookupResult{}, err
	}
	cc, cancel := c.s.call(ctx)
	defer cancel()
	data, err := c.s.client.Get(cc, c.key(accessKeyID)).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return sigv4.LookupResult{}, nil
	case err != nil:
		return sigv4.LookupResult{}, c.s.fail(ctx, "look up sigv4 credential", err)
	}
	var r credentialRecord
	if err := json.Unmarshal(data, &r); err != nil {
		return sigv4.LookupResult{}, fmt.Errorf("redisstore: look up sigv4 credential: corrupt record: %w", err)
	}
	return sigv4.LookupResult{Found: true, Credential: sigv4.Credential{
		AccessKeyID: r.AccessKeyID, Secret: r.Secret, SecretVersion: r.SecretVersion,
		SessionToken: r.SessionToken, Disabled: r.Disabled,
		Identity: &auth.Identity{ID: r.ID, Method: r.Method, Plan: r.Plan, Scopes: r.Scopes, Attributes: r.Attributes},
	}}, nil
}

// Put implements [sigv4.CredentialStore]. An empty SecretVersion is
// replaced by a random one.
func (c *CredentialStore) Put(ctx context.Context, cred sigv4.Credential) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if cred.AccessKeyID == "" || cred.Secret == "" {
		return sigv4.ErrInvalidCredential
	}
	id := cred.Identity
	if id == nil {
		id = &auth.Identity{ID: cred.AccessKeyID, Method: auth.MethodSigV4}
	}
	if cred.SecretVersion == "" {
		cred.SecretVersion = "r" + rand.Text()
	}
	data, err := json.Marshal(credentialRecord{
		AccessKeyID: cred.AccessKeyID, Secret: cred.Secret, SecretVersion: cred.SecretVersion,
		SessionToken: cred.SessionToken, Disabled: cred.Disabled,
		ID: id.ID, Method: id.Method, Plan: id.Plan, Scopes: id.Scopes, Attributes: id.Attributes,
	})
	if err != nil {
		return fmt.Errorf("redisstore: encode sigv4 credential: %w", err)
	}
	cc, cancel := c.s.call(ctx)
	defer cancel()
	if err := c.s.client.Set(cc, c.key(cred.AccessKeyID), data, 0).Err(); err != nil {
		return c.s.fail(ctx, "put sigv4 credential", err)
	}
	return nil
}

// Delete implements [sigv4.CredentialStore].
func (c *CredentialStore) Delete(ctx context.Context, accessKeyID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cc, cancel := c.s.call(ctx)
	defer cancel()
	if err := c.s.client.Del(cc, c.key(accessKeyID)).Err(); err != nil {
		return c.s.fail(ctx, "delete sigv4 credential", err)
	}
	return nil
}
