package policy_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/auth/policy"
)

const petsARN = "arn:aws:execute-api:eu-west-1:123456789012:api1/prod/GET/pets/1"

var (
	noon  = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	alice = &auth.Identity{ID: "alice", Method: auth.MethodSigV4, Plan: "gold",
		Attributes: map[string]string{"team": "blue"}}
)

func mustParse(t testing.TB, doc string) *policy.Policy {
	t.Helper()
	p, err := policy.Parse([]byte(doc))
	require.NoError(t, err, doc)
	return p
}

// stmt wraps statements in a 2012-10-17 document.
func stmt(statements string) string {
	return `{"Version":"2012-10-17","Statement":[` + statements + `]}`
}

// allowIf is an Allow on everything under a condition block.
func allowIf(cond string) string {
	return stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":` + cond + `}`)
}

func baseRequest() policy.Request {
	return policy.Request{
		Action:      policy.DefaultAction,
		Resource:    petsARN,
		Identity:    alice,
		SourceIP:    netip.MustParseAddr("10.1.2.3"),
		CurrentTime: noon,
	}
}

func TestEvaluateElements(t *testing.T) {
	allowAll := stmt(`{"Effect":"Allow","Action":"*","Resource":"*"}`)
	tests := []struct {
		name   string
		docs   []string
		change func(*policy.Request)
		want   policy.Decision
	}{
		{"no policies: implicit deny", nil, nil, policy.ImplicitDeny},
		{"allow all", []string{allowAll}, nil, policy.Allow},
		{"single statement object", []string{`{"Statement":{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}}`}, nil, policy.Allow},
		{"deny wins in same policy", []string{stmt(`{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*"}`)}, nil, policy.ExplicitDeny},
		{"deny wins across policies", []string{allowAll, stmt(`{"Effect":"Deny","Action":"execute-api:*","Resource":"*"}`)}, nil, policy.ExplicitDeny},
		{"non-matching deny ignored", []string{allowAll, stmt(`{"Effect":"Deny","Action":"*","Resource":"arn:aws:execute-api:*:*:api1/*/DELETE/*"}`)}, nil, policy.Allow},
		{"action case-insensitive", []string{stmt(`{"Effect":"Allow","Action":"EXECUTE-API:invoke","Resource":"*"}`)}, nil, policy.Allow},
		{"action wildcard", []string{stmt(`{"Effect":"Allow","Action":"execute-api:In*","Resource":"*"}`)}, nil, policy.Allow},
		{"other action", []string{stmt(`{"Effect":"Allow","Action":"execute-api:ManageConnections","Resource":"*"}`)}, nil, policy.ImplicitDeny},
		{"action list is OR", []string{stmt(`{"Effect":"Allow","Action":["s3:GetObject","execute-api:Invoke"],"Resource":"*"}`)}, nil, policy.Allow},
		{"resource case-sensitive", []string{stmt(`{"Effect":"Allow","Action":"*","Resource":"arn:aws:execute-api:*:*:api1/prod/GET/Pets/*"}`)}, nil, policy.ImplicitDeny},
		{"resource question mark", []string{stmt(`{"Effect":"Allow","Action":"*","Resource":"arn:aws:execute-api:*:*:api1/prod/GET/pets/?"}`)}, nil, policy.Allow},
		{"resource list is OR", []string{stmt(`{"Effect":"Allow","Action":"*","Resource":["arn:aws:execute-api:*:*:api2/*","arn:aws:execute-api:*:*:api1/*"]}`)}, nil, policy.Allow},
		{"NotAction allows other actions", []string{stmt(`{"Effect":"Allow","NotAction":"execute-api:ManageConnections","Resource":"*"}`)}, nil, policy.Allow},
		{"NotAction excludes its action", []string{stmt(`{"Effect":"Allow","NotAction":"execute-api:*","Resource":"*"}`)}, nil, policy.ImplicitDeny},
		{"NotResource deny everything else", []string{allowAll, stmt(`{"Effect":"Deny","Action":"*","NotResource":"arn:aws:execute-api:*:*:api1/prod/*"}`)}, nil, policy.Allow},
		{"NotResource deny hits", []string{allowAll, stmt(`{"Effect":"Deny","Action":"*","NotResource":"arn:aws:execute-api:*:*:api1/test/*"}`)}, nil, policy.ExplicitDeny},
		{"nil identity still evaluates", []string{allowAll}, func(r *policy.Request) { r.Identity = nil }, policy.Allow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, evaluate(t, tt.docs, tt.change).Decision)
		})
	}
}

func evaluate(t *testing.T, docs []string, change func(*policy.Request)) policy.Result {
	t.Helper()
	var ps []*policy.Policy
	for _, d := range docs {
		ps = append(ps, mustParse(t, d))
	}
	r := baseRequest()
	if change != nil {
		change(&r)
	}
	return policy.Evaluate(&r, ps...)
}

func TestEvaluateResult(t *testing.T) {
	allow := mustParse(t, `{"Id":"p1","Statement":[{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"}]}`)
	deny := mustParse(t, `{"Id":"p2","Statement":[{"Sid":"D","Effect":"Deny","Action":"*","Resource":"*"}]}`)
	r := baseRequest()
	assert.Equal(t, policy.Result{Decision: policy.Allow, PolicyID: "p1", Sid: "A"}, policy.Evaluate(&r, allow, nil))
	res := policy.Evaluate(&r, allow, deny)
	assert.Equal(t, policy.Result{Decision: policy.ExplicitDeny, PolicyID: "p2", Sid: "D"}, res)
	assert.False(t, res.Allowed())
	assert.Equal(t, "ExplicitDeny", res.Decision.String())
	assert.Equal(t, "ImplicitDeny", policy.Evaluate(&r).Decision.String())
}

func TestEvaluateDoesNotAllocate(t *testing.T) {
	p := mustParse(t, benchPolicy)
	r := baseRequest()
	r.Resource = "arn:aws:execute-api:eu-west-1:123456789012:api1/prod/PUT/pets/42"
	allocs := testing.AllocsPerRun(100, func() {
		if !policy.Evaluate(&r, p, p).Allowed() {
			t.Fatal("denied")
		}
	})
	assert.Zero(t, allocs)
}
