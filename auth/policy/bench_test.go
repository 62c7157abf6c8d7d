package policy_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/auth/policy"
)

// benchPolicy is a typical API policy: read everything, write one
// collection, from the office network, never the admin routes.
const benchPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"Read","Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:api1/*/GET/*"},
 {"Sid":"Write","Effect":"Allow","Action":"execute-api:Invoke","Resource":["arn:aws:execute-api:*:*:api1/*/POST/pets","arn:aws:execute-api:*:*:api1/*/PUT/pets/*"],
  "Condition":{"StringEquals":{"tollgate:plan":["gold","platinum"]}}},
 {"Sid":"Office","Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]}}},
 {"Sid":"NoAdmin","Effect":"Deny","Action":"*","Resource":"arn:aws:execute-api:*:*:api1/*/*/admin/*"}]}`

// BenchmarkEvaluate compares the engine with the same rules written by
// hand in Go (the baseline).
func BenchmarkEvaluate(b *testing.B) {
	p := mustParse(b, benchPolicy)
	office := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.0.0/16")}
	r := policy.Request{
		Action:      policy.DefaultAction,
		Resource:    "arn:aws:execute-api:eu-west-1:123456789012:api1/prod/PUT/pets/42",
		Identity:    alice,
		SourceIP:    netip.MustParseAddr("10.1.2.3"),
		CurrentTime: noon,
	}
	b.Run("baseline=handwritten", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !handwritten(&r, office) {
				b.Fatal("denied")
			}
		}
	})
	b.Run("policy", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !policy.Evaluate(&r, p).Allowed() {
				b.Fatal("denied")
			}
		}
	})
}

func handwritten(r *policy.Request, office []netip.Prefix) bool {
	inOffice := false
	for _, p := range office {
		inOffice = inOffice || p.Contains(r.SourceIP)
	}
	_, rest, _ := strings.Cut(r.Resource, ":api1/")
	_, route, _ := strings.Cut(rest, "/")
	if !inOffice || strings.Contains(route, "/admin/") || !strings.EqualFold(r.Action, policy.DefaultAction) {
		return false
	}
	write := route == "POST/pets" || strings.HasPrefix(route, "PUT/pets/")
	return strings.HasPrefix(route, "GET/") || write && (r.Identity.Plan == "gold" || r.Identity.Plan == "platinum")
}

// BenchmarkMiddleware compares a request through the authorizer with the
// bare handler (the baseline).
func BenchmarkMiddleware(b *testing.B) {
	s := policy.NewMemoryStore()
	if err := s.Put(context.Background(), "alice", policy.Attachment{Policies: []*policy.Policy{mustParse(b, benchPolicy)}}); err != nil {
		b.Fatal(err)
	}
	a, err := policy.New(s, policy.WithResource(policy.ExecuteAPI{APIID: "api1"}.ARN))
	if err != nil {
		b.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	req := httptest.NewRequest("PUT", "/pets/42", nil)
	req.RemoteAddr = "10.1.2.3:5555"
	req = req.WithContext(auth.NewContext(req.Context(), alice))
	for _, bm := range []struct {
		name string
		h    http.Handler
	}{{"baseline=bare", ok}, {"authorizer", a.Middleware(ok)}} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			w := &nopWriter{h: http.Header{}}
			for b.Loop() {
				bm.h.ServeHTTP(w, req)
				if w.code != http.StatusNoContent {
					b.Fatal("status", w.code)
				}
			}
		})
		b.Run(bm.name+"-parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				w := &nopWriter{h: http.Header{}}
				for pb.Next() {
					bm.h.ServeHTTP(w, req)
					if w.code != http.StatusNoContent {
						b.Error("status", w.code)
						return
					}
				}
			})
		})
	}
}

// nopWriter records the status only, so the benchmark measures the middleware.
type nopWriter struct {
	h    http.Header
	code int
}

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *nopWriter) WriteHeader(code int)        { w.code = code }

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := policy.Parse([]byte(benchPolicy)); err != nil {
			b.Fatal(err)
		}
	}
}
