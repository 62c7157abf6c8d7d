// Package tollgate gives a Go HTTP service its own API management: API
// keys, AWS Signature V4 and JWT verification, per-key throttling and
// quotas, usage metering and metrics, as net/http middleware.
//
// Each concern lives in its own package and stands alone (auth, apikey,
// ratelimit, quota, sigv4, usage, metrics); package tollgate composes them.
package tollgate
