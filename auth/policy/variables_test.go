package policy_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/auth/policy"
)

func TestPolicyVariables(t *testing.T) {
	const api = "arn:aws:execute-api:eu-west-1:123456789012:api1/prod/GET/"
	allowRes := func(res string) string {
		return stmt(`{"Effect":"Allow","Action":"*","Resource":"arn:aws:execute-api:*:*:api1/*/GET/` + res + `"}`)
	}
	as := func(id *auth.Identity, path string) func(*policy.Request) {
		return func(r *policy.Request) { r.Identity, r.Resource = id, api+path }
	}
	bob := &auth.Identity{ID: "bob"}
	star := &auth.Identity{ID: "*"}
	tests := []struct {
		name   string
		docs   []string
		change func(*policy.Request)
		want   policy.Decision
	}{
		{"own resource", []string{allowRes(`users/${aws:username}/*`)}, as(alice, "users/alice/orders"), policy.Allow},
		{"someone else's", []string{allowRes(`users/${aws:username}/*`)}, as(bob, "users/alice/orders"), policy.ImplicitDeny},
		{"value is literal, not a wildcard", []string{allowRes(`users/${aws:username}/*`)}, as(star, "users/alice/orders"), policy.ImplicitDeny},
		{"literal star matches itself", []string{allowRes(`users/${aws:username}/*`)}, as(star, "users/*/orders"), policy.Allow},
		{"key name case-insensitive, spaces ignored", []string{allowRes(`users/${ AWS:UserName }`)}, as(alice, "users/alice"), policy.Allow},
		{"attribute variable", []string{allowRes(`teams/${tollgate:attr/team}/*`)}, as(alice, "teams/blue/x"), policy.Allow},
		{"default when absent", []string{allowRes(`teams/${tollgate:attr/team, 'lobby'}/*`)}, as(bob, "teams/lobby/x"), policy.Allow},
		{"default ignored when present", []string{allowRes(`teams/${tollgate:attr/team, 'lobby'}/*`)}, as(alice, "teams/lobby/x"), policy.ImplicitDeny},
		{"quote in default", []string{allowRes(`teams/${tollgate:attr/team, 'o''neil'}`)}, as(bob, "teams/o'neil"), policy.Allow},
		{"escaped wildcard characters", []string{allowRes(`a${*}b${?}c${$}`)}, as(alice, "a*b?c$"), policy.Allow},
		{"escaped star is not a wildcard", []string{allowRes(`a${*}b`)}, as(alice, "axxb"), policy.ImplicitDeny},
		{"unresolved: allow does not apply", []string{allowRes(`teams/${tollgate:attr/team}/*`)}, as(bob, "teams/blue/x"), policy.ImplicitDeny},
		{"unresolved: deny applies (fail closed)", []string{allowRes(`*`), stmt(`{"Effect":"Deny","Action":"*","Resource":"arn:aws:execute-api:*:*:api1/*/GET/teams/${tollgate:attr/team}/*"}`)}, as(bob, "users/bob"), policy.ExplicitDeny},
		{"unresolved deny needs its action", []string{allowRes(`*`), stmt(`{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::${tollgate:attr/team}/*"}`)}, as(bob, "users/bob"), policy.Allow},
		{"variable in StringEquals", []string{allowIf(`{"StringEquals":{"tollgate:attr/owner":"${aws:userid}"}}`)},
			func(r *policy.Request) {
				r.Identity = &auth.Identity{ID: "c", Attributes: map[string]string{"owner": "c"}}
			}, policy.Allow},
		{"StringEquals does not glob a variable", []string{allowIf(`{"StringEquals":{"tollgate:attr/owner":"${aws:userid}*"}}`)},
			func(r *policy.Request) {
				r.Identity = &auth.Identity{ID: "c", Attributes: map[string]string{"owner": "cc"}}
			}, policy.ImplicitDeny},
		{"variable in StringLike", []string{allowIf(`{"StringLike":{"tollgate:attr/owner":"${aws:userid}*"}}`)},
			func(r *policy.Request) {
				r.Identity = &auth.Identity{ID: "c", Attributes: map[string]string{"owner": "cc"}}
			}, policy.Allow},
		{"2008 version: plain text", []string{`{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:execute-api:*:*:api1/*/GET/${aws:username}"}}`},
			as(alice, "${aws:username}"), policy.Allow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, evaluate(t, tt.docs, tt.change).Decision)
		})
	}
}
