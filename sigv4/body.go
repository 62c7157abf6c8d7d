package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"

	"github.com/tollgate/tollgate/auth"
)

// Special X-Amz-Content-Sha256 values.
const (
	UnsignedPayload          = "UNSIGNED-PAYLOAD"
	StreamingPayload         = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	StreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	StreamingTrailer         = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
)

type payloadKind uint8

const (
	payloadComputed          payloadKind = iota // hashed from the buffered body
	payloadClaimed                              // X-Amz-Content-Sha256, checked after the signature
	payloadUnsigned                             // UNSIGNED-PAYLOAD
	payloadStreaming                            // signed aws-chunked body
	payloadStreamingUnsigned                    // unsigned aws-chunked body with trailers
	payloadStreamingTrailer                     // signed aws-chunked body and signed trailers
)

// payload is the hash that goes into the canonical request and how the
// body is then dealt with.
type payload struct {
	kind payloadKind
	hash string
}

// payload works out the payload hash of the canonical request. Without
// X-Amz-Content-Sha256 it reads and hashes the body first.
func (v *Verifier) payload(q *request) (payload, error) {
	h := q.r.Header["X-Amz-Content-Sha256"]
	switch {
	case len(h) > 1:
		return payload{}, payloadMismatch("X-Amz-Content-Sha256 must appear once.")
	case len(h) == 0 && q.sig.presigned && q.s3:
		return v.unsignedPayload()
	case len(h) == 0:
		return v.hashBody(q.r)
	}
	switch c := h[0]; {
	case c == UnsignedPayload:
		return v.unsignedPayload()
	case c == StreamingPayload && !q.sig.presigned && !q.sig.ecdsa:
		return payload{payloadStreaming, c}, nil
	case c == StreamingTrailer && !q.sig.presigned && !q.sig.ecdsa:
		return payload{payloadStreamingTrailer, c}, nil
	case c == StreamingUnsignedTrailer && !q.sig.presigned:
		_, err := v.unsignedPayload()
		return payload{payloadStreamingUnsigned, c}, err
	case isHexSHA256(c):
		return payload{payloadClaimed, c}, nil
	}
	return payload{}, payloadMismatch("X-Amz-Content-Sha256 must be a SHA-256 in lower-case hex, UNSIGNED-PAYLOAD or a STREAMING- value this endpoint accepts.")
}

func (v *Verifier) unsignedPayload() (payload, error) {
	if !v.cfg.unsigned {
		return payload{}, refusal(http.StatusForbidden, CodeAccessDenied,
			"UNSIGNED-PAYLOAD is not accepted by this endpoint.", ErrPayloadHash, auth.ErrInvalidCredentials)
	}
	return payload{payloadUnsigned, UnsignedPayload}, nil
}

func isHexSHA256(s string) bool {
	return len(s) == 2*sha256.Size && validSignatureHex(s, false)
}

func noBody(r *http.Request) bool { return r.Body == nil || r.Body == http.NoBody }

// hashBody buffers the body (up to the limit), hands the buffer on as
// r.Body and returns its hash.
func (v *Verifier) hashBody(r *http.Request) (payload, error) {
	if noBody(r) {
		return payload{payloadComputed, emptySHA256}, nil
	}
	b, err := v.readBody(r)
	if err != nil {
		return payload{}, err
	}
	sum := sha256.Sum256(b)
	return payload{payloadComputed, hex.EncodeToString(sum[:])}, nil
}

// readBody reads the whole body, refusing one over the limit, and
// replaces r.Body with a reader over the same bytes.
func (v *Verifier) readBody(r *http.Request) ([]byte, error) {
	limit := v.cfg.maxBody
	if r.ContentLength > limit {
		return nil, tooLarge()
	}
	size := int64(512)
	if r.ContentLength > 0 {
		size = r.ContentLength + 1
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	orig := r.Body
	_, err := buf.ReadFrom(io.LimitReader(orig, limit+1))
	if err != nil {
		return nil, refusal(http.StatusBadRequest, CodeIncompleteBody,
			"The request body could not be read.", err, auth.ErrInvalidCredentials)
	}
	if int64(buf.Len()) > limit {
		return nil, tooLarge()
	}
	r.Body = readCloser{bytes.NewReader(buf.Bytes()), orig}
	return buf.Bytes(), nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// finishBody checks a claimed payload hash and sets up a streaming body,
// once the signature has been verified.
func (v *Verifier) finishBody(q *request, p payload) error {
	switch p.kind {
	case payloadClaimed:
		got := emptySHA256
		if !noBody(q.r) {
			b, err := v.readBody(q.r)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			got = hex.EncodeToString(sum[:])
		}
		if got != p.hash {
			return payloadMismatch("The provided 'x-amz-content-sha256' header does not match what was computed.")
		}
	case payloadStreaming, payloadStreamingUnsigned, payloadStreamingTrailer:
		return v.streamBody(q, p.kind)
	}
	return nil
}
