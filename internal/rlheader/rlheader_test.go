package rlheader

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestFormatPolicies(t *testing.T) {
	tests := []struct {
		name string
		ps   []Policy
		want string
	}{
		{"one", []Policy{{Name: "default", Quota: 100, Window: 60}}, "default;q=100;w=60"},
		{"several", []Policy{{Name: "burst", Quota: 20, Window: 1}, {Name: "daily", Quota: 1000, Window: 86400}}, "burst;q=20;w=1, daily;q=1000;w=86400"},
		{"no window", []Policy{{Name: "credits", Quota: 5}}, "credits;q=5"},
		{"unit", []Policy{{Name: "bytes", Quota: 1 << 20, Window: 3600, Unit: "content-bytes"}}, `bytes;q=1048576;w=3600;qu="content-bytes"`},
		{"name not a token", []Policy{{Name: "9 lives \"x\"", Quota: 1, Window: 1}}, `"9 lives \"x\"";q=1;w=1`},
		{"token with colon and slash", []Policy{{Name: "GET:/v1/items", Quota: 1, Window: 1}}, `GET:/v1/items;q=1;w=1`},
		{"non-ascii replaced", []Policy{{Name: "é", Quota: 1, Window: 1}}, `"??";q=1;w=1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, FormatPolicies(tt.ps...))
		})
	}
}

func TestAppendState(t *testing.T) {
	assert.Equal(t, "burst;r=19;t=1", string(AppendState(nil, "burst", 19, 1)))
	assert.Equal(t, "burst;r=0;t=0", string(AppendState(nil, "burst", -3, -1)), "negatives clamp")
}

func TestSeconds(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want int64
	}{{0, 0}, {-time.Second, 0}, {1, 1}, {time.Second, 1}, {time.Second + 1, 2}, {1500 * time.Millisecond, 2}}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Seconds(int64(tt.d)), "%v", tt.d)
	}
}
