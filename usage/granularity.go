package usage

import (
	"fmt"
	"time"
)

// Granularity is the length of the periods a report is broken into.
type Granularity int

// The granularities reports support.
const (
	Hour Granularity = iota + 1
	Day
	Month
)

// String returns "hour", "day" or "month".
func (g Granularity) String() string {
	switch g {
	case Hour:
		return "hour"
	case Day:
		return "day"
	case Month:
		return "month"
	}
	return fmt.Sprintf("Granularity(%d)", int(g))
}

// MarshalText encodes g as its String.
func (g Granularity) MarshalText() ([]byte, error) {
	if !g.valid() {
		return nil, fmt.Errorf("usage: invalid granularity %d", int(g))
	}
	return []byte(g.String()), nil
}

// UnmarshalText decodes what MarshalText encodes.
func (g *Granularity) UnmarshalText(b []byte) error {
	v, err := ParseGranularity(string(b))
	if err == nil {
		*g = v
	}
	return err
}

// ParseGranularity parses "hour", "day" or "month".
func ParseGranularity(s string) (Granularity, error) {
	for _, g := range []Granularity{Hour, Day, Month} {
		if s == g.String() {
			return g, nil
		}
	}
	return 0, fmt.Errorf("usage: unknown granularity %q", s)
}

func (g Granularity) valid() bool { return g >= Hour && g <= Month }

// floor returns the start of the period holding t, in loc.
func (g Granularity) floor(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	y, mo, d := t.Date()
	switch g {
	case Hour:
		return time.Date(y, mo, d, t.Hour(), 0, 0, 0, loc)
	case Day:
		return time.Date(y, mo, d, 0, 0, 0, 0, loc)
	}
	return time.Date(y, mo, 1, 0, 0, 0, 0, loc)
}

// next returns the start of the period after the one starting at t.
// Calendar arithmetic keeps days whole across daylight-saving changes.
func (g Granularity) next(t time.Time) time.Time {
	switch g {
	case Hour:
		return t.Add(time.Hour)
	case Day:
		return t.AddDate(0, 0, 1)
	}
	return t.AddDate(0, 1, 0)
}
