package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newKeyer(t *testing.T, sources ...IdentitySource) *CustomAuthorizer {
	t.Helper()
	nop := func(context.Context, *http.Request) (*Identity, error) { return nil, ErrForbidden }
	a, err := NewCustomAuthorizer(nop, WithIdentitySources(sources...))
	require.NoError(t, err)
	return a
}

func TestCacheKeyIsInjective(t *testing.T) {
	req := func(target string, header http.Header) *http.Request {
		r := httptest.NewRequest("GET", target, nil)
		for k, vs := range header {
			r.Header[k] = vs
		}
		return r
	}
	ab := []IdentitySource{HeaderSource("a"), HeaderSource("b")}
	tests := []struct {
		name    string
		sources []IdentitySource
		x, y    *http.Request
		same    bool
	}{
		{"same header", ab, req("/", http.Header{"A": {"1"}, "B": {"2"}}), req("/x", http.Header{"A": {"1"}, "B": {"2"}}), true},
		{"values shifted between sources", ab, req("/", http.Header{"A": {"ab"}, "B": {"c"}}), req("/", http.Header{"A": {"a"}, "B": {"bc"}}), false},
		{"values shifted within a header", []IdentitySource{HeaderSource("a")}, req("/", http.Header{"A": {"ab", "c"}}), req("/", http.Header{"A": {"a", "bc"}}), false},
		{"extra empty value", []IdentitySource{HeaderSource("a")}, req("/", http.Header{"A": {"x"}}), req("/", http.Header{"A": {"x", ""}}), false},
		{"query order of other params", []IdentitySource{QuerySource("t")}, req("/?a=1&t=x", nil), req("/?t=x&b=2", nil), true},
		{"query repeated", []IdentitySource{QuerySource("t")}, req("/?t=x", nil), req("/?t=x&t=y", nil), false},
		{"query escaped key", []IdentitySource{QuerySource("t k")}, req("/?t+k=x", nil), req("/?t%20k=x", nil), true},
		{"query vs header", []IdentitySource{QuerySource("t"), HeaderSource("h")}, req("/?t=x", http.Header{"H": {"y"}}), req("/?t=x", http.Header{"H": {"z"}}), false},
		{"cookie", []IdentitySource{CookieSource("s")}, req("/", http.Header{"Cookie": {"s=1; o=2"}}), req("/", http.Header{"Cookie": {"o=3; s=1"}}), true},
		{"cookie differs", []IdentitySource{CookieSource("s")}, req("/", http.Header{"Cookie": {"s=1"}}), req("/", http.Header{"Cookie": {"s=2"}}), false},
		{"func", []IdentitySource{FuncSource("path", func(r *http.Request) string { return r.URL.Path })}, req("/a", nil), req("/b", nil), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newKeyer(t, tt.sources...)
			kx, err := a.key(tt.x)
			require.NoError(t, err)
			ky, err := a.key(tt.y)
			require.NoError(t, err)
			assert.Equal(t, tt.same, kx == ky)
		})
	}
}

func TestCacheKeyMissingSource(t *testing.T) {
	tests := []struct {
		name   string
		source IdentitySource
		target string
		header http.Header
	}{
		{"no header", HeaderSource("Authorization"), "/", nil},
		{"empty header", HeaderSource("Authorization"), "/", http.Header{"Authorization": {""}}},
		{"no query", QuerySource("t"), "/?u=1", nil},
		{"empty query", QuerySource("t"), "/?t=&t", nil},
		{"no cookie", CookieSource("s"), "/", http.Header{"Cookie": {"o=1"}}},
		{"no path value", PathValueSource("id"), "/", nil},
		{"func empty", FuncSource("host", func(*http.Request) string { return "" }), "/", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", tt.target, nil)
			for k, vs := range tt.header {
				r.Header[k] = vs
			}
			_, err := newKeyer(t, tt.source).key(r)
			assert.ErrorIs(t, err, ErrNoCredentials)
		})
	}
}

// FuzzQuerySource checks the hand-rolled query scan against net/url: the
// parameter is present exactly when url.ParseQuery finds a non-empty value.
func FuzzQuerySource(f *testing.F) {
	for _, s := range []string{"t=1", "a=1&t=", "t=x&t=y", "t+k=1&t%20k=2", "%zz=1&t=%", "t", "&&t=;"} {
		f.Add(s, "t")
	}
	f.Fuzz(func(t *testing.T, raw, name string) {
		buf, present := appendQuery(nil, raw, name)
		require.NotEmpty(t, buf)
		vals, err := url.ParseQuery(raw)
		if err != nil || name == "" {
			return
		}
		want := false
		for _, v := range vals[name] {
			want = want || v != ""
		}
		assert.Equal(t, want, present, "raw %q name %q", raw, name)
	})
}

func TestParseIdentitySource(t *testing.T) {
	tests := []struct {
		in, want string // want "" means an error
	}{
		{"$request.header.authorization", "$request.header.Authorization"},
		{"method.request.header.X-Api-Key", "$request.header.X-Api-Key"},
		{"$request.querystring.token", "$request.querystring.token"},
		{"method.request.querystring.token", "$request.querystring.token"},
		{"$request.cookie.session", "$request.cookie.session"},
		{"$request.path.tenant", "$request.path.tenant"},
		{"$context.identity.sourceIp", ""},
		{"$stageVariables.x", ""},
		{"$request.header.", ""},
		{"", ""},
		{"header.Authorization", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseIdentitySource(tt.in)
			if tt.want == "" {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.String())
			assert.True(t, got.valid())
		})
	}
}

// FuzzParseIdentitySource checks that whatever parses is valid and that
// String writes something that parses back to the same source.
func FuzzParseIdentitySource(f *testing.F) {
	for _, s := range []string{"$request.header.A", "method.request.querystring.q", "$request.cookie.", "$context.x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		src, err := ParseIdentitySource(s)
		if err != nil {
			return
		}
		require.True(t, src.valid())
		again, err := ParseIdentitySource(src.String())
		require.NoError(t, err)
		assert.Equal(t, src.String(), again.String())
	})
}
