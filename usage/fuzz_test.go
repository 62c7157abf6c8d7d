package usage_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/usage"
)

// FuzzExportCSV feeds hostile keys and routes through the CSV export and
// checks the output parses back as one well-formed record with no cell a
// spreadsheet would run as a formula.
func FuzzExportCSV(f *testing.F) {
	for _, s := range []string{"key-1", "=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "a,b\n\"c", "\tx", ""} {
		f.Add(s, "GET /a")
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, key, route string) {
		store := usage.NewMemoryStore()
		_, _ = store.Apply(context.Background(), usage.Batch{ID: "b", Rows: []usage.Row{
			{Key: key, Route: route, Method: "GET", Start: start, Counters: usage.Counters{Requests: 1}},
		}})
		rep, _ := usage.NewReporter(store)
		var buf bytes.Buffer
		if err := rep.Export(context.Background(), &buf, usage.CSV, start, start.Add(time.Hour), usage.Day); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatalf("export does not parse: %v", err)
		}
		if len(recs) != 2 || len(recs[1]) != 11 {
			t.Fatalf("got %d records, want header and one row of 11 fields", len(recs))
		}
		for _, c := range recs[1][1:5] {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				t.Fatalf("cell %q would run as a formula", c)
			}
		}
	})
}

func FuzzParseGranularity(f *testing.F) {
	for _, s := range []string{"hour", "day", "month", "week", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, err := usage.ParseGranularity(s)
		if err != nil {
			return
		}
		if b, err := g.MarshalText(); err != nil || string(b) != s {
			t.Fatalf("round trip of %q gave %q, %v", s, b, err)
		}
	})
}
