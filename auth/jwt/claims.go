package jwt

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tollgate/tollgate/auth"
)

// claims is a token's payload, keyed exactly as sent (encoding/json's
// case-insensitive struct matching would let "Exp" stand in for "exp").
type claims map[string]json.RawMessage

func parseClaims(seg string) (claims, bool) {
	buf, ok := decodeSegment(seg)
	if !ok {
		return nil, false
	}
	var c claims
	if json.Unmarshal(buf, &c) != nil || c == nil {
		return nil, false
	}
	return c, true
}

// str returns the string claim name; ok is false when it is absent, and
// valid is false when it is present but not a string.
func (c claims) str(name string) (s string, ok, valid bool) {
	raw, ok := c[name]
	if !ok {
		return "", false, true
	}
	s, valid = jsonString(raw)
	return s, true, valid
}

// strings returns a claim that is a string or an array of strings (aud,
// scp). A single string is split on spaces when split is set.
func (c claims) strings(name string, split bool) (ss []string, valid bool) {
	raw, ok := c[name]
	if !ok {
		return nil, true
	}
	if s, ok := jsonString(raw); ok {
		if split {
			return strings.Fields(s), true
		}
		return []string{s}, true
	}
	valid = json.Unmarshal(raw, &ss) == nil
	return ss, valid
}

// date returns a NumericDate claim (RFC 7519 §2: seconds, possibly
// fractional). ok is false when absent; valid false when not a number.
func (c claims) date(name string) (t time.Time, ok, valid bool) {
	raw, ok := c[name]
	if !ok {
		return time.Time{}, false, true
	}
	// raw is one valid JSON value, and every JSON number is valid Go float
	// syntax; anything else (a string, null) fails to parse.
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || f < 0 || f > 1<<40 {
		return time.Time{}, true, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true, true
}

// jsonString decodes a JSON string value. Most claims are plain ASCII
// without escapes, and then (raw being valid JSON) the text between the
// quotes is the value, so the common case skips the decoder.
func jsonString(raw json.RawMessage) (string, bool) {
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' && plain(raw[1:n-1]) {
		return string(raw[1 : n-1]), true
	}
	var s string
	return s, json.Unmarshal(raw, &s) == nil
}

// plain reports whether b is ASCII without escapes; encoding/json would
// rewrite anything else (escapes, invalid UTF-8).
func plain(b []byte) bool {
	for _, c := range b {
		if c == '\\' || c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// checkTimes enforces exp (required), nbf, iat and the maximum age, each
// with the leeway, and returns how long the token may be cached: until
// exp, or sooner when the maximum age runs out first.
func (v *Verifier) checkTimes(c claims, now time.Time) (until time.Time, reason error) {
	leeway := v.o.leeway
	exp, ok, valid := c.date("exp")
	if !ok || !valid {
		return until, pick(!ok, ErrMissingClaim, ErrMalformed)
	}
	if !now.Before(exp.Add(leeway)) {
		return until, ErrExpired
	}
	if nbf, ok, valid := c.date("nbf"); !valid || ok && now.Add(leeway).Before(nbf) {
		return until, pick(!valid, ErrMalformed, ErrNotYetValid)
	}
	iat, ok, valid := c.date("iat")
	switch {
	case !valid:
		return until, ErrMalformed
	case ok && now.Add(leeway).Before(iat):
		return until, ErrNotYetValid
	case v.o.maxAge == 0:
		return exp, nil
	case !ok:
		return until, ErrMissingClaim
	case now.After(iat.Add(v.o.maxAge + leeway)):
		return until, ErrTooOld
	}
	return minTime(exp, iat.Add(v.o.maxAge)), nil
}

// checkAudience requires one of the issuer's audiences in aud.
func checkAudience(c claims, want []string) error {
	aud, valid := c.strings("aud", false)
	if !valid {
		return ErrMalformed
	}
	for _, a := range aud {
		if slices.Contains(want, a) {
			return nil
		}
	}
	return ErrAudience
}

// identity maps verified claims to the caller's identity.
func (v *Verifier) identity(c claims, iss string) (*auth.Identity, error) {
	id, ok, valid := c.str(v.o.idClaim)
	if !valid || !ok || id == "" {
		return nil, pick(valid, ErrMissingClaim, ErrMalformed)
	}
	out := &auth.Identity{ID: id, Method: auth.MethodJWT, Attributes: map[string]string{"iss": iss}}
	if v.o.planClaim != "" {
		if out.Plan, _, valid = c.str(v.o.planClaim); !valid {
			return nil, ErrMalformed
		}
	}
	if out.Scopes, valid = c.strings("scope", true); !valid {
		return nil, ErrMalformed
	}
	if _, has := c["scope"]; !has {
		if out.Scopes, valid = c.strings("scp", true); !valid {
			return nil, ErrMalformed
		}
	}
	for _, name := range v.o.attrClaims {
		if s, ok, valid := c.str(name); ok && valid {
			out.Attributes[name] = s
		}
	}
	return out, nil
}

func pick(cond bool, a, b error) error {
	if cond {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
