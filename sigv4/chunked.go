package sigv4

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
)

const (
	chunkAlgorithm   = "AWS4-HMAC-SHA256-PAYLOAD"
	trailerAlgorithm = "AWS4-HMAC-SHA256-TRAILER"
	trailerSigName   = "x-amz-trailer-signature"
	maxChunkHeader   = 4096
	maxTrailers      = 16
)

// streamBody replaces r.Body with a reader that decodes the aws-chunked
// body, verifying each chunk's signature (when signed) before returning
// its bytes and collecting declared trailers into r.Trailer.
func (v *Verifier) streamBody(q *request, kind payloadKind) error {
	signed := kind != payloadStreamingUnsigned
	decoded := int64(-1)
	dl := q.r.Header["X-Amz-Decoded-Content-Length"]
	if len(dl) > 1 || signed && len(dl) == 0 {
		return incomplete("Streaming uploads need one X-Amz-Decoded-Content-Length header.")
	}
	if len(dl) == 1 {
		n, err := strconv.ParseInt(dl[0], 10, 64)
		if err != nil || n < 0 {
			return incomplete("X-Amz-Decoded-Content-Length must be a non-negative integer.")
		}
		decoded = n
	}
	if noBody(q.r) {
		q.r.Body = http.NoBody
	}
	cr := &chunkReader{
		src:      q.r.Body,
		br:       bufio.NewReaderSize(q.r.Body, 16<<10),
		signed:   signed,
		sigTrail: kind == payloadStreamingTrailer,
		maxChunk: v.cfg.maxBody,
		left:     decoded,
		trailer:  declaredTrailers(q.r.Header),
	}
	if signed {
		cr.key = v.keys.signingKey(&q.cred, &q.sig, q.now)
		cr.sha, cr.mac = sha256.New(), make([]byte, 0, sha256.Size)
		cr.scope = q.sig.amzDate + "\n" + q.sig.scope + "\n"
		cr.prevSig = q.sig.sig
	}
	q.r.Body = cr
	q.r.Trailer = cr.trailer
	q.r.ContentLength = decoded
	if decoded >= 0 {
		q.r.Header.Set("Content-Length", dl[0])
	} else {
		q.r.Header.Del("Content-Length")
	}
	dropAWSChunked(q.r.Header)
	return nil
}

// declaredTrailers returns an http.Header with a key for each trailer
// named in X-Amz-Trailer, to be filled when the body ends.
func declaredTrailers(h http.Header) http.Header {
	var t http.Header
	for _, v := range h["X-Amz-Trailer"] {
		for name := range strings.SplitSeq(v, ",") {
			if name = strings.TrimSpace(name); name != "" {
				if t == nil {
					t = http.Header{}
				}
				t[http.CanonicalHeaderKey(name)] = nil
			}
		}
	}
	return t
}

// dropAWSChunked removes the aws-chunked coding, which the verifier has
// taken off, from Content-Encoding.
func dropAWSChunked(h http.Header) {
	var keep []string
	for _, v := range h["Content-Encoding"] {
		for c := range strings.SplitSeq(v, ",") {
			if c = strings.TrimSpace(c); c != "" && !strings.EqualFold(c, "aws-chunked") {
				keep = append(keep, c)
			}
		}
	}
	if len(keep) == 0 {
		h.Del("Content-Encoding")
		return
	}
	h.Set("Content-Encoding", strings.Join(keep, ","))
}

// chunkReader decodes an aws-chunked body. Signed chunks are buffered
// whole and verified before any of their bytes is returned.
type chunkReader struct {
	src      io.Closer
	br       *bufio.Reader
	signed   bool // chunk signatures
	sigTrail bool // a signed trailer follows the final chunk
	key      macKey
	sha      hash.Hash
	mac      []byte
	scope    string // date and scope lines of the chunk string to sign
	prevSig  string
	maxChunk int64
	left     int64 // decoded bytes still expected; -1 when not declared
	trailer  http.Header
	data     []byte
	off      int
	sts      []byte
	err      error
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for c.off == len(c.data) {
		if c.err != nil {
			return 0, c.err
		}
		if c.err = c.next(); c.err != nil {
			c.data, c.off = c.data[:0], 0 // nothing of a bad chunk gets out
		}
	}
	n := copy(p, c.data[c.off:])
	c.off += n
	return n, nil
}

func (c *chunkReader) Close() error { return c.src.Close() }

// next reads and verifies one chunk. It returns io.EOF after the final,
// empty chunk and its trailers.
func (c *chunkReader) next() error {
	size, sig, err := c.header()
	if err != nil {
		return err
	}
	if c.left >= 0 && size > c.left {
		return chunkError("chunks exceed X-Amz-Decoded-Content-Length")
	}
	if int64(cap(c.data)) < size {
		c.data = make([]byte, size)
	}
	c.data, c.off = c.data[:size], 0
	if _, err := io.ReadFull(c.br, c.data); err != nil {
		return fmt.Errorf("%w: %w", ErrChunkSignature, err)
	}
	if c.signed && !c.verify(sig) {
		return chunkError("chunk signature does not match")
	}
	if c.left >= 0 {
		c.left -= size
	}
	if size > 0 {
		return c.crlf()
	}
	if err := c.trailers(); err != nil {
		return err
	}
	if c.left > 0 {
		return chunkError("body is shorter than X-Amz-Decoded-Content-Length")
	}
	return io.EOF
}

