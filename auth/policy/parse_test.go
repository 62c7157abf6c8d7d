package policy_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/auth/policy"
)

// refusal is a document Parse must refuse with an error containing want.
type refusal struct{ name, doc, want string }

func runRefusals(t *testing.T, tests []refusal) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := policy.Parse([]byte(tt.doc))
			require.Error(t, err)
			assert.Nil(t, p)
			assert.ErrorIs(t, err, policy.ErrInvalidPolicy)
			assert.Contains(t, err.Error(), tt.want)
			var pe *policy.ParseError
			assert.True(t, errors.As(err, &pe))
		})
	}
}

// allowWith is an Allow statement on everything with extra elements.
func allowWith(elements string) string {
	return stmt(`{"Effect":"Allow","Action":"*","Resource":"*",` + elements + `}`)
}

// allowOn is an Allow statement with the given Action and Resource elements.
func allowOn(elements string) string { return stmt(`{"Effect":"Allow",` + elements + `}`) }

func TestParseRefusesElements(t *testing.T) {
	ar := `"Action":"*","Resource":"*"`
	runRefusals(t, []refusal{
		{"not json", `{`, "unexpected EOF"},
		{"not an object", `[]`, "cannot unmarshal"},
		{"trailing data", stmt(`{"Effect":"Allow",`+ar+`}`) + `{}`, "data after the document"},
		{"unknown version", `{"Version":"2020-01-01","Statement":[]}`, "unknown version"},
		{"unknown top-level element", `{"Statement":[],"Foo":1}`, "unknown field"},
		{"no statement", `{"Version":"2012-10-17"}`, "Statement: must be"},
		{"statement not object", stmt(`"x"`), "Statement[0]: must be an object"},
		{"bad effect", stmt(`{"Effect":"allow",` + ar + `}`), `"Allow" or "Deny"`},
		{"missing effect", stmt(`{` + ar + `}`), `"Allow" or "Deny"`},
		{"unknown statement element", allowWith(`"Foo":"x"`), "unknown field"},
		{"principal", allowWith(`"Principal":"*"`), "Principal is not supported"},
		{"no action", allowOn(`"Resource":"*"`), "neither Action nor NotAction"},
		{"both action forms", allowOn(`"Action":"*","NotAction":"*","Resource":"*"`), "both Action and NotAction"},
		{"no resource", allowOn(`"Action":"*"`), "neither Resource nor NotResource"},
		{"empty action list", allowOn(`"Action":[],"Resource":"*"`), "non-empty"},
		{"null action", allowOn(`"Action":null,"Resource":"*"`), "non-empty"},
		{"action not a string", allowOn(`"Action":[1],"Resource":"*"`), "array of strings"},
		{"action without service", allowOn(`"Action":"Invoke","Resource":"*"`), "service:action"},
		{"resource not an ARN", allowOn(`"Action":"*","Resource":"pets/*"`), "not \"*\" or an ARN"},
		{"duplicate key", allowWith(`"Effect":"Deny"`), `duplicate key "Effect"`},
		{"duplicate key differing in case", allowWith(`"effect":"Deny"`), `duplicate key "effect"`},
		{"duplicate condition key", allowWith(`"Condition":{"StringEquals":{"aws:username":"a","aws:username":"b"}}`), "duplicate key"},
		{"too large", `{"Statement":[],"Id":"` + strings.Repeat("x", policy.MaxDocumentSize) + `"}`, "larger than"},
	})
}

