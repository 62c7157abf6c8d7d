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

func TestParseRefuses(t *testing.T) {
	s := func(body string) string { return stmt(`{"Effect":"Allow",` + body + `}`) }
	ar := `"Action":"*","Resource":"*"`
	tests := []struct {
		name, doc, want string
	}{
		{"not json", `{`, "unexpected EOF"},
		{"not an object", `[]`, "cannot unmarshal"},
		{"trailing data", stmt(`{"Effect":"Allow",`+ar+`}`) + `{}`, "data after the document"},
		{"unknown version", `{"Version":"2020-01-01","Statement":[]}`, "unknown version"},
		{"unknown top-level element", `{"Statement":[],"Foo":1}`, "unknown field"},
		{"no statement", `{"Version":"2012-10-17"}`, "Statement: must be"},
		{"statement not object", stmt(`"x"`), "Statement[0]: must be an object"},
		{"bad effect", stmt(`{"Effect":"allow",` + ar + `}`), `"Allow" or "Deny"`},
		{"missing effect", stmt(`{` + ar + `}`), `"Allow" or "Deny"`},
		{"unknown statement element", s(ar + `,"Foo":"x"`), "unknown field"},
		{"principal", s(ar + `,"Principal":"*"`), "Principal is not supported"},
		{"no action", s(`"Resource":"*"`), "neither Action nor NotAction"},
		{"both action forms", s(`"Action":"*","NotAction":"*","Resource":"*"`), "both Action and NotAction"},
		{"no resource", s(`"Action":"*"`), "neither Resource nor NotResource"},
		{"empty action list", s(`"Action":[],"Resource":"*"`), "non-empty"},
		{"null action", s(`"Action":null,"Resource":"*"`), "non-empty"},
		{"action not a string", s(`"Action":[1],"Resource":"*"`), "array of strings"},
		{"action without service", s(`"Action":"Invoke","Resource":"*"`), "service:action"},
		{"resource not an ARN", s(`"Action":"*","Resource":"pets/*"`), "not \"*\" or an ARN"},
		{"variable outside the resource part", s(`"Action":"*","Resource":"arn:aws:execute-api:${tollgate:plan}:*:*"`), "only in the resource part"},
		{"unknown variable", s(`"Action":"*","Resource":"arn:aws:execute-api:*:*:*/${aws:PrincipalTag/x}"`), "unknown or unsupported policy variable"},
		{"non-string variable", s(`"Action":"*","Resource":"arn:aws:execute-api:*:*:*/${aws:SourceIp}"`), "unknown or unsupported policy variable"},
		{"unterminated variable", s(`"Action":"*","Resource":"arn:aws:execute-api:*:*:*/${aws:username"`), "unterminated policy variable"},
		{"unquoted default", s(`"Action":"*","Resource":"arn:aws:execute-api:*:*:*/${aws:username, x}"`), "single quotes"},
		{"unterminated default", s(`"Action":"*","Resource":"arn:aws:execute-api:*:*:*/${aws:username, 'x}"`), "unterminated default"},
		{"text after default", s(`"Action":"*","Resource":"arn:aws:execute-api:*:*:*/${aws:username, 'x' y}"`), "missing }"},
		{"duplicate key", s(ar + `,"Effect":"Deny"`), `duplicate key "Effect"`},
		{"duplicate key differing in case", s(ar + `,"effect":"Deny"`), `duplicate key "effect"`},
		{"duplicate condition key", s(ar + `,"Condition":{"StringEquals":{"aws:username":"a","aws:username":"b"}}`), "duplicate key"},
		{"unknown operator", s(ar + `,"Condition":{"StringMatches":{"aws:username":"a"}}`), `unknown or unsupported condition operator "StringMatches"`},
		{"set operator", s(ar + `,"Condition":{"ForAnyValue:StringEquals":{"aws:username":"a"}}`), "unknown or unsupported"},
		{"Null IfExists", s(ar + `,"Condition":{"NullIfExists":{"aws:username":"true"}}`), "unknown or unsupported"},
		{"unknown key", s(ar + `,"Condition":{"StringEquals":{"aws:PrincipalTag/x":"a"}}`), "unknown condition key"},
		{"empty attribute name", s(ar + `,"Condition":{"StringEquals":{"tollgate:attr/":"a"}}`), "unknown condition key"},
		{"empty operator block", s(ar + `,"Condition":{"StringEquals":{}}`), "names no condition key"},
		{"no values", s(ar + `,"Condition":{"StringEquals":{"aws:username":[]}}`), "has no values"},
		{"object value", s(ar + `,"Condition":{"StringEquals":{"aws:username":{"a":1}}}`), "strings, numbers or booleans"},
		{"ip operator on string key", s(ar + `,"Condition":{"IpAddress":{"aws:username":"10.0.0.0/8"}}`), "cannot test this key"},
		{"string operator on ip key", s(ar + `,"Condition":{"StringLike":{"aws:SourceIp":"10.*"}}`), "cannot test this key"},
		{"date operator on string key", s(ar + `,"Condition":{"DateLessThan":{"aws:username":"2020-01-01"}}`), "cannot test this key"},
		{"bad cidr", s(ar + `,"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}`), "not a CIDR block"},
		{"bad ip", s(ar + `,"Condition":{"IpAddress":{"aws:SourceIp":"ten"}}`), "not an IP address"},
		{"bad date", s(ar + `,"Condition":{"DateLessThan":{"aws:CurrentTime":"tomorrow"}}`), "not an ISO 8601 date"},
		{"bad Null value", s(ar + `,"Condition":{"Null":{"aws:username":"yes"}}`), "true or false"},
		{"variable in IgnoreCase condition", s(ar + `,"Condition":{"StringEqualsIgnoreCase":{"tollgate:attr/owner":"${aws:username}"}}`), "not supported with IgnoreCase"},
		{"bad variable in condition", s(ar + `,"Condition":{"StringLike":{"tollgate:attr/owner":"${nope}"}}`), "unknown or unsupported policy variable"},
		{"too large", `{"Statement":[],"Id":"` + strings.Repeat("x", policy.MaxDocumentSize) + `"}`, "larger than"},
	}
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
