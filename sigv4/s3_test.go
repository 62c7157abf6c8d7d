package sigv4_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/sigv4"
)

// objectServer is an S3 stand-in behind the verifier: it keeps what PUT
// sends and records the payload mode the client chose.
type objectServer struct {
	mu       sync.Mutex
	objects  map[string][]byte
	modes    []string
	checksum string // the last upload's x-amz-checksum-crc32 trailer
}

func (o *objectServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, ok := auth.FromContext(r.Context()); !ok {
		http.Error(w, "no identity", http.StatusInternalServerError)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.modes = append(o.modes, r.Header.Get("X-Amz-Content-Sha256"))
	switch r.Method {
	case http.MethodPut:
		o.objects[r.URL.Path] = body
		o.checksum = r.Trailer.Get("X-Amz-Checksum-Crc32")
		w.Header().Set("ETag", `"1"`)
	case http.MethodGet:
		b, ok := o.objects[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(b)
	}
}

// tamperTransport changes each request after the SDK has signed it.
type tamperTransport struct {
	base   http.RoundTripper
	tamper func(*http.Request)
}

func (tt tamperTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	tt.tamper(r)
	return tt.base.RoundTrip(r)
}

func newS3(t *testing.T, tls bool, tamper func(*http.Request)) (*s3.Client, *objectServer) {
	t.Helper()
	store := sigv4.NewMemoryStore()
	require.NoError(t, store.Put(context.Background(), sigv4.Credential{AccessKeyID: testKey, Secret: testSecret}))
	v, err := sigv4.New(store, sigv4.WithUnsignedPayload(), sigv4.WithServices("s3"), sigv4.WithRegions(testRegion))
	require.NoError(t, err)
	objs := &objectServer{objects: map[string][]byte{}}
	h := v.Middleware(objs)
	srv := httptest.NewUnstartedServer(h)
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	httpClient := srv.Client()
	if tamper != nil {
		httpClient.Transport = tamperTransport{httpClient.Transport, tamper}
	}
	client := s3.New(s3.Options{
		Region:           testRegion,
		BaseEndpoint:     aws.String(srv.URL),
		UsePathStyle:     true,
		Credentials:      credentials.NewStaticCredentialsProvider(testKey, testSecret, ""),
		HTTPClient:       httpClient,
		RetryMaxAttempts: 1,
	})
	return client, objs
}

// onlyReader hides Seek, so the SDK cannot rewind or pre-hash the body.
type onlyReader struct{ io.Reader }

// TestS3Client drives the AWS SDK's S3 client against a server guarded
// by the verifier: uploads with a hashed, an unsigned and a streamed
// payload, keys that need encoding, and a read back.
func TestS3Client(t *testing.T) {
	data := bytes.Repeat([]byte("tollgate "), 10000)
	tests := []struct {
		name string
		tls  bool
		body func() io.Reader
		key  string
		crc  bool // ask for a CRC32 checksum: an unseekable body then streams with a trailer
	}{
		{"http, seekable", false, func() io.Reader { return bytes.NewReader(data) }, "dir/plain.txt", false},
		{"https, seekable", true, func() io.Reader { return bytes.NewReader(data) }, "dir/a b+c%2F~é.txt", false},
		{"https, unseekable", true, func() io.Reader { return onlyReader{bytes.NewReader(data)} }, "dir/./odd//key", false},
		{"https, unseekable, checksum trailer", true, func() io.Reader { return onlyReader{bytes.NewReader(data)} }, "dir/streamed", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, objs := newS3(t, tt.tls, nil)
			ctx := context.Background()
			in := &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String(tt.key), Body: tt.body()}
			if tt.crc {
				in.ChecksumAlgorithm = types.ChecksumAlgorithmCrc32
			} else {
				in.ContentLength = aws.Int64(int64(len(data)))
			}
			_, err := client.PutObject(ctx, in)
			require.NoError(t, err, "modes seen: %v", objs.modes)
			out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String(tt.key)})
			require.NoError(t, err)
			got, err := io.ReadAll(out.Body)
			require.NoError(t, err)
			assert.Equal(t, sha256.Sum256(data), sha256.Sum256(got), "object stored intact")
			t.Logf("payload modes: %v", objs.modes)
			assert.True(t, strings.Contains(strings.Join(objs.modes, " "), "UNSIGNED") || !tt.tls)
			if tt.crc {
				assert.Equal(t, sigv4.StreamingUnsignedTrailer, objs.modes[0])
				crc := binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(data))
				assert.Equal(t, base64.StdEncoding.EncodeToString(crc), objs.checksum, "trailer handed on in r.Trailer")
			}
		})
	}
}

// TestS3ClientTampered changes signed parts of S3 client requests in
// flight; the SDK must get an error back and nothing may be stored.
func TestS3ClientTampered(t *testing.T) {
	tests := []struct {
		name   string
		tls    bool
		tamper func(*http.Request)
	}{
		{"key", true, func(r *http.Request) { r.URL.Path += "x"; r.URL.RawPath = "" }},
		{"space as plus", true, func(r *http.Request) { r.URL.Path, r.URL.RawPath = strings.Replace(r.URL.Path, " ", "+", 1), "" }},
		// The same key, re-encoded: S3 rules verify the path as sent.
		{"lower-case hex", true, func(r *http.Request) { r.URL.RawPath = strings.Replace(r.URL.EscapedPath(), "%C3%A9", "%c3%a9", 1) }},
		{"header", true, func(r *http.Request) { r.Header.Set("X-Amz-Meta-Owner", "mallory") }},
		{"body", false, func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader("evil"))
			r.ContentLength = 4
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, objs := newS3(t, tt.tls, tt.tamper)
			_, err := client.PutObject(context.Background(), &s3.PutObjectInput{
				Bucket: aws.String("bucket"), Key: aws.String("a bé.txt"), Body: strings.NewReader("data"),
				Metadata: map[string]string{"owner": "alice"},
			})
			require.Error(t, err)
			assert.Empty(t, objs.objects)
		})
	}
}
