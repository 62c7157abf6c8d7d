package policy

import (
	"net/netip"
	"strings"
	"time"

	"github.com/tollgate/tollgate/auth"
)

// DefaultAction is the action every HTTP request performs by default, as
// in Amazon API Gateway's IAM authorization.
const DefaultAction = "execute-api:Invoke"

// Request is what a policy is evaluated against: the action, the resource
// and the request context that condition keys read.
//
// The condition keys a policy may use, and where their values come from:
//
//	aws:SourceIp          SourceIP (absent when not valid)
//	aws:CurrentTime       CurrentTime (absent when zero)
//	aws:userid            Identity.ID
//	aws:username          Identity.ID
//	tollgate:plan         Identity.Plan (absent when empty)
//	tollgate:method       Identity.Method (absent when empty)
//	tollgate:scope        Identity.Scopes (several values; absent when none)
//	tollgate:attr/NAME    Identity.Attributes["NAME"] (NAME is case-sensitive)
//
// Keys are case-insensitive (except NAME). Identity keys are absent when
// Identity is nil.
type Request struct {
	// Action is the action requested, such as [DefaultAction].
	Action string
	// Resource is the ARN of the resource acted on; see [ExecuteAPI].
	Resource string
	// Identity is the caller.
	Identity *auth.Identity
	// SourceIP is the client's address.
	SourceIP netip.Addr
	// CurrentTime is the time of the request.
	CurrentTime time.Time
}

// keyKind identifies a condition key; kinds are resolved once when a
// policy is parsed, so evaluation never looks at key names.
type keyKind uint8

const (
	keySourceIP keyKind = iota + 1
	keyCurrentTime
	keyScope // the one multi-valued key
	keyUserID
	keyUsername
	keyPlan
	keyMethod
	keyAttr
)

// attrPrefix is the prefix of keys that read identity attributes.
const attrPrefix = "tollgate:attr/"

// key is a resolved condition key; name is the attribute name for keyAttr.
type key struct {
	kind keyKind
	name string
}

var namedKeys = map[string]keyKind{
	"aws:sourceip":    keySourceIP,
	"aws:currenttime": keyCurrentTime,
	"aws:userid":      keyUserID,
	"aws:username":    keyUsername,
	"tollgate:plan":   keyPlan,
	"tollgate:method": keyMethod,
	"tollgate:scope":  keyScope,
}

// parseKey resolves a condition key name, reporting false for a key this
// package does not know.
func parseKey(name string) (key, bool) {
	lname := strings.ToLower(name)
	if k, ok := namedKeys[lname]; ok {
		return key{kind: k}, true
	}
	if strings.HasPrefix(lname, attrPrefix) && len(name) > len(attrPrefix) {
		return key{kind: keyAttr, name: name[len(attrPrefix):]}, true
	}
	return key{}, false
}

// isString reports whether the key holds a string value.
func (k key) isString() bool { return k.kind >= keyUserID }

// present reports whether r carries a value for k.
func (k key) present(r *Request) bool {
	switch k.kind {
	case keySourceIP:
		return r.SourceIP.IsValid()
	case keyCurrentTime:
		return !r.CurrentTime.IsZero()
	case keyScope:
		return r.Identity != nil && len(r.Identity.Scopes) > 0
	}
	_, ok := k.str(r)
	return ok
}

// str returns the value of a string key.
func (k key) str(r *Request) (string, bool) {
	id := r.Identity
	if id == nil {
		return "", false
	}
	switch k.kind {
	case keyUserID, keyUsername:
		return id.ID, true
	case keyPlan:
		return id.Plan, id.Plan != ""
	case keyMethod:
		return string(id.Method), id.Method != ""
	case keyAttr:
		v, ok := id.Attributes[k.name]
		return v, ok
	}
	return "", false
}
