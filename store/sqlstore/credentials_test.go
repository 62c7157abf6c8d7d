package sqlstore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/sigv4"
	"github.com/tollgate/tollgate/sigv4/sigv4test"
)

func TestCredentialStoreConformance(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			db := newDatabase(t, d)
			sigv4test.Run(t, func(t *testing.T) sigv4.CredentialStore { return newStore(t, db).Credentials() })
		})
	}
}

// TestCredentialIdentityRoundTrips stores an identity with scopes and
// attributes, and one without an identity, which reads back as the
// default.
func TestCredentialIdentityRoundTrips(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.String(), func(t *testing.T) {
			cs := newStore(t, newDatabase(t, d)).Credentials()
			ctx := context.Background()
			id := &auth.Identity{ID: "svc", Method: auth.MethodSigV4, Plan: "gold",
				Scopes: []string{"read"}, Attributes: map[string]string{"team": "ops"}}
			require.NoError(t, cs.Put(ctx, sigv4.Credential{AccessKeyID: "AKID1", Secret: "s1", Identity: id}))
			require.NoError(t, cs.Put(ctx, sigv4.Credential{AccessKeyID: "AKID2", Secret: "s2"}))
			res, err := cs.Lookup(ctx, "AKID1")
			require.NoError(t, err)
			assert.Equal(t, id, res.Credential.Identity)
			res, err = cs.Lookup(ctx, "AKID2")
			require.NoError(t, err)
			assert.Equal(t, &auth.Identity{ID: "AKID2", Method: auth.MethodSigV4}, res.Credential.Identity)
		})
	}
}
