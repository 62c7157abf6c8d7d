package quota

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestWindowCacheAgreesWithWindow mixes quotas that share cache slots
// (same kind, other zone, week start or anchor) with times that jump back
// and forth, and checks every cached answer against a fresh computation.
func TestWindowCacheAgreesWithWindow(t *testing.T) {
	ny, berlin := zone(t, "America/New_York"), zone(t, "Europe/Berlin")
	anchor := time.Date(2024, 1, 1, 10, 30, 0, 0, time.UTC)
	quotas := []Quota{
		{Period: Day}, {Period: Day.In(ny)}, {Period: Day.In(berlin)},
		{Period: Week}, {Period: Week.StartingOn(time.Sunday)}, {Period: Week.In(ny)},
		{Period: Month}, {Period: Month.In(ny)},
		{Period: Every(time.Hour)}, {Period: Every(time.Hour), Start: anchor}, {Period: Every(90 * time.Minute)},
		{Period: Forever},
	}
	var c windowCache
	rng := rand.New(rand.NewPCG(3, 4))
	at := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	for range 20000 {
		q := quotas[rng.IntN(len(quotas))]
		at = at.Add(time.Duration(rng.Int64N(int64(96*time.Hour))) - 40*time.Hour)
		start, end := c.window(q, at)
		wantStart, wantEnd := q.Window(at)
		require.Truef(t, start.Equal(wantStart) && end.Equal(wantEnd), "%v at %v: cached [%v, %v), want [%v, %v)", q.Period, at, start, end, wantStart, wantEnd)
	}
}
