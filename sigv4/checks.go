package sigv4

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"time"
)

// signedHeader reports whether name is in the ';'-separated list.
func signedHeader(list, name string) bool {
	for rest := list; rest != ""; {
		var n string
		if n, rest = nextName(rest); n == name {
			return true
		}
	}
	return false
}

// checkDate checks X-Amz-Date against the scope date and the clock.
func (v *Verifier) checkDate(q *request) error {
	t, err := time.Parse(amzDateFormat, q.sig.amzDate)
	if err != nil {
		return incomplete("X-Amz-Date must be in the ISO 8601 basic format yyyyMMdd'T'HHmmss'Z'.")
	}
	if q.sig.amzDate[:8] != q.sig.date {
		return mismatch()
	}
	skew := v.cfg.skew
	switch {
	case t.After(q.now.Add(skew)):
		return expired("Signature not yet current: X-Amz-Date is later than the server's time plus the allowed skew.")
	case q.sig.presigned && q.now.After(t.Add(time.Duration(q.sig.expires)*time.Second)):
		return expired("Request has expired.")
	case !q.sig.presigned && q.now.After(t.Add(skew)):
		return expired("Signature expired: X-Amz-Date is earlier than the server's time minus the allowed skew.")
	}
	return nil
}

// checkScope applies the region and service allow-lists and picks the
// canonicalisation rules for the service.
func (v *Verifier) checkScope(q *request) error {
	s := &q.sig
	if v.cfg.services != nil && !slices.Contains(v.cfg.services, s.service) {
		return scopeDenied("Credential should be scoped to a valid service.")
	}
	q.s3 = slices.Contains(v.cfg.s3, s.service)
	if !s.ecdsa {
		if v.cfg.regions != nil && !slices.Contains(v.cfg.regions, s.region) {
			return scopeDenied("Credential should be scoped to a valid region.")
		}
		return nil
	}
	set, ok := v.regionSet(q)
	if !ok {
		return incomplete("SigV4a requests need a single, signed X-Amz-Region-Set.")
	}
	if v.cfg.regions != nil && !regionSetMatches(set, v.cfg.regions) {
		return scopeDenied("The region set does not include a region this endpoint serves.")
	}
	return nil
}

func (v *Verifier) regionSet(q *request) (string, bool) {
	if q.sig.presigned {
		set, n := queryValue(q.params, qRegionSet)
		return set, n == 1 && set != ""
	}
	h := q.r.Header["X-Amz-Region-Set"]
	ok := len(h) == 1 && h[0] != "" && signedHeader(q.sig.signedHeaders, "x-amz-region-set")
	if !ok {
		return "", false
	}
	return h[0], true
}

// lookup finds the credential and checks it is enabled and that the
// session token matches.
func (v *Verifier) lookup(ctx context.Context, q *request) error {
	res, err := v.store.Lookup(ctx, q.sig.accessKey)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return ctxErr
		}
		return fmt.Errorf("sigv4: credential store: %w", err)
	}
	c := res.Credential
	if !res.Found || c.Disabled || c.AccessKeyID != q.sig.accessKey || c.Secret == "" {
		return invalidClient()
	}
	if subtle.ConstantTimeCompare([]byte(q.token), []byte(c.SessionToken)) != 1 {
		return invalidClient()
	}
	q.cred = c
	return nil
}
