package quota

import (
	"math/rand/v2"
	"testing"
	"time"
	_ "time/tzdata" // the DST cases must not depend on the host's zoneinfo

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

func TestPeriodWindow(t *testing.T) {
	ny, havana, apia := zone(t, "America/New_York"), zone(t, "America/Havana"), zone(t, "Pacific/Apia")
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err)
		return v
	}
	tests := []struct {
		name       string
		p          Period
		at         string
		start, end string
	}{
		{"day", Day, "2024-02-28T13:00:00Z", "2024-02-28T00:00:00Z", "2024-02-29T00:00:00Z"},
		{"leap day", Day, "2024-02-29T23:59:59.999999999Z", "2024-02-29T00:00:00Z", "2024-03-01T00:00:00Z"},
		{"day starts at midnight exactly", Day, "2024-03-01T00:00:00Z", "2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z"},
		{"month of 31 days", Month, "2024-01-31T23:59:59Z", "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"},
		{"february in a leap year", Month, "2024-02-15T00:00:00Z", "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"},
		{"february in a common year", Month, "2023-02-28T12:00:00Z", "2023-02-01T00:00:00Z", "2023-03-01T00:00:00Z"},
		{"december into the next year", Month, "2024-12-31T12:00:00Z", "2024-12-01T00:00:00Z", "2025-01-01T00:00:00Z"},
		{"week from Monday", Week, "2024-01-07T12:00:00Z", "2024-01-01T00:00:00Z", "2024-01-08T00:00:00Z"},
		{"week on its first day", Week, "2024-01-08T00:00:00Z", "2024-01-08T00:00:00Z", "2024-01-15T00:00:00Z"},
		{"week from Sunday", Week.StartingOn(time.Sunday), "2024-01-07T12:00:00Z", "2024-01-07T00:00:00Z", "2024-01-14T00:00:00Z"},
		{"week across new year", Week, "2024-12-31T12:00:00Z", "2024-12-30T00:00:00Z", "2025-01-06T00:00:00Z"},
		{"week from Saturday", Week.StartingOn(time.Saturday), "2024-01-05T23:00:00Z", "2023-12-30T00:00:00Z", "2024-01-06T00:00:00Z"},
		{"day in New York", Day.In(ny), "2024-06-01T03:00:00Z", "2024-05-31T04:00:00Z", "2024-06-01T04:00:00Z"},
		{"spring forward: 23 hours", Day.In(ny), "2024-03-10T12:00:00Z", "2024-03-10T05:00:00Z", "2024-03-11T04:00:00Z"},
		{"fall back: 25 hours", Day.In(ny), "2024-11-03T12:00:00Z", "2024-11-03T04:00:00Z", "2024-11-04T05:00:00Z"},
		{"week with a DST change: 167 hours", Week.In(ny), "2024-03-08T12:00:00Z", "2024-03-04T05:00:00Z", "2024-03-11T04:00:00Z"},
		{"month with a DST change", Month.In(ny), "2024-11-15T12:00:00Z", "2024-11-01T04:00:00Z", "2024-12-01T05:00:00Z"},
		{"midnight skipped: day starts at 01:00", Day.In(havana), "2024-03-10T12:00:00Z", "2024-03-10T05:00:00Z", "2024-03-11T04:00:00Z"},
		{"midnight skipped: the day before ends then", Day.In(havana), "2024-03-10T04:30:00Z", "2024-03-09T05:00:00Z", "2024-03-10T05:00:00Z"},
		{"a skipped date: the day before runs into the next", Day.In(apia), "2011-12-30T09:00:00Z", "2011-12-29T10:00:00Z", "2011-12-30T10:00:00Z"},
		{"fixed hour", Every(time.Hour), "2024-03-10T12:34:56Z", "2024-03-10T12:00:00Z", "2024-03-10T13:00:00Z"},
		{"fixed 90 days", Every(90 * 24 * time.Hour), "1970-04-01T00:00:00Z", "1970-04-01T00:00:00Z", "1970-06-30T00:00:00Z"},
		{"fixed before the epoch", Every(time.Hour), "1969-12-31T23:30:00Z", "1969-12-31T23:00:00Z", "1970-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, end := tt.p.window(utc(tt.at), time.Time{})
			assert.True(t, start.Equal(utc(tt.start)), "start = %v, want %v", start.UTC(), tt.start)
			assert.True(t, end.Equal(utc(tt.end)), "end = %v, want %v", end.UTC(), tt.end)
		})
	}
}

