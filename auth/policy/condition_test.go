package policy_test

import (
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/auth/policy"
)

// condCase is an Allow-everything policy under cond, evaluated against
// the base request as changed by change.
type condCase struct {
	name   string
	cond   string
	change func(*policy.Request)
	want   bool
}

func runConditions(t *testing.T, tests []condCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := policy.ImplicitDeny
			if tt.want {
				want = policy.Allow
			}
			assert.Equal(t, want, evaluate(t, []string{allowIf(tt.cond)}, tt.change).Decision)
		})
	}
}

func ip(s string) func(*policy.Request) {
	return func(r *policy.Request) { r.SourceIP = netip.MustParseAddr(s) }
}

func noIP(r *policy.Request) { r.SourceIP = netip.Addr{} }

func noID(r *policy.Request) { r.Identity = nil }

func TestConditionIPAddress(t *testing.T) {
	runConditions(t, []condCase{
		{"ip in cidr", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, nil, true},
		{"ip outside cidr", `{"IpAddress":{"aws:SourceIp":"192.168.0.0/16"}}`, nil, false},
		{"ip list is OR", `{"IpAddress":{"aws:SourceIp":["192.168.0.0/16","10.1.2.3"]}}`, nil, true},
		{"single address", `{"IpAddress":{"aws:SourceIp":"10.1.2.4"}}`, nil, false},
		{"ipv6", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, ip("2001:db8::1"), true},
		{"ipv4-mapped request", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, ip("::ffff:10.9.9.9"), true},
		{"ip key case-insensitive", `{"IpAddress":{"AWS:SOURCEIP":"10.0.0.0/8"}}`, nil, true},
		{"NotIpAddress outside", `{"NotIpAddress":{"aws:SourceIp":"192.168.0.0/16"}}`, nil, true},
		{"NotIpAddress list is NOR", `{"NotIpAddress":{"aws:SourceIp":["192.168.0.0/16","10.0.0.0/8"]}}`, nil, false},
		{"missing ip fails IpAddress", `{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`, noIP, false},
		{"missing ip passes NotIpAddress", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, noIP, true},
		{"missing ip passes IfExists", `{"IpAddressIfExists":{"aws:SourceIp":"192.168.0.0/16"}}`, noIP, true},
		{"present ip checked by IfExists", `{"IpAddressIfExists":{"aws:SourceIp":"192.168.0.0/16"}}`, nil, false},
	})
}

