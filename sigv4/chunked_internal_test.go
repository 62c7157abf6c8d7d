package sigv4

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestChunkReaderWithholdsBadChunk: a chunk whose framing is broken
// after its data yields an error and none of its bytes.
func TestChunkReaderWithholdsBadChunk(t *testing.T) {
	for _, body := range []string{"5\r\nhelloXX0\r\n\r\n", "5\r\nhello"} {
		src := io.NopCloser(strings.NewReader(body))
		c := &chunkReader{src: src, br: bufio.NewReader(src), maxChunk: 1 << 20, left: -1}
		got, err := io.ReadAll(c)
		assert.Empty(t, got, "%q", body)
		assert.True(t, errors.Is(err, ErrChunkSignature), "%q: %v", body, err)
	}
}

// FuzzChunkReader feeds arbitrary bodies to the aws-chunked decoder:
// it never panics, never yields more than it read, and with signed
// chunks never yields a byte whose signature it did not check.
func FuzzChunkReader(f *testing.F) {
	f.Add([]byte("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"), false)
	f.Add([]byte("5;chunk-signature=0000000000000000000000000000000000000000000000000000000000000000\r\nhello\r\n0;chunk-signature=00\r\n\r\n"), true)
	f.Add([]byte("ffffffffffffffff\r\n"), false)
	f.Fuzz(func(t *testing.T, body []byte, signed bool) {
		src := io.NopCloser(bytes.NewReader(body))
		c := &chunkReader{
			src: src, br: bufio.NewReader(src), signed: signed, maxChunk: 1 << 16, left: -1,
			trailer: http.Header{"X-Amz-Checksum-Crc32": nil}, scope: "20260314\n20260314/r/s3/aws4_request\n",
			prevSig: strings.Repeat("0", 64), key: newMacKey([32]byte{}), sha: sha256.New(),
		}
		got, err := io.ReadAll(c)
		if err == nil && len(got) > len(body) {
			t.Fatalf("decoded %d bytes from %d", len(got), len(body))
		}
		if signed && len(got) > 0 {
			t.Fatalf("signed chunks with an unknown key yielded %q", got)
		}
	})
}