func TestParseRefusesConditions(t *testing.T) {
	runRefusals(t, []refusal{
		{"unknown operator", allowWith(`"Condition":{"StringMatches":{"aws:username":"a"}}`), `unknown or unsupported condition operator "StringMatches"`},
		{"set operator on single-valued key", allowWith(`"Condition":{"ForAnyValue:StringEquals":{"aws:username":"a"}}`), "apply only to the multi-valued key"},
		{"scope without set operator", allowWith(`"Condition":{"StringEquals":{"tollgate:scope":"a"}}`), "use ForAnyValue: or ForAllValues:"},
		{"set operator not on strings", allowWith(`"Condition":{"ForAnyValue:IpAddress":{"tollgate:scope":"10.0.0.0/8"}}`), "unknown or unsupported"},
		{"set operator with IfExists", allowWith(`"Condition":{"ForAllValues:StringLikeIfExists":{"tollgate:scope":"a"}}`), "unknown or unsupported"},
		{"unknown qualifier", allowWith(`"Condition":{"ForSomeValues:StringEquals":{"tollgate:scope":"a"}}`), "unknown or unsupported"},
		{"Null IfExists", allowWith(`"Condition":{"NullIfExists":{"aws:username":"true"}}`), "unknown or unsupported"},
		{"unknown key", allowWith(`"Condition":{"StringEquals":{"aws:PrincipalTag/x":"a"}}`), "unknown condition key"},
		{"empty attribute name", allowWith(`"Condition":{"StringEquals":{"tollgate:attr/":"a"}}`), "unknown condition key"},
		{"empty operator block", allowWith(`"Condition":{"StringEquals":{}}`), "names no condition key"},
		{"no values", allowWith(`"Condition":{"StringEquals":{"aws:username":[]}}`), "has no values"},
		{"object value", allowWith(`"Condition":{"StringEquals":{"aws:username":{"a":1}}}`), "strings, numbers or booleans"},
		{"ip operator on string key", allowWith(`"Condition":{"IpAddress":{"aws:username":"10.0.0.0/8"}}`), "cannot test this key"},
		{"string operator on ip key", allowWith(`"Condition":{"StringLike":{"aws:SourceIp":"10.*"}}`), "cannot test this key"},
		{"date operator on string key", allowWith(`"Condition":{"DateLessThan":{"aws:username":"2020-01-01"}}`), "cannot test this key"},
		{"bad cidr", allowWith(`"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}`), "not a CIDR block"},
		{"bad ip", allowWith(`"Condition":{"IpAddress":{"aws:SourceIp":"ten"}}`), "not an IP address"},
		{"bad date", allowWith(`"Condition":{"DateLessThan":{"aws:CurrentTime":"tomorrow"}}`), "not an ISO 8601 date"},
		{"bad Null value", allowWith(`"Condition":{"Null":{"aws:username":"yes"}}`), "true or false"},
	})
}

func TestParseRefusesVariables(t *testing.T) {
	runRefusals(t, []refusal{
		{"unquoted default", allowOn(`"Action":"*","Resource":"arn:aws:execute-api:*:*:*/${aws:username, x}"`), "single quotes"},
		{"unterminated default", allowOn(`"Action":"*","Resource":"arn:aws:execute-api:*:*:*/${aws:username, 'x}"`), "unterminated default"},
		{"text after default", allowOn(`"Action":"*","Resource":"arn:aws:execute-api:*:*:*/${aws:username, 'x' y}"`), "missing }"},
		{"variable outside the resource part", allowOn(`"Action":"*","Resource":"arn:aws:execute-api:${tollgate:plan}:*:*"`), "only in the resource part"},
		{"unknown variable", allowOn(`"Action":"*","Resource":"arn:aws:execute-api:*:*:*/${aws:PrincipalTag/x}"`), "unknown or unsupported policy variable"},
		{"non-string variable", allowOn(`"Action":"*","Resource":"arn:aws:execute-api:*:*:*/${aws:SourceIp}"`), "unknown or unsupported policy variable"},
		{"unterminated variable", allowOn(`"Action":"*","Resource":"arn:aws:execute-api:*:*:*/${aws:username"`), "unterminated policy variable"},
		{"variable in IgnoreCase condition", allowWith(`"Condition":{"StringEqualsIgnoreCase":{"tollgate:attr/owner":"${aws:username}"}}`), "not supported with IgnoreCase"},
		{"bad variable in condition", allowWith(`"Condition":{"StringLike":{"tollgate:attr/owner":"${nope}"}}`), "unknown or unsupported policy variable"},
	})
}

func TestParseAccepts(t *testing.T) {
	tests := []struct{ name, doc string }{
		{"2008 version treats ${ literally", `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:execute-api:*:*:*/${x}"}}`},
		{"no version", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`},
		{"empty statement list", `{"Version":"2012-10-17","Statement":[]}`},
		{"operator names case-insensitive", allowIf(`{"stringequals":{"aws:username":"a"}}`)},
		{"IfExists on every family", allowIf(`{"StringLikeIfExists":{"aws:username":"a*"},"DateLessThanIfExists":{"aws:CurrentTime":"2030-01-01"},"NotIpAddressIfExists":{"aws:SourceIp":"::1"}}`)},
		{"bool and number values", allowIf(`{"StringEquals":{"tollgate:attr/a":[true,1.5,"x"]}}`)},
		{"time with minutes only", allowIf(`{"DateLessThan":{"aws:CurrentTime":"2030-01-01T10:00Z"}}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, tt.doc)
			b, err := json.Marshal(p)
			require.NoError(t, err)
			assert.JSONEq(t, tt.doc, string(b), "MarshalJSON returns the document")
			assert.Equal(t, tt.doc, p.String())
		})
	}
}
