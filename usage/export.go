package usage

import (
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Format is an export format.
type Format int

// The formats [Reporter.Export] writes.
const (
	CSV  Format = iota + 1 // RFC 4180, with a header line
	JSON                   // one JSON array of rows
)

var csvHeader = []string{"period_start", "key", "plan", "route", "method", "requests",
	"client_errors", "server_errors", "bytes_in", "bytes_out", "latency_ms"}

// Export writes usage in [from, to) to w for billing: one row per period,
// key, plan, route and method, ordered by period, key, route and method.
// Each row's Start is the start of its period at granularity g.
func (r *Reporter) Export(ctx context.Context, w io.Writer, f Format, from, to time.Time, g Granularity) error {
	if f != CSV && f != JSON {
		return fmt.Errorf("usage: unknown export format %d", int(f))
	}
	periods, err := r.periods(from, to, g)
	if err != nil {
		return err
	}
	rows, err := r.query(ctx, "", periods[0].Start, periods[len(periods)-1].End)
	if err != nil {
		return err
	}
	rows = rollUp(rows, periods)
	if f == JSON {
		return json.NewEncoder(w).Encode(rows)
	}
	return writeCSV(w, rows)
}

// rollUp merges rows into their periods and sorts them.
func rollUp(rows []Row, periods []Period) []Row {
	for i := range rows {
		rows[i].Start = periods[periodIndex(periods, rows[i].Start)].Start
	}
	out := mergeRows(rows)
	slices.SortFunc(out, func(a, b Row) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.Key, b.Key), cmp.Compare(a.Plan, b.Plan),
			cmp.Compare(a.Route, b.Route), cmp.Compare(a.Method, b.Method))
	})
	return out
}

func writeCSV(w io.Writer, rows []Row) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(csvHeader)
	for _, row := range rows {
		_ = cw.Write([]string{
			row.Start.Format(time.RFC3339), cell(row.Key), cell(row.Plan), cell(row.Route), cell(row.Method),
			itoa(row.Requests), itoa(row.ClientErrors), itoa(row.ServerErrors),
			itoa(row.BytesIn), itoa(row.BytesOut), itoa(row.Latency.Milliseconds()),
		})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("usage: export: %w", err)
	}
	return nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// cell defuses spreadsheet formulas: a text cell starting with = + - @ or
// a control character is prefixed with a quote, as OWASP advises for CSV
// opened in spreadsheet programs.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
