package policy

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tollgate/tollgate/auth"
)

func TestGlob(t *testing.T) {
	tests := []struct {
		name, p, v string
		fold, want bool
	}{
		{"literal", "abc", "abc", false, true},
		{"literal differs", "abc", "abd", false, false},
		{"empty both", "", "", false, true},
		{"star matches empty", "a*", "a", false, true},
		{"star matches slash", "a/*", "a/b/c", false, true},
		{"inner star", "a*c", "abbbc", false, true},
		{"inner star must end", "a*c", "abcd", false, false},
		{"backtrack", "*ab*ab", "xabyabab", false, true},
		{"question one char", "a?c", "abc", false, true},
		{"question not zero", "a?c", "ac", false, false},
		{"question is a character", "a?c", "aéc", false, true},
		{"two questions one rune", "a??c", "aéc", false, false},
		{"case sensitive", "ABC", "abc", false, false},
		{"fold", "execute-api:invoke", "Execute-API:Invoke", true, true},
		{"fold with star", "execute-api:inv*", "execute-api:INVOKE", true, true},
		{"only stars", "***", "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := glob(tt.p, tt.v, tt.fold); got != tt.want {
				t.Errorf("glob(%q, %q) = %v, want %v", tt.p, tt.v, got, tt.want)
			}
		})
	}
}

func TestMatchResource(t *testing.T) {
	const arn = "arn:aws:execute-api:eu-west-1:123456789012:api1/prod/GET/pets/1"
	tests := []struct {
		name, p, v string
		want       bool
	}{
		{"star", "*", arn, true},
		{"exact", arn, arn, true},
		{"case-sensitive", "arn:aws:execute-api:eu-west-1:123456789012:api1/prod/get/pets/1", arn, false},
		{"any method and path", "arn:aws:execute-api:eu-west-1:123456789012:api1/prod/*", arn, true},
		{"any region and account", "arn:aws:execute-api:*:*:api1/*/GET/pets/*", arn, true},
		{"question in region", "arn:aws:execute-api:eu-west-?:*:*", arn, true},
		{"star ending last segment spans colons", "arn:aws:execute-api:*", arn, true},
		{"star within segment stays in it", "arn:aws:execute-api:eu-*-1:123456789012:api1/*", arn, true},
		{"star within service segment", "arn:aws:*-api:eu-west-1:123456789012:api1/*", arn, true},
		{"inner star does not span colons", "arn:aws:execute-api:eu*012:api1/*", arn, false},
		{"region mismatch", "arn:aws:execute-api:us-east-1:*:*", arn, false},
		{"too few segments", "arn:aws:execute-api:eu-west-1", arn, false},
		{"too many segments", arn + ":x", arn, false},
		{"resource part wildcard spans colons", "arn:aws:execute-api:*:*:api1/*/POST/*/batch",
			"arn:aws:execute-api:r:1:api1/prod/POST/a:b/batch", true},
		{"prefix is not a match", "arn:aws:execute-api:*:*:api1/prod/GET/pets", arn, false},
		{"not an ARN", "arn:aws:execute-api:*:*:*", "pets", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := matchResource(tt.p, tt.v); got != tt.want {
				t.Errorf("matchResource(%q, %q) = %v, want %v", tt.p, tt.v, got, tt.want)
			}
		})
	}
}

// glob matches v against wildcard pattern p, compiled without variables.
func glob(p, v string, fold bool) bool {
	c, err := compilePattern(p, true, false, fold)
	if err != nil {
		panic(err) // cannot happen without variables
	}
	return c.match(v, nil)
}

// FuzzGlob checks the matcher against a regular expression built from the
// compiled pattern, variables replaced by their values quoted.
func FuzzGlob(f *testing.F) {
	for _, s := range [][3]string{
		{"a*b?c", "axxbyc", ""}, {"*ab*ab", "xabyabab", ""}, {"?", "é", ""}, {"**?*", "", ""},
		{"users/${aws:username}/*", "users/a*b/x", "a*b"}, {"${tollgate:attr/x, 'd''e'}*", "d'ef", ""},
		{"${*}${?}${$}", "*?$", ""},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, p, v, user string) {
		if len(p) > 64 || len(v) > 256 || !utf8.ValidString(p) || !utf8.ValidString(v) || !utf8.ValidString(user) {
			return
		}
		c, err := compilePattern(p, true, true, false)
		if err != nil {
			return
		}
		r := &Request{Identity: &auth.Identity{ID: user}}
		want := regexp.MustCompile(oracle(&c, r)).MatchString(v)
		if got := c.match(v, r); got != want {
			t.Fatalf("pattern %q matches %q: %v, regexp says %v", p, v, got, want)
		}
		if isASCII(p) && isASCII(v) { // folding is ASCII-only
			c, _ := compilePattern(p, true, false, true)
			want := regexp.MustCompile("(?i)" + oracle(&c, r)).MatchString(v)
			if got := c.match(v, r); got != want {
				t.Fatalf("folding pattern %q matches %q: %v, regexp says %v", p, v, got, want)
			}
		}
	})
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func oracle(p *pattern, r *Request) string {
	var re strings.Builder
	re.WriteString(`(?s)\A`)
	for i := range p.segs {
		switch sg := &p.segs[i]; sg.kind {
		case segStar:
			re.WriteString(".*")
		case segOne:
			re.WriteString(".")
		default:
			re.WriteString(regexp.QuoteMeta(sg.value(r)))
		}
	}
	re.WriteString(`\z`)
	return re.String()
}

func matchResource(p, v string) bool {
	c, err := compileARNPattern(p, false)
	if err != nil {
		panic(err) // cannot happen without variables
	}
	a := splitARN(v)
	return c.match(&a, nil)
}

// matchResourceRef is the ARN matching rule written plainly, segment by
// segment, as the reference for the compiled matcher.
func matchResourceRef(p, v string) bool {
	if p == "*" {
		return true
	}
	for range arnParts - 1 {
		pseg, prest, pmore := strings.Cut(p, ":")
		if !pmore && strings.HasSuffix(pseg, "*") {
			return glob(pseg, v, false)
		}
		vseg, vrest, vmore := strings.Cut(v, ":")
		if pmore != vmore || !glob(pseg, vseg, false) {
			return false
		}
		if !pmore {
			return true
		}
		p, v = prest, vrest
	}
	return glob(p, v, false)
}

func FuzzMatchResource(f *testing.F) {
	f.Add("arn:aws:execute-api:*:*:api1/*/GET/*", "arn:aws:execute-api:eu-west-1:1:api1/prod/GET/a:b")
	f.Add("arn:aws:execute-api:eu*", "arn:aws:execute-api:eu-west-1:1:x")
	f.Add("arn:a:b:c:d:e:f*", "arn:a:b:c:d:e:f:g")
	f.Add("arn::", ":")
	f.Fuzz(func(t *testing.T, p, v string) {
		if len(p) > 64 || len(v) > 256 {
			return
		}
		if got, want := matchResource(p, v), matchResourceRef(p, v); got != want {
			t.Fatalf("matchResource(%q, %q) = %v, reference says %v", p, v, got, want)
		}
	})
}
