package redisstore

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestUnpack(t *testing.T) {
	pack := func(fs ...float64) string {
		var b []byte
		for _, f := range fs {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
		}
		return string(b)
	}
	tests := []struct {
		name  string
		reply string
		n     int
		want  []int64
	}{
		{"integers", pack(1, 0, 999, 1e15, 0), 5, []int64{1, 0, 999, 1e15, 0}},
		{"negative and fractions truncate as Redis does", pack(-3, -2.5, 2.5, 0, 1), 5, []int64{-3, -2, 2, 0, 1}},
		{"too short", pack(1, 0, 999, 0), 5, nil},
		{"too long", pack(1, 0, 999, 0, 0, 0), 5, nil},
		{"empty", "", 5, nil},
		{"not a multiple of 8", "abc", 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, unpack(tt.reply, make([]int64, tt.n)))
		})
	}
}
