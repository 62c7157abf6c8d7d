package sigv4

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

const (
	chunkAlgorithm = "AWS4-HMAC-SHA256-PAYLOAD"
	maxChunkHeader = 4096
)

// streamBody replaces r.Body with a reader that decodes the aws-chunked
// body and verifies each chunk's signature before returning its bytes.
func (v *Verifier) streamBody(q *request) error {
	dl := q.r.Header["X-Amz-Decoded-Content-Length"]
	if len(dl) != 1 {
		return incomplete("Streaming uploads need one X-Amz-Decoded-Content-Length header.")
	}
	decoded, err := strconv.ParseInt(dl[0], 10, 64)
	if err != nil || decoded < 0 {
		return incomplete("X-Amz-Decoded-Content-Length must be a non-negative integer.")
	}
	if noBody(q.r) {
		q.r.Body = http.NoBody
	}
	cr := &chunkReader{
		src:      q.r.Body,
		br:       bufio.NewReaderSize(q.r.Body, 16<<10),
		key:      v.keys.signingKey(&q.cred, &q.sig, q.now),
		prefix:   chunkAlgorithm + "\n" + q.sig.amzDate + "\n" + q.sig.scope + "\n",
		prevSig:  q.sig.sig,
		maxChunk: v.cfg.maxBody,
		left:     decoded,
	}
	q.r.Body = cr
	q.r.ContentLength = decoded
	q.r.Header.Set("Content-Length", dl[0])
	dropAWSChunked(q.r.Header)
	return nil
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

// chunkReader decodes a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body. Each
// chunk is buffered whole and verified before any of it is returned.
type chunkReader struct {
	src      io.Closer
	br       *bufio.Reader
	key      [sha256.Size]byte
	prefix   string // algorithm, date and scope lines of the chunk string to sign
	prevSig  string
	maxChunk int64
	left     int64 // decoded bytes still expected
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
		c.err = c.next()
	}
	n := copy(p, c.data[c.off:])
	c.off += n
	return n, nil
}

func (c *chunkReader) Close() error { return c.src.Close() }

// next reads and verifies one chunk. It returns io.EOF after the final,
// empty chunk.
func (c *chunkReader) next() error {
	size, sig, err := c.header()
	if err != nil {
		return err
	}
	if size > c.left {
		return chunkError("chunks exceed X-Amz-Decoded-Content-Length")
	}
	if int64(cap(c.data)) < size {
		c.data = make([]byte, size)
	}
	c.data, c.off = c.data[:size], 0
	if _, err := io.ReadFull(c.br, c.data); err != nil {
		return fmt.Errorf("%w: %w", ErrChunkSignature, err)
	}
	if err := c.crlf(); err != nil {
		return err
	}
	if !c.verify(sig) {
		c.data = c.data[:0]
		return chunkError("chunk signature does not match")
	}
	c.left -= size
	if size > 0 {
		return nil
	}
	if c.left != 0 {
		return chunkError("body is shorter than X-Amz-Decoded-Content-Length")
	}
	return io.EOF
}

// header parses "hex-size;chunk-signature=sig\r\n".
func (c *chunkReader) header() (int64, string, error) {
	line, err := c.br.ReadSlice('\n')
	if err != nil || len(line) > maxChunkHeader || !bytes.HasSuffix(line, []byte("\r\n")) {
		return 0, "", chunkError("malformed chunk header")
	}
	sizeHex, ext, _ := strings.Cut(string(line[:len(line)-2]), ";")
	size, err := strconv.ParseInt(sizeHex, 16, 64)
	sig, ok := strings.CutPrefix(ext, "chunk-signature=")
	if err != nil || size < 0 || size > c.maxChunk || !ok || !isHexSHA256(sig) {
		return 0, "", chunkError("malformed chunk header")
	}
	return size, sig, nil
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
	c.sts = append(append(c.sts[:0], make([]byte, 64)...), c.prefix...)
	c.sts = append(c.sts, c.prevSig...)
	c.sts = append(c.sts, '\n')
	c.sts = append(c.sts, emptySHA256...)
	c.sts = append(c.sts, '\n')
	sum := sha256.Sum256(c.data)
	c.sts = hex.AppendEncode(c.sts, sum[:])
	mac := hmacBlock(&c.key, c.sts)
	var got [2 * sha256.Size]byte
	hex.Encode(got[:], mac[:])
	c.prevSig = sig
	return subtle.ConstantTimeCompare(got[:], []byte(sig)) == 1
}

func chunkError(msg string) error { return fmt.Errorf("%w: %s", ErrChunkSignature, msg) }
