// Package sigv4test is a conformance suite for implementations of
// [sigv4.CredentialStore], shaped like testing/fstest: call [Run] from a
// test with a constructor for empty stores.
package sigv4test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/sigv4"
)

// Run checks that the stores newStore returns keep the CredentialStore
// contract, one subtest per clause. newStore must return an empty store
// each time it is called.
func Run(t *testing.T, newStore func(t *testing.T) sigv4.CredentialStore) {
	t.Helper()
	clauses := []struct {
		name string
		fn   func(*testing.T, sigv4.CredentialStore)
	}{
		{"UnknownKeyIsNotFound", unknownKeyIsNotFound},
		{"PutThenLookup", putThenLookup},
		{"PutAssignsVersion", putAssignsVersion},
		{"PutKeepsGivenVersion", putKeepsGivenVersion},
		{"RotationChangesVersion", rotationChangesVersion},
		{"PutReplaces", putReplaces},
		{"Delete", deleteClause},
		{"InvalidCredential", invalidCredential},
		{"KeysAreIndependent", keysAreIndependent},
		{"CanceledContext", canceledContext},
		{"Concurrent", concurrent},
	}
	for _, c := range clauses {
		t.Run(c.name, func(t *testing.T) { c.fn(t, newStore(t)) })
	}
}

var ctx = context.Background()

func lookup(t *testing.T, s sigv4.CredentialStore, id string) sigv4.LookupResult {
	t.Helper()
	res, err := s.Lookup(ctx, id)
	if err != nil {
		t.Fatalf("Lookup(%q): %v", id, err)
	}
	return res
}

func put(t *testing.T, s sigv4.CredentialStore, c sigv4.Credential) {
	t.Helper()
	if err := s.Put(ctx, c); err != nil {
		t.Fatalf("Put(%q): %v", c.AccessKeyID, err)
	}
}

func unknownKeyIsNotFound(t *testing.T, s sigv4.CredentialStore) {
	if res := lookup(t, s, "AKIDUNKNOWN"); res.Found {
		t.Errorf("Lookup of an unknown key: Found = true, want false")
	}
}

func putThenLookup(t *testing.T, s sigv4.CredentialStore) {
	in := sigv4.Credential{
		AccessKeyID: "AKID1", Secret: "secret-1", SessionToken: "token-1", Disabled: true,
		Identity: &auth.Identity{ID: "alice", Method: auth.MethodSigV4, Plan: "gold"},
	}
	put(t, s, in)
	res := lookup(t, s, "AKID1")
	got := res.Credential
	switch {
	case !res.Found:
		t.Fatalf("Lookup after Put: not found")
	case got.AccessKeyID != in.AccessKeyID || got.Secret != in.Secret || got.SessionToken != in.SessionToken || got.Disabled != in.Disabled:
		t.Errorf("Lookup = %+v, want the fields of %+v", got, in)
	case got.Identity == nil || got.Identity.ID != "alice" || got.Identity.Plan != "gold" || got.Identity.Method != auth.MethodSigV4:
		t.Errorf("Lookup identity = %+v, want alice on gold via sigv4", got.Identity)
	}
}

func putAssignsVersion(t *testing.T, s sigv4.CredentialStore) {
	put(t, s, sigv4.Credential{AccessKeyID: "AKID1", Secret: "secret-1"})
	if v := lookup(t, s, "AKID1").Credential.SecretVersion; v == "" {
		t.Errorf("Put without a version: SecretVersion is empty, want one assigned")
	}
}

func putKeepsGivenVersion(t *testing.T, s sigv4.CredentialStore) {
	put(t, s, sigv4.Credential{AccessKeyID: "AKID1", Secret: "secret-1", SecretVersion: "v7"})
	if v := lookup(t, s, "AKID1").Credential.SecretVersion; v != "v7" {
		t.Errorf("SecretVersion = %q, want v7 as given", v)
	}
}

func rotationChangesVersion(t *testing.T, s sigv4.CredentialStore) {
	put(t, s, sigv4.Credential{AccessKeyID: "AKID1", Secret: "secret-1"})
	before := lookup(t, s, "AKID1").Credential.SecretVersion
	put(t, s, sigv4.Credential{AccessKeyID: "AKID1", Secret: "secret-2"})
	after := lookup(t, s, "AKID1").Credential
	if after.Secret != "secret-2" || after.SecretVersion == before {
		t.Errorf("after rotation: secret %q version %q (was %q); want the new secret under a new version",
			after.Secret, after.SecretVersion, before)
	}
}

func putReplaces(t *testing.T, s sigv4.CredentialStore) {
	put(t, s, sigv4.Credential{AccessKeyID: "AKID1", Secret: "secret-1", SessionToken: "tok"})
	put(t, s, sigv4.Credential{AccessKeyID: "AKID1", Secret: "secret-1", Disabled: true})
	got := lookup(t, s, "AKID1").Credential
	if !got.Disabled || got.SessionToken != "" {
		t.Errorf("after a second Put: %+v, want disabled and no session token", got)
	}
}

func deleteClause(t *testing.T, s sigv4.CredentialStore) {
	put(t, s, sigv4.Credential{AccessKeyID: "AKID1", Secret: "secret-1"})
	if err := s.Delete(ctx, "AKID1"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if lookup(t, s, "AKID1").Found {
		t.Errorf("Lookup after Delete: found")
	}
	if err := s.Delete(ctx, "AKIDUNKNOWN"); err != nil {
		t.Errorf("Delete of an unknown key: %v, want nil", err)
	}
}

func invalidCredential(t *testing.T, s sigv4.CredentialStore) {
	for _, c := range []sigv4.Credential{{Secret: "s"}, {AccessKeyID: "AKID1"}} {
		if err := s.Put(ctx, c); !errors.Is(err, sigv4.ErrInvalidCredential) {
			t.Errorf("Put(%+v) = %v, want ErrInvalidCredential", c, err)
		}
	}
}

func keysAreIndependent(t *testing.T, s sigv4.CredentialStore) {
	put(t, s, sigv4.Credential{AccessKeyID: "AKID1", Secret: "secret-1"})
	put(t, s, sigv4.Credential{AccessKeyID: "AKID2", Secret: "secret-2"})
	if err := s.Delete(ctx, "AKID1"); err != nil {
		t.Fatal(err)
	}
	if got := lookup(t, s, "AKID2").Credential.Secret; got != "secret-2" {
		t.Errorf("AKID2 secret = %q after deleting AKID1, want secret-2", got)
	}
}

func canceledContext(t *testing.T, s sigv4.CredentialStore) {
	c, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Lookup(c, "AKID1"); !errors.Is(err, context.Canceled) {
		t.Errorf("Lookup with a canceled context = %v, want context.Canceled", err)
	}
}

func concurrent(t *testing.T, s sigv4.CredentialStore) {
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			id := fmt.Sprintf("AKID%d", i)
			for j := range 50 {
				if err := s.Put(ctx, sigv4.Credential{AccessKeyID: id, Secret: fmt.Sprint("secret-", j)}); err != nil {
					t.Error(err)
					return
				}
				if res, err := s.Lookup(ctx, id); err != nil || !res.Found {
					t.Errorf("Lookup(%s) = %+v, %v", id, res, err)
					return
				}
			}
		})
	}
	wg.Wait()
}