func TestPeriodWindowAnchored(t *testing.T) {
	anchor := time.Date(2024, 5, 1, 10, 30, 0, 0, time.UTC)
	for _, tt := range []struct {
		at, start time.Time
	}{
		{anchor, anchor},
		{anchor.Add(59 * time.Minute), anchor},
		{anchor.Add(time.Hour), anchor.Add(time.Hour)},
		{anchor.Add(-time.Nanosecond), anchor.Add(-time.Hour)},
	} {
		start, end := Every(time.Hour).window(tt.at, anchor)
		assert.Equal(t, tt.start, start, "at %v", tt.at)
		assert.Equal(t, tt.start.Add(time.Hour), end, "at %v", tt.at)
	}
}

// TestPeriodWindowProperties checks, at random instants over decades and
// in zones with odd DST rules, that windows contain the instant, tile time
// without gaps or overlaps, and start at local midnight where one exists.
func TestPeriodWindowProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	zones := []string{"UTC", "America/New_York", "Europe/Berlin", "America/Havana", "America/Santiago", "Asia/Beirut", "Australia/Lord_Howe", "Pacific/Apia"}
	base := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for _, name := range zones {
		loc := zone(t, name)
		for _, p := range []Period{Day.In(loc), Week.In(loc).StartingOn(time.Sunday), Week.In(loc), Month.In(loc), Every(7 * time.Hour)} {
			for range 2000 {
				at := time.Unix(base+rng.Int64N(50*365*86400), rng.Int64N(1e9))
				start, end := p.window(at, time.Time{})
				require.Truef(t, !at.Before(start) && at.Before(end), "%v in %s: %v not in [%v, %v)", p, name, at, start, end)
				next, _ := p.window(end, time.Time{})
				require.Truef(t, next.Equal(end), "%v in %s: next window starts %v, want %v", p, name, next, end)
				_, prevEnd := p.window(start.Add(-time.Nanosecond), time.Time{})
				require.Truef(t, prevEnd.Equal(start), "%v in %s: previous window ends %v, want %v", p, name, prevEnd, start)
				if p.kind != kindFixed {
					ls := start.In(loc)
					require.Truef(t, ls.Minute() == 0 && ls.Second() == 0 && (ls.Hour() == 0 || ls.Add(-time.Nanosecond).Day() != ls.Day()),
						"%v in %s: window starts at %v, not the first instant of a day", p, name, ls)
				}
			}
		}
	}
}

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		in      string
		want    Period
		wantErr bool
	}{
		{in: "DAY", want: Day},
		{in: "week", want: Week},
		{in: "Month", want: Month},
		{in: "FOREVER", want: Forever},
		{in: "1h", want: Every(time.Hour)},
		{in: "90s", want: Every(90 * time.Second)},
		{in: "1.5s", wantErr: true},
		{in: "0s", wantErr: true},
		{in: "-1h", wantErr: true},
		{in: "YEAR", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePeriod(tt.in)
			if tt.wantErr {
				assert.ErrorIs(t, err, ErrInvalidQuota)
				assert.Equal(t, Period{}, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestPeriodString(t *testing.T) {
	ny := zone(t, "America/New_York")
	assert.Equal(t, "DAY", Day.String())
	assert.Equal(t, "WEEK from Sunday in America/New_York", Week.StartingOn(time.Sunday).In(ny).String())
	assert.Equal(t, "MONTH", Month.In(time.UTC).String())
	assert.Equal(t, "1h0m0s", Every(time.Hour).String())
	assert.Equal(t, "FOREVER", Forever.String())
	assert.Equal(t, "invalid", Period{}.String())
}

func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"DAY", "week", "MONTH", "FOREVER", "1h", "1.5s", "-3m", "9223372036s", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePeriod(s)
		if err != nil {
			return
		}
		again, err := ParsePeriod(p.String())
		require.NoError(t, err, "String() of a parsed period must parse")
		require.Equal(t, p, again)
		now := time.Unix(1_700_000_000, 0)
		start, end := p.window(now, time.Time{})
		if p != Forever {
			require.True(t, !now.Before(start) && now.Before(end))
		}
	})
}
