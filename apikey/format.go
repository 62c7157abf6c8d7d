package apikey

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/crc32"
)

const (
	alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	// randomLen base62 characters carry 190 bits of randomness.
	randomLen   = 32
	checksumLen = 6 // base62 of a CRC-32, as GitHub's token format
	bodyLen     = randomLen + checksumLen
	startLen    = 4 // random characters kept as the display prefix

	// MinImportedLen and MaxImportedLen bound imported key values, as
	// Amazon API Gateway does.
	MinImportedLen = 20
	MaxImportedLen = 128
)

// Hash is the SHA-256 of a key's plaintext, the only form in which a
// secret is stored.
type Hash [sha256.Size]byte

// HashKey returns the hash under which plaintext is stored.
func HashKey(plaintext string) Hash {
	if len(plaintext) <= MaxImportedLen+32 {
		var buf [MaxImportedLen + 32]byte // on the stack: verifying allocates nothing
		return sha256.Sum256(buf[:copy(buf[:], plaintext)])
	}
	return sha256.Sum256([]byte(plaintext))
}

// String returns the hash in lower-case hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// ParseHash parses the hex form returned by [Hash.String].
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*len(h) {
		return h, fmt.Errorf("apikey: hash of %d characters, want %d", len(s), 2*len(h))
	}
	_, err := hex.Decode(h[:], []byte(s))
	return h, err
}

// validPrefix reports whether p has the shape tollgate generates keys
// with: lower-case letters and digits in '_'-separated words, ending in '_'
// ("tg_", "tg_live_").
func validPrefix(p string) bool {
	if len(p) < 2 || len(p) > 32 || p[len(p)-1] != '_' || !isLower(p[0]) {
		return false
	}
	for i := 1; i < len(p); i++ {
		c := p[i]
		if c == '_' && p[i-1] == '_' {
			return false
		}
		if c != '_' && !isLower(c) && !isDigit(c) {
			return false
		}
	}
	return true
}

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isBase62(c byte) bool { return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'z' }

// generate returns a new key: prefix, 32 random base62 characters and a
// 6-character base62 CRC-32 of everything before it.
func generate(prefix string) (string, error) {
	b := make([]byte, len(prefix)+bodyLen)
	copy(b, prefix)
	if err := randomBase62(b[len(prefix) : len(prefix)+randomLen]); err != nil {
		return "", err
	}
	putChecksum(b[len(b)-checksumLen:], string(b[:len(b)-checksumLen]))
	return string(b), nil
}

// randomBase62 fills dst with uniform base62 characters by rejection
// sampling, so no character is likelier than another.
func randomBase62(dst []byte) error {
	var buf [64]byte
	for i := 0; i < len(dst); {
		if _, err := rand.Read(buf[:]); err != nil {
			return fmt.Errorf("apikey: reading randomness: %w", err)
		}
		for _, c := range buf {
			if c >= 248 { // 248 = 4·62; larger values would bias the modulus
				continue
			}
			dst[i] = alphabet[c%62]
			if i++; i == len(dst) {
				break
			}
		}
	}
	return nil
}

func putChecksum(dst []byte, data string) {
	sum := crc32IEEE(data)
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = alphabet[sum%62]
		sum /= 62
	}
}

// crc32IEEE is crc32.ChecksumIEEE over a string. The package's own entry
// points take a []byte that escapes, which would cost every Verify an
// allocation; 40 bytes through the table are as quick.
func crc32IEEE(s string) uint32 {
	crc := ^uint32(0)
	for i := 0; i < len(s); i++ {
		crc = crc32.IEEETable[byte(crc)^s[i]] ^ crc>>8
	}
	return ^crc
}

// Kind says how a plaintext key was classified.
type Kind int

// The kinds [Parse] tells apart.
const (
	// Generated keys have tollgate's format and a valid checksum.
	Generated Kind = iota + 1
	// Imported keys are any other value of 20 to 128 printable characters.
	Imported
)

// Parse classifies plaintext without touching any store. A value with
// tollgate's shape (prefix, 38 base62 characters) must carry a valid
// checksum, so typos are caught here; any other value is accepted as an
// imported key if it is 20 to 128 printable ASCII characters. The start
// returned is the non-secret display prefix.
func Parse(plaintext string) (kind Kind, start string, err error) {
	if p, ok := generatedPrefix(plaintext); ok {
		var sum [checksumLen]byte
		putChecksum(sum[:], plaintext[:len(plaintext)-checksumLen])
		if string(sum[:]) != plaintext[len(plaintext)-checksumLen:] {
			return 0, "", ErrMalformed
		}
		return Generated, plaintext[:len(p)+startLen], nil
	}
	if len(plaintext) < MinImportedLen || len(plaintext) > MaxImportedLen {
		return 0, "", ErrMalformed
	}
	for i := 0; i < len(plaintext); i++ {
		if plaintext[i] <= ' ' || plaintext[i] > '~' {
			return 0, "", ErrMalformed
		}
	}
	return Imported, plaintext[:startLen], nil
}

// generatedPrefix returns the prefix of a value shaped like a generated
// key: a valid prefix followed by exactly 38 base62 characters.
func generatedPrefix(s string) (string, bool) {
	if len(s) <= bodyLen {
		return "", false
	}
	p := s[:len(s)-bodyLen]
	if !validPrefix(p) {
		return "", false
	}
	for i := len(p); i < len(s); i++ {
		if !isBase62(s[i]) {
			return "", false
		}
	}
	return p, true
}

// LooksGenerated reports whether s has the shape of a generated key. It
// lets an extractor that shares a header with other schemes (Authorization:
// Bearer) claim only values that are meant for it.
func LooksGenerated(s string) bool {
	_, ok := generatedPrefix(s)
	return ok
}
