package policy_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/auth/policy"
)

func ExampleEvaluate() {
	p, err := policy.Parse([]byte(`{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Sid": "ReadPets", "Effect": "Allow", "Action": "execute-api:Invoke",
	     "Resource": "arn:aws:execute-api:*:*:petstore/*/GET/pets/*"},
	    {"Sid": "OfficeOnly", "Effect": "Deny", "Action": "*", "Resource": "*",
	     "Condition": {"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}
	  ]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	api := "arn:aws:execute-api:eu-west-1:123456789012:petstore/prod/"
	for _, r := range []policy.Request{
		{Action: policy.DefaultAction, Resource: api + "GET/pets/7", SourceIP: netip.MustParseAddr("192.0.2.10")},
		{Action: policy.DefaultAction, Resource: api + "DELETE/pets/7", SourceIP: netip.MustParseAddr("192.0.2.10")},
		{Action: policy.DefaultAction, Resource: api + "GET/pets/7", SourceIP: netip.MustParseAddr("198.51.100.1")},
	} {
		res := policy.Evaluate(&r, p)
		fmt.Printf("%v %q\n", res.Decision, res.Sid)
	}
	// Output:
	// Allow "ReadPets"
	// ImplicitDeny ""
	// ExplicitDeny "OfficeOnly"
}

func ExampleParse_refused() {
	_, err := policy.Parse([]byte(`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",
	  "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-123"}}}}`))
	fmt.Println(err)
	// Output:
	// policy: Statement[0].Condition.StringEquals["aws:PrincipalOrgID"]: unknown condition key
}

func ExampleExecuteAPI_ARN() {
	api := policy.ExecuteAPI{Region: "eu-west-1", Account: "123456789012", APIID: "petstore", Stage: "prod"}
	fmt.Println(api.ARN(httptest.NewRequest("GET", "/pets/7?full=1", nil)))
	// Output:
	// arn:aws:execute-api:eu-west-1:123456789012:petstore/prod/GET/pets/7
}

func ExampleAuthorizer_Middleware() {
	// Authentication first: here a toy token scheme naming the caller.
	authn := auth.AuthenticatorFunc(func(_ context.Context, r *http.Request) (*auth.Identity, error) {
		if id := r.Header.Get("X-Caller"); id != "" {
			return &auth.Identity{ID: id, Method: auth.MethodCustom}, nil
		}
		return nil, auth.ErrNoCredentials
	})

	// Then authorization: policies attached to identities.
	readOnly, err := policy.Parse([]byte(`{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
	  "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:*/*/GET/*"}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	store := policy.NewMemoryStore()
	_ = store.Put(context.Background(), "reader", policy.Attachment{Policies: []*policy.Policy{readOnly}})
	authz, err := policy.New(store)
	if err != nil {
		fmt.Println(err)
		return
	}

	hello := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "hello") })
	h := auth.Middleware(authn)(authz.Middleware(hello))
	for _, c := range []struct{ method, caller string }{{"GET", "reader"}, {"POST", "reader"}, {"GET", "stranger"}} {
		req := httptest.NewRequest(c.method, "/pets", nil)
		req.Header.Set("X-Caller", c.caller)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(c.method, c.caller, rec.Code)
	}
	// Output:
	// GET reader 200
	// POST reader 403
	// GET stranger 403
}
