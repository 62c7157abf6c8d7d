package rlheader

import (
	"net/http"
	"unsafe"
)

// Values holds the values of a response's rate limit fields (RateLimit,
// Retry-After, legacy X-RateLimit-*) in one allocation: each value is a
// string pointing into buf. Append a value's bytes to B, then Set it.
// Bytes already set are never written again, which is what makes the
// strings safe; if B outgrows buf, append moves it to the heap and the
// strings set before keep pointing at the old bytes, unchanged.
type Values struct {
	// B collects the bytes of the values.
	B    []byte
	vals [5]string
	n    int
	buf  [96]byte
}

// NewValues returns an empty Values.
func NewValues() *Values {
	v := new(Values)
	v.B = v.buf[:0]
	return v
}

// Set makes B[start:] the value of the header key (a canonical name),
// replacing any value it had. It holds at most five values.
func (v *Values) Set(h http.Header, key string, start int) {
	b := v.B[start:]
	v.vals[v.n] = unsafe.String(unsafe.SliceData(b), len(b))
	h[key] = v.vals[v.n : v.n+1 : v.n+1]
	v.n++
}

// field is one field value and its bytes, in one 96-byte allocation.
type field struct {
	val [1]string
	buf [80]byte
}

// SetField makes a copy of b the value of the header key (a canonical
// name) in one small allocation: the value's string and its []string
// share it. For a response that sets one rate limit field, this is
// cheaper than [Values]; b may live on the caller's stack.
func SetField(h http.Header, key string, b []byte) {
	if len(b) > len(field{}.buf) {
		h[key] = []string{string(b)}
		return
	}
	f := new(field)
	n := copy(f.buf[:], b)
	f.val[0] = unsafe.String(&f.buf[0], n)
	h[key] = f.val[:]
}
