package metrics_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/tollgate/tollgate/metrics"
)

// FuzzMiddleware sends hostile methods and paths through the middleware
// and checks the method attribute stays in the bounded set, the access
// log stays one line, and a secret in the query never reaches it.
func FuzzMiddleware(f *testing.F) {
	for _, s := range []string{"GET", "BREW", "get", "GET\n", ""} {
		f.Add(s, "/a/b%0Ac")
	}
	known := map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "DELETE": true,
		"CONNECT": true, "OPTIONS": true, "TRACE": true, "PATCH": true, "QUERY": true, "_OTHER": true}
	f.Fuzz(func(t *testing.T, method, path string) {
		var buf bytes.Buffer
		rc, reader := newRecorder(t, metrics.WithAccessLog(slog.New(slog.NewJSONHandler(&buf, nil))))
		u := &url.URL{Path: path, RawQuery: "api_key=hunter2-secret"}
		req := &http.Request{Method: method, URL: u, Header: http.Header{}, RemoteAddr: "192.0.2.1:1234"}
		rc.Middleware(http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), req)

		if strings.Count(buf.String(), "\n") != 1 || strings.Contains(buf.String(), "hunter2") {
			t.Fatalf("access log: %q", buf.String())
		}
		dps := collect(t, reader, "http.server.request.duration").Data.(metricdata.Histogram[float64]).DataPoints
		v, _ := dps[0].Attributes.Value(semconv.HTTPRequestMethodKey)
		if !known[v.AsString()] {
			t.Fatalf("method attribute %q is not bounded", v.AsString())
		}
	})
}
