package usage_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/usage"
)

var t0 = time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC)

var quiet = slog.New(slog.DiscardHandler)

// keyAuth takes the X-Key header as the identity, on plan "basic".
var keyAuth = auth.AuthenticatorFunc(func(_ context.Context, r *http.Request) (*auth.Identity, error) {
	k := r.Header.Get("X-Key")
	if k == "" {
		return nil, auth.ErrNoCredentials
	}
	return &auth.Identity{ID: k, Method: auth.MethodAPIKey, Plan: "basic"}, nil
})

// TestConcurrentWritersExact sends requests from 16 clients through a
// real server, closes the meter and checks every request and byte landed
// in the store exactly once.
func TestConcurrentWritersExact(t *testing.T) {
	const writers, perWriter = 16, 100
	store := &flakyStore{MemoryStore: usage.NewMemoryStore(), fail: 1, lostAck: 1}
	// Size-triggered flushes run in the background while clients write.
	m, err := usage.NewMeter(store, usage.WithFlushSize(64), usage.WithLogger(quiet),
		usage.WithRetryBackoff(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, "ok!")
	})
	srv := httptest.NewServer(auth.Middleware(keyAuth)(m.Middleware(mux)))
	srv.Client().Transport.(*http.Transport).MaxIdleConnsPerHost = writers
	defer srv.Close()

	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				req, _ := http.NewRequest("POST", fmt.Sprintf("%s/items/%d", srv.URL, i), strings.NewReader("12345"))
				req.Header.Set("X-Key", fmt.Sprintf("key-%d", w%5))
				resp, err := srv.Client().Do(req)
				if !assert.NoError(t, err) {
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}
		})
	}
	wg.Wait()
	require.NoError(t, m.Close(context.Background()))

	got, rows := total(t, store)
	assert.EqualValues(t, writers*perWriter, got.Requests)
	assert.EqualValues(t, 5*writers*perWriter, got.BytesIn)
	assert.EqualValues(t, 3*writers*perWriter, got.BytesOut)
	assert.Zero(t, got.ClientErrors+got.ServerErrors)
	for _, r := range rows {
		assert.Equal(t, "POST /items/{id}", r.Route)
		assert.Equal(t, "basic", r.Plan)
	}
	assert.Zero(t, m.Stats().Dropped)
	ids, dups := store.calls()
	assert.Equal(t, ids[0], ids[1], "a failed batch is retried with its ID")
	assert.Equal(t, 1, dups, "the batch whose reply was lost is applied once")
}
