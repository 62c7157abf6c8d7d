package apikey

import (
	"hash/crc32"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGenerateParse(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		k, err := generate("tg_live_")
		require.NoError(t, err)
		require.Len(t, k, len("tg_live_")+bodyLen)
		require.False(t, seen[k], "duplicate key")
		seen[k] = true
		kind, start, err := Parse(k)
		require.NoError(t, err)
		assert.Equal(t, Generated, kind)
		assert.Equal(t, k[:len("tg_live_")+4], start)
	}
}

func TestParse(t *testing.T) {
	good, err := generate("tg_")
	require.NoError(t, err)
	typo := []byte(good)
	typo[5] = map[bool]byte{true: 'b', false: 'a'}[typo[5] == 'a']
	tests := []struct {
		name string
		in   string
		kind Kind
		err  error
	}{
		{"generated", good, Generated, nil},
		{"one character changed", string(typo), 0, ErrMalformed},
		{"truncated generated is imported-length but not generated", good[:len(good)-1], Imported, nil},
		{"imported 20 chars", strings.Repeat("a", 20), Imported, nil},
		{"imported 128 chars", strings.Repeat("Z", 128), Imported, nil},
		{"too short", strings.Repeat("a", 19), 0, ErrMalformed},
		{"too long", strings.Repeat("a", 129), 0, ErrMalformed},
		{"space inside", strings.Repeat("a", 10) + " " + strings.Repeat("a", 10), 0, ErrMalformed},
		{"control character", strings.Repeat("a", 20) + "\n", 0, ErrMalformed},
		{"non-ascii", strings.Repeat("é", 12), 0, ErrMalformed},
		{"empty", "", 0, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, _, err := Parse(tt.in)
			assert.ErrorIs(t, err, tt.err)
			assert.Equal(t, tt.kind, kind)
		})
	}
}

func TestCRC32MatchesStdlib(t *testing.T) {
	for _, s := range []string{"", "a", "tg_live_" + strings.Repeat("Zz9", 11)} {
		assert.Equal(t, crc32.ChecksumIEEE([]byte(s)), crc32IEEE(s), "%q", s)
	}
}

func TestValidPrefix(t *testing.T) {
	for p, want := range map[string]bool{
		"tg_": true, "tg_live_": true, "sk2_test_": true,
		"": false, "_": false, "tg": false, "Tg_": false, "tg__": false, "1tg_": false, "tg-live_": false,
		strings.Repeat("a", 40) + "_": false,
	} {
		assert.Equal(t, want, validPrefix(p), "%q", p)
	}
}

func TestHashString(t *testing.T) {
	h := HashKey("x")
	back, err := ParseHash(h.String())
	require.NoError(t, err)
	assert.Equal(t, h, back)
	_, err = ParseHash("abc")
	assert.Error(t, err)
}

func FuzzParseKey(f *testing.F) {
	good, _ := generate("tg_live_")
	for _, s := range []string{good, "tg_", strings.Repeat("a", 20), "tg_live_" + strings.Repeat("0", 38), "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		kind, start, err := Parse(s)
		if err != nil {
			if kind != 0 || start != "" {
				t.Fatalf("error with results: %v %q", kind, start)
			}
			return
		}
		if !strings.HasPrefix(s, start) || len(start) >= len(s) {
			t.Fatalf("start %q is not a proper prefix of the key", start)
		}
		if kind == Generated && !LooksGenerated(s) {
			t.Fatalf("generated key %q does not look generated", s)
		}
	})
}
