package sigv4_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/sigv4"
)

// The example from AWS's "Transferring Payload in Multiple Chunks" page:
// 65 KiB of 'a' uploaded as chunks of 64 KiB, 1 KiB and 0 bytes.
const (
	s3ExampleKey    = "AKIAIOSFODNN7EXAMPLE"
	s3ExampleSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	seedSignature   = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
)

var exampleChunkSigs = []string{
	"ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
	"0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
	"b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
}

func exampleChunkedBody(corrupt func(chunk int, data []byte)) []byte {
	var b bytes.Buffer
	for i, n := range []int{65536, 1024, 0} {
		data := bytes.Repeat([]byte("a"), n)
		fmt.Fprintf(&b, "%x;chunk-signature=%s\r\n", n, exampleChunkSigs[i])
		if corrupt != nil {
			corrupt(i, data)
		}
		b.Write(data)
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// streamServer runs a verifier for the S3 example and returns what the
// handler read: the body and the error its reads ended with.
func streamServer(t *testing.T) (*httptest.Server, chan readResult) {
	t.Helper()
	store := sigv4.NewMemoryStore()
	require.NoError(t, store.Put(context.Background(), sigv4.Credential{AccessKeyID: s3ExampleKey, Secret: s3ExampleSecret}))
	at := time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
	v, err := sigv4.New(store, sigv4.WithClock(func() time.Time { return at }))
	require.NoError(t, err)
	results := make(chan readResult, 1)
	srv := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		results <- readResult{body, err, r.ContentLength, r.Header.Get("Content-Encoding")}
	})))
	t.Cleanup(srv.Close)
	return srv, results
}

type readResult struct {
	body     []byte
	err      error
	length   int64
	encoding string
}

func exampleStreamRequest(t *testing.T, url string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest("PUT", url+"/examplebucket/chunkObject.txt", bytes.NewReader(body))
	require.NoError(t, err)
	req.Host = "s3.amazonaws.com"
	req.Header.Set("X-Amz-Date", "20130524T000000Z")
	req.Header.Set("X-Amz-Storage-Class", "REDUCED_REDUNDANCY")
	req.Header.Set("X-Amz-Content-Sha256", sigv4.StreamingPayload)
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Decoded-Content-Length", "66560")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"+
		"SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,"+
		"Signature="+seedSignature)
	return req
}

func TestStreamingAWSExample(t *testing.T) {
	tests := []struct {
		name     string
		corrupt  func(chunk int, data []byte)
		wantRead int
	}{
		{"intact", nil, 66560},
		{"second chunk changed", func(i int, d []byte) {
			if i == 1 {
				d[0] = 'b'
			}
		}, 65536},
		{"first chunk changed", func(i int, d []byte) {
			if i == 0 {
				d[100] = 'b'
			}
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, results := streamServer(t)
			body := exampleChunkedBody(tt.corrupt)
			require.Len(t, body, 66824)
			resp, err := http.DefaultClient.Do(exampleStreamRequest(t, srv.URL, body))
			require.NoError(t, err)
			resp.Body.Close()
			got := <-results
			assert.Len(t, got.body, tt.wantRead, "no byte of a bad chunk reaches the handler")
			assert.Equal(t, int64(66560), got.length, "ContentLength is the decoded length")
			assert.Empty(t, got.encoding, "aws-chunked is taken off Content-Encoding")
			if tt.corrupt == nil {
				assert.NoError(t, got.err)
				assert.Equal(t, strings.Repeat("a", 66560), string(got.body))
				return
			}
			assert.ErrorIs(t, got.err, sigv4.ErrChunkSignature)
		})
	}
}

