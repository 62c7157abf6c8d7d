// Command quickstart runs a small demo API guarded by tollgate on the
// in-memory store. It creates a demo API key and prints curl lines to try.
//
//	go run ./examples/quickstart [-addr 127.0.0.1:8080]
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

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/apikey"
	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/ratelimit"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *addr, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// demo is the running demo API.
type demo struct {
	handler http.Handler
	key     string
}

func newDemo(ctx context.Context) (*demo, error) {
	keys, err := apikey.NewManager(apikey.NewMemoryStore(), apikey.WithPrefix("tg_demo_"))
	if err != nil {
		return nil, err
	}
	key, _, err := keys.Create(ctx, apikey.Params{Name: "quickstart", Owner: "you", Plan: "demo"})
	if err != nil {
		return nil, err
	}
	// The demo plan: bursts of 5, 1 request per second after that, 1000 a day.
	plans, err := tollgate.NewPlans(tollgate.Plan{
		Name:     "demo",
		Throttle: []ratelimit.Limit{ratelimit.PerSecond(1, 5)},
		Quota:    quota.Quota{Limit: 1000, Period: quota.Day},
	})
	if err != nil {
		return nil, err
	}
	gate, err := tollgate.New(tollgate.Config{
		Authenticators: []auth.Authenticator{apikey.NewAuthenticator(keys)},
		Plans:          plans,
	})
	if err != nil {
		return nil, err
	}
	api := http.NewServeMux()
	api.HandleFunc("GET /v1/hello", hello)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.Handle("/v1/", gate.Middleware(api))
	return &demo{handler: mux, key: key}, nil
}

func hello(w http.ResponseWriter, r *http.Request) {
	id, _ := auth.FromContext(r.Context())
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, "{\"hello\":%q,\"key_id\":%q,\"plan\":%q}\n", id.Attributes["owner"], id.ID, id.Plan)
}

func run(ctx context.Context, addr string, out io.Writer) error {
	d, err := newDemo(ctx)
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
	return nil
}

func printIntro(out io.Writer, base, key string) {
	fmt.Fprintf(out, `tollgate quickstart listening on %[1]s

Demo API key (shown once; only its hash is stored):
  %[2]s

Try:
  curl -i %[1]s/v1/hello -H 'X-API-Key: %[2]s'    # 200, with RateLimit headers
  curl -i %[1]s/v1/hello                            # 401 problem+json
  curl -i %[1]s/healthz                             # 200, no key needed

The demo plan allows bursts of 5, then 1 request per second, and 1000 a day.
Go past the burst to see a 429 with Retry-After:
  for i in $(seq 7); do curl -s -o /dev/null -w '%%{http_code}\n' %[1]s/v1/hello -H 'X-API-Key: %[2]s'; done

Press Ctrl-C to stop.
`, base, key)
}
