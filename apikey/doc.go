// Package apikey issues, stores and verifies API keys, and authenticates
// requests by them.
//
// # Keys
//
// A generated key is a prefix ("tg_" by default, e.g. "tg_live_"), 32
// random base62 characters (190 bits) and a 6-character base62 CRC-32
// checksum, as GitHub's tokens are: a mistyped or truncated key is refused
// by [Parse] without a store lookup, and leaked keys are easy for secret
// scanners to recognise. Existing values of 20 to 128 printable characters
// (such as Amazon API Gateway keys) can be brought in with [Manager.Import].
//
// Only a SHA-256 [Hash] of a key and a short display prefix ([Key.Start])
// are stored; the plaintext is returned once, by [Manager.Create] or
// [Manager.Rotate]. Each key also has a non-secret ID (a UUID).
//
// # Managing keys
//
// A [Manager] creates, imports, lists, updates, rotates (with a grace
// period during which the old secret still works), revokes and verifies
// keys over a [Store]. [MemoryStore] keeps them in memory; package
// store/redisstore and store/sqlstore keep them elsewhere, and package
// apikeytest checks any Store against the contract.
//
// # Verification cache
//
// [Manager.Verify] keeps verified keys in a bounded in-process cache for
// a positive TTL (default 30 s) and unknown values for a negative TTL
// (default 5 s), so a hot key costs no store I/O (about 400 ns and no
// allocation). Changes made through the Manager apply at once; changes
// made elsewhere apply within the TTL, or at once after
// [Manager.Invalidate]. Expiry, disabling and rotation grace are checked
// on every request, cached or not.
//
// # Authenticating requests
//
// [Authenticator] implements [auth.Authenticator]. It reads the key from
// the X-API-Key header by default, or from the sources given:
// [FromHeader], [FromBearer], [FromQuery] (opt-in: keys in URLs leak into
// logs) or a function of your own. Its Middleware answers a missing or bad
// key with a 401 problem response (403 for a disabled key), or with Amazon
// API Gateway's 403 {"message":"Forbidden"} under [auth.WithAPIGatewayErrors].
package apikey
