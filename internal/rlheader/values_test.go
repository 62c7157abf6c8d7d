package rlheader

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestValues(t *testing.T) {
	h := http.Header{}
	v := NewValues()
	v.B = AppendState(v.B, "second", 4, 1)
	v.Set(h, "Ratelimit", 0)
	start := len(v.B)
	v.B = append(v.B, strings.Repeat("x", 200)...) // outgrows buf
	v.Set(h, "X-Long", start)
	start = len(v.B)
	v.B = append(v.B, '7')
	v.Set(h, "Retry-After", start)
	assert.Equal(t, "second;r=4;t=1", h.Get("RateLimit"), "earlier values survive a move")
	assert.Equal(t, strings.Repeat("x", 200), h.Get("X-Long"))
	assert.Equal(t, "7", h.Get("Retry-After"))
	h.Add("Retry-After", "8")
	assert.Equal(t, []string{"7", "8"}, h["Retry-After"], "Add copies rather than writing into the shared array")
	assert.Equal(t, "second;r=4;t=1", h.Get("RateLimit"))
}

func TestValuesAllocations(t *testing.T) {
	h := http.Header{}
	allocs := testing.AllocsPerRun(100, func() {
		v := NewValues()
		v.B = AppendState(v.B, "second", 4, 1)
		v.Set(h, "Ratelimit", 0)
		start := len(v.B)
		v.B = append(v.B, '1')
		v.Set(h, "Retry-After", start)
	})
	assert.Equal(t, 1.0, allocs)
}

func TestSetField(t *testing.T) {
	for _, tc := range []struct{ name, value string }{
		{"fits", "second;r=4;t=1, gold;r=99;t=3600"},
		{"empty", ""},
		{"longer than the buffer", strings.Repeat("x", 200)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			b := []byte(tc.value)
			SetField(h, "Ratelimit", b)
			clear(b) // the field holds a copy
			assert.Equal(t, tc.value, h.Get("Ratelimit"))
			h.Add("Ratelimit", "x")
			assert.Equal(t, []string{tc.value, "x"}, h["Ratelimit"], "Add copies rather than writing into the shared array")
		})
	}
}

func TestSetFieldAllocations(t *testing.T) {
	h := http.Header{}
	allocs := testing.AllocsPerRun(100, func() {
		var buf [80]byte
		SetField(h, "Ratelimit", AppendState(buf[:0], "second", 4, 1))
	})
	assert.Equal(t, 1.0, allocs)
}