// chunkSigner encodes aws-chunked bodies signed with the test credentials.
type chunkSigner struct {
	key  []byte
	date string
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func newChunkSigner(at time.Time) chunkSigner {
	k := []byte("AWS4" + testSecret)
	for _, s := range []string{at.Format("20060102"), testRegion, "s3", "aws4_request"} {
		k = hmacSHA256(k, s)
	}
	return chunkSigner{k, at.Format("20060102T150405Z")}
}

// encode writes the chunks, chaining signatures from seed.
func (c chunkSigner) encode(seed string, chunks [][]byte) []byte {
	b, _ := c.encodeChunks(seed, chunks, "\r\n")
	return b
}

func (c chunkSigner) sign(alg, prev, hashes string) string {
	sts := alg + "\n" + c.date + "\n" + c.date[:8] + "/" + testRegion + "/s3/aws4_request\n" + prev + "\n" + hashes
	return hex.EncodeToString(hmacSHA256(c.key, sts))
}

// encodeChunks writes the chunks, chaining signatures from seed, and
// returns the last signature; end follows the final chunk's header.
func (c chunkSigner) encodeChunks(seed string, chunks [][]byte, end string) ([]byte, string) {
	var b bytes.Buffer
	prev := seed
	for i, data := range chunks {
		sum := sha256.Sum256(data)
		prev = c.sign("AWS4-HMAC-SHA256-PAYLOAD", prev, payloadHash("")+"\n"+hex.EncodeToString(sum[:]))
		fmt.Fprintf(&b, "%x;chunk-signature=%s\r\n%s", len(data), prev, data)
		if i < len(chunks)-1 || len(data) > 0 {
			b.WriteString("\r\n")
		} else {
			b.WriteString(end)
		}
	}
	return b.Bytes(), prev
}

// encodeTrailer writes the chunks (the last one empty) and a signed
// trailer of "name:value" lines.
func (c chunkSigner) encodeTrailer(seed string, chunks [][]byte, trailer []string) []byte {
	b, prev := c.encodeChunks(seed, chunks, "")
	var canon, lines string
	for _, l := range trailer {
		canon += l + "\n"
		lines += l + "\r\n"
	}
	sig := c.sign("AWS4-HMAC-SHA256-TRAILER", prev, payloadHash(canon))
	return append(b, lines+"x-amz-trailer-signature:"+sig+"\r\n\r\n"...)
}

// signedStream returns a streaming upload request for e whose body is
// build(seed signature), signed for encodedLen bytes.
func (e *env) signedStream(t *testing.T, decoded, encodedLen int, build func(seed string) []byte) *http.Request {
	return e.signedStreamMode(t, sigv4.StreamingPayload, decoded, encodedLen, build)
}

func (e *env) signedStreamMode(t *testing.T, mode string, decoded, encodedLen int, build func(seed string) []byte) *http.Request {
	t.Helper()
	req := e.newRequest(t, "PUT", "/bucket/key", "")
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Content-Sha256", mode)
	if mode == sigv4.StreamingTrailer {
		req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
	}
	req.Header.Set("X-Amz-Decoded-Content-Length", fmt.Sprint(decoded))
	req.ContentLength = int64(encodedLen)
	require.NoError(t, v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).
		SignHTTP(context.Background(), testCreds, req, mode, "s3", testRegion, e.clock.Now()))
	seed := req.Header.Get("Authorization")
	seed = seed[strings.LastIndex(seed, "=")+1:]
	body := build(seed)
	require.Len(t, body, encodedLen, "test builds the length it signed")
	req.Body = io.NopCloser(bytes.NewReader(body))
	return req
}

