// Command quickstart runs a small demo API guarded by tollgate: API keys,
// a usage plan with throttle and quota, usage metering, and Prometheus
// metrics on /metrics. It creates a demo API key and prints curl lines.
//
//	go run ./examples/quickstart [-addr 127.0.0.1:8080] [-store memory|sqlite:PATH]
//
// With -store sqlite:PATH the keys live in a SQLite file and survive a
// restart; the demo key is created on the first run only.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/tollgate/tollgate/apikey"
	"github.com/tollgate/tollgate/auth"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	store := flag.String("store", "memory", `where keys live: "memory" or "sqlite:PATH"`)
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *addr, *store, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, addr, storeSpec string, out io.Writer) error {
	keyStore, closeStore, err := openKeyStore(ctx, storeSpec)
	if err != nil {
		return err
	}
	defer closeStore()
	d, err := newDemo(ctx, keyStore)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: d.handler, ReadHeaderTimeout: 5 * time.Second}
	printIntro(out, "http://"+ln.Addr().String(), d.key)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return d.close(shutdown) // flush the last usage records
}

func hello(w http.ResponseWriter, r *http.Request) {
	id, _ := auth.FromContext(r.Context())
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, "{\"hello\":%q,\"key_id\":%q,\"plan\":%q}\n", id.Attributes["owner"], id.ID, id.Plan)
}

// demoKey creates the demo key, or finds the one a persistent store kept
// from an earlier run (its plaintext cannot be shown again).
func demoKey(ctx context.Context, keys *apikey.Manager) (string, error) {
	page, err := keys.List(ctx, "you", "", 1)
	if err != nil {
		return "", err
	}
	if len(page.Keys) > 0 {
		return "", nil
	}
	key, _, err := keys.Create(ctx, apikey.Params{Name: "quickstart", Owner: "you", Plan: "demo"})
	return key, err
}

func printIntro(out io.Writer, base, key string) {
	shown := key
	if key == "" {
		shown = "<the key printed on the first run>"
		fmt.Fprintf(out, "tollgate quickstart listening on %s\n\nKeeping the demo key created on an earlier run.\n", base)
	} else {
		fmt.Fprintf(out, "tollgate quickstart listening on %s\n\nDemo API key (shown once; only its hash is stored):\n  %s\n", base, key)
	}
	fmt.Fprintf(out, `
Try:
  curl -i %[1]s/v1/hello -H 'X-API-Key: %[2]s'    # 200, with RateLimit headers
  curl -i %[1]s/v1/hello                            # 401 problem+json
  curl -i %[1]s/healthz                             # 200, no key needed
  curl -s %[1]s/metrics | grep tollgate_             # Prometheus metrics

The demo plan allows bursts of 5, then 1 request per second, and 1000 a day.
Go past the burst to see a 429 with Retry-After:
  for i in $(seq 7); do curl -s -o /dev/null -w '%%{http_code}\n' %[1]s/v1/hello -H 'X-API-Key: %[2]s'; done

Press Ctrl-C to stop.
`, base, shown)
}
