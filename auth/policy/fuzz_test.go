package policy_test

import (
	"net/netip"
	"testing"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/auth/policy"
)

// FuzzParse feeds Parse arbitrary documents: it must not panic, and a
// document it accepts must evaluate without panicking and parse back from
// its MarshalJSON to a policy that decides the same way.
func FuzzParse(f *testing.F) {
	seeds := []string{
		stmt(`{"Sid":"A","Effect":"Allow","Action":["execute-api:Invoke","s3:*"],"Resource":"arn:aws:execute-api:*:*:api1/*/GET/*"}`),
		stmt(`{"Effect":"Deny","NotAction":"x:y","NotResource":["arn:aws:execute-api:eu-?:*","*"]}`),
		allowIf(`{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32","::ffff:1.2.3.4"]},"NotIpAddressIfExists":{"aws:SourceIp":"1.2.3.4"}}`),
		allowIf(`{"StringLike":{"tollgate:attr/team":"b*"},"StringNotEqualsIgnoreCase":{"aws:username":["x",1,true]}}`),
		allowIf(`{"DateGreaterThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"},"DateLessThanEquals":{"aws:CurrentTime":1893456000},"Null":{"tollgate:plan":"false"}}`),
		stmt(`{"Effect":"Deny","Action":"*","Resource":"arn:aws:execute-api:*:*:*/${aws:username}/${tollgate:attr/team, 'a''b'}${*}",
		  "Condition":{"StringLike":{"aws:userid":"${tollgate:plan}*"}}}`),
		allowIf(`{"ForAllValues:StringLike":{"tollgate:scope":["a*","b"]},"ForAnyValue:StringNotEqualsIgnoreCase":{"tollgate:scope":"X"}}`),
		`{"Version":"2008-10-17","Id":"x","Statement":{"Effect":"Allow","Action":"*","Resource":"arn:${x}"}}`,
		`{"Statement":[{"Effect":"Allow","effect":"Deny"}]}`,
		`{"Statement":[]} {}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	reqs := []policy.Request{
		{Action: policy.DefaultAction, Resource: petsARN, Identity: &auth.Identity{ID: "alice", Scopes: []string{"a1", "b"}}, SourceIP: netip.MustParseAddr("10.1.2.3"), CurrentTime: noon},
		{Action: "S3:GetObject", Resource: "arn:aws:s3:::b/k:1", Identity: &auth.Identity{ID: "x"}, SourceIP: netip.MustParseAddr("2001:db8::1")},
		{},
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		p, err := policy.Parse(doc)
		if err != nil {
			return
		}
		b, err := p.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON: %v", err)
		}
		again, err := policy.Parse(b)
		if err != nil {
			t.Fatalf("accepted document refused when parsed again: %v", err)
		}
		for i := range reqs {
			if x, y := policy.Evaluate(&reqs[i], p), policy.Evaluate(&reqs[i], again); x != y {
				t.Fatalf("request %d: %v, then %v after a round trip", i, x, y)
			}
		}
	})
}