func TestConditionString(t *testing.T) {
	runConditions(t, []condCase{
		{"StringEquals", `{"StringEquals":{"aws:username":"alice"}}`, nil, true},
		{"StringEquals case-sensitive", `{"StringEquals":{"aws:username":"Alice"}}`, nil, false},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"aws:username":"ALICE"}}`, nil, true},
		{"StringEquals list is OR", `{"StringEquals":{"aws:userid":["bob","alice"]}}`, nil, true},
		{"StringNotEquals list is NOR", `{"StringNotEquals":{"aws:userid":["bob","alice"]}}`, nil, false},
		{"StringNotEquals none match", `{"StringNotEquals":{"aws:userid":["bob","carol"]}}`, nil, true},
		{"StringNotEqualsIgnoreCase", `{"StringNotEqualsIgnoreCase":{"aws:userid":"ALICE"}}`, nil, false},
		{"StringLike", `{"StringLike":{"tollgate:plan":"g?l*"}}`, nil, true},
		{"StringLike no match", `{"StringLike":{"tollgate:plan":"s*"}}`, nil, false},
		{"StringNotLike", `{"StringNotLike":{"tollgate:plan":["s*","b*"]}}`, nil, true},
		{"StringEquals does not glob", `{"StringEquals":{"tollgate:plan":"g*"}}`, nil, false},
		{"method key", `{"StringEquals":{"tollgate:method":"sigv4"}}`, nil, true},
		{"attribute key", `{"StringEquals":{"tollgate:attr/team":"blue"}}`, nil, true},
		{"attribute name case-sensitive", `{"StringEquals":{"tollgate:attr/Team":"blue"}}`, nil, false},
		{"missing attribute fails", `{"StringLike":{"tollgate:attr/role":"*"}}`, nil, false},
		{"missing attribute passes negated", `{"StringNotEquals":{"tollgate:attr/role":"admin"}}`, nil, true},
		{"no identity fails StringEquals", `{"StringEquals":{"aws:username":"alice"}}`, noID, false},
		{"number value as text", `{"StringEquals":{"tollgate:attr/level":7}}`,
			func(r *policy.Request) {
				r.Identity = &auth.Identity{ID: "x", Attributes: map[string]string{"level": "7"}}
			}, true},
	})
}

func TestConditionDate(t *testing.T) {
	runConditions(t, []condCase{
		{"DateGreaterThan", `{"DateGreaterThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, nil, true},
		{"DateLessThan", `{"DateLessThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, nil, false},
		{"date-only value", `{"DateLessThan":{"aws:CurrentTime":"2026-06-02"}}`, nil, true},
		{"epoch value", `{"DateGreaterThanEquals":{"aws:CurrentTime":` + unix(noon) + `}}`, nil, true},
		{"DateGreaterThan equal is false", `{"DateGreaterThan":{"aws:CurrentTime":"2026-06-01T12:00:00Z"}}`, nil, false},
		{"DateLessThanEquals equal", `{"DateLessThanEquals":{"aws:CurrentTime":"2026-06-01T14:00:00+02:00"}}`, nil, true},
		{"DateEquals", `{"DateEquals":{"aws:CurrentTime":"2026-06-01T12:00:00Z"}}`, nil, true},
		{"DateNotEquals", `{"DateNotEquals":{"aws:CurrentTime":"2026-06-01T12:00:00Z"}}`, nil, false},
		{"missing time fails", `{"DateGreaterThan":{"aws:CurrentTime":"2000-01-01"}}`,
			func(r *policy.Request) { r.CurrentTime = time.Time{} }, false},
	})
}

func TestConditionNullAndCombinations(t *testing.T) {
	runConditions(t, []condCase{
		{"Null true on absent key", `{"Null":{"tollgate:attr/role":"true"}}`, nil, true},
		{"Null true on present key", `{"Null":{"tollgate:plan":true}}`, nil, false},
		{"Null false on present key", `{"Null":{"tollgate:plan":"false"}}`, nil, true},
		{"operators are ANDed", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"StringEquals":{"aws:username":"bob"}}`, nil, false},
		{"keys are ANDed", `{"StringEquals":{"aws:username":"alice","tollgate:plan":"silver"}}`, nil, false},
		{"all hold", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"StringEquals":{"aws:username":"alice","tollgate:plan":"gold"},"DateLessThan":{"aws:CurrentTime":"2027-01-01"}}`, nil, true},
	})
}

func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

func TestConditionScopes(t *testing.T) {
	scopes := func(s ...string) func(*policy.Request) {
		return func(r *policy.Request) { r.Identity = &auth.Identity{ID: "x", Scopes: s} }
	}
	runConditions(t, []condCase{
		{"ForAnyValue one matches", `{"ForAnyValue:StringEquals":{"tollgate:scope":["pets:write","admin"]}}`, scopes("read", "pets:write"), true},
		{"ForAnyValue none matches", `{"ForAnyValue:StringEquals":{"tollgate:scope":"admin"}}`, scopes("read", "pets:write"), false},
		{"ForAnyValue no scopes", `{"ForAnyValue:StringLike":{"tollgate:scope":"*"}}`, scopes(), false},
		{"ForAnyValue no identity", `{"ForAnyValue:StringLike":{"tollgate:scope":"*"}}`, noID, false},
		{"ForAnyValue ignoring case", `{"ForAnyValue:StringEqualsIgnoreCase":{"tollgate:scope":"ADMIN"}}`, scopes("admin"), true},
		{"ForAnyValue negated: one other value", `{"ForAnyValue:StringNotEquals":{"tollgate:scope":"admin"}}`, scopes("admin", "read"), true},
		{"ForAnyValue negated: only that value", `{"ForAnyValue:StringNotEquals":{"tollgate:scope":"admin"}}`, scopes("admin"), false},
		{"ForAllValues all match", `{"ForAllValues:StringLike":{"tollgate:scope":"pets:*"}}`, scopes("pets:read", "pets:write"), true},
		{"ForAllValues one does not", `{"ForAllValues:StringLike":{"tollgate:scope":"pets:*"}}`, scopes("pets:read", "admin"), false},
		{"ForAllValues no scopes is vacuously true", `{"ForAllValues:StringEquals":{"tollgate:scope":"pets:read"}}`, scopes(), true},
		{"ForAllValues negated", `{"ForAllValues:StringNotLike":{"tollgate:scope":"admin*"}}`, scopes("read", "admin:all"), false},
		{"Null on scopes", `{"Null":{"tollgate:scope":"true"}}`, scopes(), true},
	})
}
