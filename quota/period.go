package quota

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

type periodKind uint8

const (
	kindNone periodKind = iota
	kindDay
	kindWeek
	kindMonth
	kindFixed
	kindForever
)

// Period is the span after which a quota starts afresh. Calendar periods
// ([Day], [Week], [Month]) begin at local midnight in their time zone (UTC
// unless changed with [Period.In]), so a day in a zone with daylight saving
// time lasts 23 or 25 hours on the days the clocks change; [Every] makes a
// fixed-length period; [Forever] never resets, which makes a quota a prepaid
// balance. The zero Period is invalid. Periods are comparable values.
type Period struct {
	kind      periodKind
	weekStart time.Weekday
	every     time.Duration
	loc       *time.Location
}

// Calendar periods in UTC. Weeks start on Monday (ISO 8601); change that
// with [Period.StartingOn].
var (
	Day   = Period{kind: kindDay}
	Week  = Period{kind: kindWeek, weekStart: time.Monday}
	Month = Period{kind: kindMonth}
	// Forever never resets: usage only changes through the Limiter's
	// Grant, Reset and SetRemaining. A quota with this period is a prepaid
	// credit balance that each request draws down.
	Forever = Period{kind: kindForever}
)

// Every returns a period of fixed length d, which must be a whole number
// of seconds and at least one second. Consecutive periods are aligned to
// the quota's Start, or to the Unix epoch when Start is zero.
func Every(d time.Duration) Period { return Period{kind: kindFixed, every: d} }

// In returns p with its calendar boundaries in loc. It changes nothing
// for fixed periods and Forever, which are the same in every zone.
func (p Period) In(loc *time.Location) Period {
	p.loc = loc
	return p
}

// StartingOn returns p with weeks starting on day; it changes nothing for
// periods other than weeks.
func (p Period) StartingOn(day time.Weekday) Period {
	p.weekStart = day
	return p
}

// ParsePeriod parses API Gateway's period names DAY, WEEK and MONTH (in any
// case), "FOREVER", or a Go duration such as "1h" for [Every].
func ParsePeriod(s string) (Period, error) {
	switch strings.ToUpper(s) {
	case "DAY":
		return Day, nil
	case "WEEK":
		return Week, nil
	case "MONTH":
		return Month, nil
	case "FOREVER":
		return Forever, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return Period{}, fmt.Errorf("%w: period %q is not DAY, WEEK, MONTH, FOREVER or a duration", ErrInvalidQuota, s)
	}
	p := Every(d)
	if err := p.validate(); err != nil {
		return Period{}, err
	}
	return p, nil
}

// String returns the period as [ParsePeriod] reads it, with the time zone
// and week start appended when they differ from the defaults.
func (p Period) String() string {
	var s string
	switch p.kind {
	case kindDay:
		s = "DAY"
	case kindWeek:
		s = "WEEK"
		if p.weekStart != time.Monday {
			s += " from " + p.weekStart.String()
		}
	case kindMonth:
		s = "MONTH"
	case kindFixed:
		return p.every.String()
	case kindForever:
		return "FOREVER"
	default:
		return "invalid"
	}
	if p.loc != nil && p.loc != time.UTC {
		s += " in " + p.loc.String()
	}
	return s
}

var errBadPeriod = errors.New("period must be Day, Week, Month, Forever or Every(d) with d a whole number of seconds ≥ 1s")

func (p Period) validate() error {
	switch p.kind {
	case kindDay, kindWeek, kindMonth, kindForever:
		if p.weekStart < time.Sunday || p.weekStart > time.Saturday {
			return fmt.Errorf("%w: week start %d", ErrInvalidQuota, p.weekStart)
		}
		return nil
	case kindFixed:
		if p.every >= time.Second && p.every%time.Second == 0 {
			return nil
		}
	}
	return fmt.Errorf("%w: %w", ErrInvalidQuota, errBadPeriod)
}

// window returns the period [start, end) that contains t. anchor aligns
// fixed periods. For Forever both are zero.
func (p Period) window(t, anchor time.Time) (start, end time.Time) {
	loc := p.loc
	if loc == nil {
		loc = time.UTC
	}
	switch p.kind {
	case kindDay:
		y, m, d := t.In(loc).Date()
		return midnight(y, m, d, loc), midnight(y, m, d+1, loc)
	case kindWeek:
		lt := t.In(loc)
		y, m, d := lt.Date()
		d -= (int(lt.Weekday()) - int(p.weekStart) + 7) % 7
		return midnight(y, m, d, loc), midnight(y, m, d+7, loc)
	case kindMonth:
		y, m, _ := t.In(loc).Date()
		return midnight(y, m, 1, loc), midnight(y, m+1, 1, loc)
	case kindFixed:
		return fixedWindow(t, anchor, p.every)
	}
	return time.Time{}, time.Time{}
}

// midnight returns the first instant of the local date y-m-d (normalised
// as time.Date does). Where the clocks skip midnight, time.Date may answer
// with an instant on the evening before; the day then begins when that
// evening's zone ends.
func midnight(y int, m time.Month, d int, loc *time.Location) time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if t.Day() != time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Day() {
		_, end := t.ZoneBounds()
		return end
	}
	return t
}

func fixedWindow(t, anchor time.Time, every time.Duration) (start, end time.Time) {
	var a int64
	if !anchor.IsZero() {
		a = anchor.Unix()
	}
	n := int64(every / time.Second)
	k := t.Unix() - a
	k -= ((k % n) + n) % n // floor to a multiple of n, also before the anchor
	s := time.Unix(a+k, 0).UTC()
	return s, s.Add(every)
}
