package sigv4

import (
	"bufio"
	"errors"
	"io"
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