func TestStreamingMalformed(t *testing.T) {
	a, b := bytes.Repeat([]byte("a"), 8192), bytes.Repeat([]byte("b"), 100)
	last := []byte{}
	tests := []struct {
		name     string
		decoded  int
		chunks   [][]byte
		mangle   func([]byte) []byte
		opts     []sigv4.Option
		wantBody string
		wantErr  bool
	}{
		{name: "intact", decoded: 8292, chunks: [][]byte{a, b, last}, wantBody: string(a) + string(b)},
		{name: "empty upload", decoded: 0, chunks: [][]byte{last}},
		{name: "second chunk changed", decoded: 8292, chunks: [][]byte{a, b, last}, mangle: func(p []byte) []byte {
			p[bytes.LastIndexByte(p, 'b')] = 'c'
			return p
		}, wantErr: true},
		{name: "final chunk missing", decoded: 8292, chunks: [][]byte{a, b}, wantErr: true},
		{name: "shorter than declared", decoded: 9000, chunks: [][]byte{a, b, last}, wantErr: true},
		{name: "longer than declared", decoded: 8000, chunks: [][]byte{a, b, last}, wantErr: true},
		{name: "chunk over the limit", decoded: 8292, chunks: [][]byte{a, b, last}, opts: []sigv4.Option{sigv4.WithMaxBodyBytes(4096)}, wantErr: true},
		{name: "size not hex", decoded: 8292, chunks: [][]byte{a, b, last}, mangle: func(p []byte) []byte {
			p[0] = 'x'
			return p
		}, wantErr: true},
		{name: "missing CRLF", decoded: 8292, chunks: [][]byte{a, b, last}, mangle: func(p []byte) []byte {
			j := bytes.Index(p, a) + len(a)
			p[j] = ' '
			return p
		}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opts...)
			cs := newChunkSigner(e.clock.Now())
			encoded := cs.encode("", tt.chunks) // length only: signatures have fixed size
			req := e.signedStream(t, tt.decoded, len(encoded), func(seed string) []byte {
				p := cs.encode(seed, tt.chunks)
				if tt.mangle != nil {
					p = tt.mangle(p)
				}
				return p
			})
			status, body := do(t, req)
			if !tt.wantErr {
				assert.Equal(t, http.StatusOK, status, body)
				assert.Equal(t, testKey+"|"+tt.wantBody, body)
				return
			}
			assert.Equal(t, http.StatusBadRequest, status, "the handler saw a read error")
			assert.Contains(t, body, sigv4.ErrChunkSignature.Error())
		})
	}
}

func TestStreamingUnsignedTrailer(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		opts       []sigv4.Option
		wantStatus int
		wantBody   string
	}{
		{"decoded, trailer handed on", "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n",
			[]sigv4.Option{sigv4.WithUnsignedPayload()}, 200, testKey + "|hello|NhCmhg=="},
		{"no trailer sent", "5\r\nhello\r\n0\r\n\r\n", []sigv4.Option{sigv4.WithUnsignedPayload()}, 200, testKey + "|hello|"},
		{"undeclared trailer", "5\r\nhello\r\n0\r\nx-evil:1\r\n\r\n", []sigv4.Option{sigv4.WithUnsignedPayload()}, 400, ""},
		{"chunk extension", "5;chunk-signature=00\r\nhello\r\n0\r\n\r\n", []sigv4.Option{sigv4.WithUnsignedPayload()}, 400, ""},
		{"size too long", "9\r\nhello\r\n0\r\n\r\n", []sigv4.Option{sigv4.WithUnsignedPayload()}, 400, ""},
		{"unsigned payload not allowed", "5\r\nhello\r\n0\r\n\r\n", nil, 403, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opts...)
			srv := httptest.NewServer(e.verifier(t, tt.opts...).Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, err := io.ReadAll(r.Body)
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadRequest)
					return
				}
				fmt.Fprintf(w, "%s|%s|%s", testKey, body, r.Trailer.Get("X-Amz-Checksum-Crc32"))
			})))
			defer srv.Close()
			req, err := http.NewRequest("PUT", srv.URL+"/bucket/key", strings.NewReader(tt.body))
			require.NoError(t, err)
			req.Header.Set("Content-Encoding", "aws-chunked")
			req.Header.Set("X-Amz-Content-Sha256", sigv4.StreamingUnsignedTrailer)
			req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
			require.NoError(t, v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).
				SignHTTP(context.Background(), testCreds, req, sigv4.StreamingUnsignedTrailer, "s3", testRegion, e.clock.Now()))
			status, body := do(t, req)
			assert.Equal(t, tt.wantStatus, status, body)
			if tt.wantBody != "" {
				assert.Equal(t, tt.wantBody, body)
			}
		})
	}
}
