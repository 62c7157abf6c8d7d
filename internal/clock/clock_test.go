package clock

import (
	"testing"
	"time"
)

func TestFake(t *testing.T) {
	start := time.Date(2024, 2, 28, 23, 59, 0, 0, time.UTC)
	f := NewFake(start)
	if got := f.Now(); !got.Equal(start) {
		t.Fatalf("Now = %v, want %v", got, start)
	}
	if got := f.Advance(2 * time.Minute); !got.Equal(start.Add(2 * time.Minute)) {
		t.Fatalf("Advance = %v", got)
	}
	f.Set(start)
	if got := f.Now(); !got.Equal(start) {
		t.Fatalf("after Set, Now = %v", got)
	}
}

func TestOrReal(t *testing.T) {
	f := NewFake(time.Unix(42, 0))
	if got := OrReal(f.Now)(); got.Unix() != 42 {
		t.Fatalf("OrReal(fake) = %v", got)
	}
	if got := OrReal(nil)(); time.Since(got) > time.Minute {
		t.Fatalf("OrReal(nil) = %v, not the real time", got)
	}
}

func TestMono(t *testing.T) {
	now := Mono()
	a := now()
	if d := time.Since(a); d < 0 || d > time.Minute {
		t.Fatalf("Mono is %v away from time.Now", d)
	}
	if b := now(); b.Before(a) {
		t.Fatalf("Mono went backwards: %v then %v", a, b)
	}
}

func TestMonotonicUnixNano(t *testing.T) {
	m := NewMonotonic()
	a := m.UnixNano()
	b := m.Now().UnixNano()
	c := m.UnixNano()
	if a > b || b > c {
		t.Fatalf("UnixNano and Now disagree: %d, %d, %d", a, b, c)
	}
	if d := time.Duration(c - time.Now().UnixNano()); d > time.Second || d < -time.Second {
		t.Fatalf("UnixNano is %v away from time.Now", d)
	}
}