// header parses "hex-size;chunk-signature=sig\r\n", or "hex-size\r\n"
// for an unsigned body.
func (c *chunkReader) header() (int64, string, error) {
	line, err := c.line()
	if err != nil {
		return 0, "", err
	}
	sizeHex, ext, hasExt := strings.Cut(line, ";")
	size, err := strconv.ParseInt(sizeHex, 16, 64)
	if err != nil || size < 0 || size > c.maxChunk || hasExt != c.signed {
		return 0, "", chunkError("malformed chunk header")
	}
	sig, ok := strings.CutPrefix(ext, "chunk-signature=")
	if c.signed && (!ok || !isHexSHA256(sig)) {
		return 0, "", chunkError("malformed chunk header")
	}
	return size, sig, nil
}

// line reads one CRLF-terminated line of at most maxChunkHeader bytes.
func (c *chunkReader) line() (string, error) {
	b, err := c.br.ReadSlice('\n')
	if err != nil || len(b) > maxChunkHeader || !bytes.HasSuffix(b, []byte("\r\n")) {
		return "", chunkError("malformed chunk header")
	}
	return string(b[:len(b)-2]), nil
}

// trailers reads "name:value" lines up to an empty one. Only trailers
// declared in X-Amz-Trailer are accepted; they go into r.Trailer. A
// signed trailer ends with x-amz-trailer-signature, chained to the final
// chunk's signature.
func (c *chunkReader) trailers() error {
	var canon []byte // "name:value\n" for each trailer, as signed
	for n := 0; ; n++ {
		line, err := c.line()
		if err != nil {
			return err
		}
		name, value, ok := strings.Cut(line, ":")
		name, value = strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(value)
		switch {
		case line == "" && c.sigTrail:
			return chunkError("signed trailer missing")
		case line == "":
			return nil
		case c.sigTrail && name == trailerSigName:
			return c.verifyTrailer(canon, value)
		}
		key := http.CanonicalHeaderKey(name)
		if _, declared := c.trailer[key]; !ok || !declared || c.signed && !c.sigTrail || n == maxTrailers {
			return chunkError("undeclared or unsupported trailer")
		}
		c.trailer[key] = []string{value}
		canon = append(append(append(append(canon, name...), ':'), value...), '\n')
	}
}

// verifyTrailer checks the trailer signature, then the closing CRLF.
func (c *chunkReader) verifyTrailer(canon []byte, sig string) error {
	sum := sha256.Sum256(canon)
	if !isHexSHA256(sig) || !c.verifySum(trailerAlgorithm, sum, sig) {
		return chunkError("trailer signature does not match")
	}
	if _, err := c.br.Peek(1); err == io.EOF {
		return nil // some clients end the body without the final CRLF
	}
	if line, err := c.line(); err != nil || line != "" {
		return chunkError("trailer not terminated by CRLF")
	}
	return nil
}

func (c *chunkReader) crlf() error {
	var b [2]byte
	if _, err := io.ReadFull(c.br, b[:]); err != nil || b != [2]byte{'\r', '\n'} {
		return chunkError("chunk not terminated by CRLF")
	}
	return nil
}

// verify checks sig against the chunk's string to sign, which chains
// the previous signature.
func (c *chunkReader) verify(sig string) bool {
	sum := sha256.Sum256(c.data)
	return c.verifySum(chunkAlgorithm, sum, sig)
}

// verifySum checks sig over the string to sign for a chunk or trailer
// whose SHA-256 is sum, and makes sig the previous signature.
func (c *chunkReader) verifySum(alg string, sum [sha256.Size]byte, sig string) bool {
	c.sts = append(c.sts[:0], alg...)
	c.sts = append(c.sts, '\n')
	c.sts = append(c.sts, c.scope...)
	c.sts = append(c.sts, c.prevSig...)
	c.sts = append(c.sts, '\n')
	if alg == chunkAlgorithm {
		c.sts = append(c.sts, emptySHA256...)
		c.sts = append(c.sts, '\n')
	}
	c.sts = hex.AppendEncode(c.sts, sum[:])
	mac := c.key.sum(c.sha, c.mac, c.sts)
	var got [2 * sha256.Size]byte
	hex.Encode(got[:], mac)
	c.prevSig = sig
	return subtle.ConstantTimeCompare(got[:], []byte(sig)) == 1
}

func chunkError(msg string) error { return fmt.Errorf("%w: %s", ErrChunkSignature, msg) }
