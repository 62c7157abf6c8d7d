// Package policy authorizes requests with IAM-style policy documents, as
// Amazon API Gateway does for IAM-authorized routes, for any identity an
// [auth.Authenticator] proved (API key, JWT, SigV4, ...). It imports only
// the standard library and [auth].
//
// # Policies
//
// [Parse] reads a JSON policy document once and compiles it; a [*Policy]
// is immutable and evaluating it does not allocate. Documents are IAM's:
//
//	{
//	  "Version": "2012-10-17",
//	  "Statement": [{
//	    "Sid": "ReadPets",
//	    "Effect": "Allow",
//	    "Action": "execute-api:Invoke",
//	    "Resource": "arn:aws:execute-api:*:*:petstore/*/GET/pets/*",
//	    "Condition": {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "2001:db8::/32"]}}
//	  }]
//	}
//
// Statement is one object or an array; each has Effect "Allow" or "Deny",
// exactly one of Action and NotAction and one of Resource and NotResource
// (a string or a list), an optional Sid and Condition. In Action and
// Resource, '*' matches any run of characters and '?' one character.
// Actions match case-insensitively, resources case-sensitively.
//
// # Resources and wildcards
//
// A resource ARN has six colon-separated parts,
// arn:partition:service:region:account-id:resource. As IAM documents,
// wildcards in the first five match within their part ("eu-*" matches a
// region, never a colon), and a '*' ending the pattern's last part
// matches the rest of the ARN ("arn:aws:execute-api:*" matches every
// execute-api ARN). The resource part is one part even when it contains
// colons, and wildcards in it match colons too: an API Gateway path may
// contain one ("/v1/things:batchGet"), and a Deny on
// "arn:aws:execute-api:*:*:*/*/*/admin/*" must not be escaped by it.
// [ExecuteAPI] builds API Gateway's resource ARN for a request.
//
// # Evaluation
//
// [Evaluate] follows IAM's logic for identity-based policies: a matching
// Deny in any policy wins ([ExplicitDeny]); otherwise a matching Allow
// allows ([Allow]); otherwise the request is denied by default
// ([ImplicitDeny]). The [Result] names the deciding statement.
//
// # Conditions
//
// Within a Condition, every operator and every key must hold (AND); the
// values listed for one key are alternatives (OR), and for a negated
// operator none may match (NOR). A key absent from the request fails the
// condition, except under a negated operator or an ...IfExists one, where
// it holds; Null tests for absence. Supported operators, each also with
// the IfExists suffix (except Null):
//
//	StringEquals StringNotEquals StringEqualsIgnoreCase StringNotEqualsIgnoreCase
//	StringLike StringNotLike
//	IpAddress NotIpAddress                          (aws:SourceIp; CIDR blocks or addresses)
//	DateEquals DateNotEquals DateLessThan DateLessThanEquals
//	DateGreaterThan DateGreaterThanEquals            (aws:CurrentTime; ISO 8601 or epoch seconds)
//	Null
//
// The keys are listed on [Request]: aws:SourceIp, aws:CurrentTime,
// aws:userid and aws:username (both the identity's ID), tollgate:plan,
// tollgate:method, tollgate:attr/NAME for identity attributes, and
// tollgate:scope for the identity's scopes. tollgate:scope has several
// values, so its string operators take IAM's set qualifiers:
// ForAnyValue: holds when some scope satisfies the operator, and
// ForAllValues: when every scope does (and when there are none):
//
//	"Condition": {"ForAnyValue:StringEquals": {"tollgate:scope": ["pets:write", "admin"]}}
//
// # Failing closed
//
// Parse refuses what it cannot enforce exactly instead of ignoring it:
// unknown elements, operators and keys, an operator applied to a key of
// the wrong type (or without the set qualifier a multi-valued key needs),
// Principal and NotPrincipal (these policies attach to identities),
// unknown or malformed policy variables, duplicate keys, and malformed
// values. Errors match [ErrInvalidPolicy] and are [*ParseError]s locating
// the problem. Element, operator and key names match case-insensitively
// (Effect values do not), so a key repeated in another case is a duplicate.
//
// # Policy variables
//
// In a "2012-10-17" document, ${key} in the resource part of a Resource
// ARN or in a StringEquals, StringNotEquals, StringLike or StringNotLike
// value stands for the request's value of a string key, so one policy can
// serve every identity:
//
//	"Resource": "arn:aws:execute-api:*:*:*/*/*/users/${aws:username}/*"
//
// The value is matched literally, never as a wildcard. ${key, 'default'}
// gives a default for an absent key, and ${*}, ${?} and ${$} are the
// literal characters. When a statement's action matches but a variable
// without default has no value, the statement is invalid: a Deny applies
// (failing closed) and an Allow does not. In "2008-10-17" documents, and
// those without a Version, "${" is plain text.
//
// # Authorizing HTTP requests
//
// An [Authorizer], made by [New], evaluates for every request the
// policies attached in a [Store] to the identity that authentication put
// in the context ([auth.FromContext]), together with any given to every
// identity by [WithPolicies]; [WithLookup] finds them another way, such
// as by the identity's plan. [Authorizer.Middleware] runs after
// [auth.Middleware]. It answers with RFC 9457 problems: 401 when the
// request has no identity, 403 with code "AccessDenied" when the policies
// do not allow it, and 503 when the store fails; [WithErrorHandler]
// replaces them. The error is a [*DeniedError] carrying the [Result].
//
// By default each request is the action [DefaultAction] on the resource
// built by a zero [ExecuteAPI]; [WithAction] and [WithResource] change
// that. aws:SourceIp is the address in RemoteAddr ([RemoteIP]): no header
// is trusted unless [WithSourceIP] says so, as with [ForwardedFor] and the
// addresses of your proxies. aws:CurrentTime comes from [WithClock].
//
// # Stores
//
// A [Store] maps identity IDs to an [Attachment] of policies;
// [MemoryStore] keeps them in memory, and package policytest checks any
// implementation against the contract. A [*Policy] marshals to the
// document it was parsed from, for stores that persist documents.
package policy
