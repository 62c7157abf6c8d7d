package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"strings"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/sigv4"
)

// CredentialStore is a [sigv4.CredentialStore] on the Store's database: a
// row per access key in <prefix>sigv4_credentials. It is safe for
// concurrent use.
//
// # Secrets
//
// The secret column holds each secret access key as it is: SigV4
// derives its signing keys from the secret itself, so unlike an API key
// it cannot be kept as a hash. Anyone who can read the table can sign as
// every key in it. Grant SELECT on it only to the service, encrypt the
// database (or its disk and backups) at rest, and keep it out of
// replicas and dumps that others read.
type CredentialStore struct {
	s *Store
	q credQueries
}

var _ sigv4.CredentialStore = (*CredentialStore)(nil)

// Credentials returns the Store's [sigv4.CredentialStore].
func (s *Store) Credentials() *CredentialStore { return s.creds }

type credQueries struct {
	lookup      *stmt
	put, delete string
}

const credCols = `access_key_id, secret, secret_version, session_token, identity, disabled, updated_at`

func newCredentialStore(s *Store) *CredentialStore {
	cols := strings.Split(credCols, ", ")
	return &CredentialStore{s: s, q: credQueries{
		lookup: s.newStmt(`SELECT ` + credCols + ` FROM {p}sigv4_credentials WHERE access_key_id = ?`),
		put: s.query(`INSERT INTO {p}sigv4_credentials (` + credCols + `) VALUES (?, ?, ?, ?, ?, ?, ?)` +
			s.onConflict("access_key_id", cols[1:], s.excluded)),
		delete: s.query(`DELETE FROM {p}sigv4_credentials WHERE access_key_id = ?`),
	}}
}

// Lookup implements [sigv4.CredentialStore]. A credential stored without
// an identity comes back with the default one.
func (cs *CredentialStore) Lookup(ctx context.Context, accessKeyID string) (sigv4.LookupResult, error) {
	var (
		c        sigv4.Credential
		identity sql.Null[[]byte]
		updated  int64
	)
	err := cs.s.queryRow(ctx, cs.q.lookup, func(row *sql.Row) error {
		return row.Scan(&c.AccessKeyID, &c.Secret, &c.SecretVersion, &c.SessionToken, &identity, &c.Disabled, &updated)
	}, accessKeyID)
	if errors.Is(err, sql.ErrNoRows) {
		return sigv4.LookupResult{}, nil
	}
	if err == nil {
		err = decodeJSON(identity, &c.Identity)
	}
	if err != nil {
		return sigv4.LookupResult{}, cs.s.fail(ctx, "lookup credential", err)
	}
	if c.Identity == nil {
		c.Identity = &auth.Identity{ID: c.AccessKeyID, Method: auth.MethodSigV4}
	}
	return sigv4.LookupResult{Found: true, Credential: c}, nil
}

// Put implements [sigv4.CredentialStore]: one upsert. An empty
// SecretVersion gets a random one.
func (cs *CredentialStore) Put(ctx context.Context, c sigv4.Credential) error {
	if c.AccessKeyID == "" || c.Secret == "" {
		return sigv4.ErrInvalidCredential
	}
	if c.SecretVersion == "" {
		c.SecretVersion = "s" + rand.Text()
	}
	identity, err := jsonCol(c.Identity)
	if err != nil {
		return err
	}
	return cs.s.retry(ctx, "put credential", nil, func(ctx context.Context) error {
		_, err := cs.s.db.ExecContext(ctx, cs.q.put, c.AccessKeyID, c.Secret, c.SecretVersion,
			c.SessionToken, identity, c.Disabled, cs.s.now().UnixMicro())
		return err
	})
}

// Delete implements [sigv4.CredentialStore].
func (cs *CredentialStore) Delete(ctx context.Context, accessKeyID string) error {
	return cs.s.retry(ctx, "delete credential", nil, func(ctx context.Context) error {
		_, err := cs.s.db.ExecContext(ctx, cs.q.delete, accessKeyID)
		return err
	})
}
