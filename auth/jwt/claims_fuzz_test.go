package jwt

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzClaims runs arbitrary payloads through claim parsing, the time and
// audience checks and the identity mapping (what a token signed by a
// trusted but careless issuer could hold): no panics, and the fast string
// decoder agrees with encoding/json.
func FuzzClaims(f *testing.F) {
	f.Add([]byte(`{"iss":"a","sub":"b","aud":["c"],"exp":1e9,"nbf":1.5,"iat":0,"scope":"x y","plan":"gold"}`))
	f.Add([]byte(`{"sub":"\u0041\\","exp":"1","scp":["a",1],"aud":null}`))
	f.Add([]byte(`{"sub":1,"exp":1e400,"scp":"a  b","aud":"c"}`))
	v, err := New([]Issuer{{Issuer: "a", Audiences: []string{"c"}, Keys: &StaticKeys{t: &keyTable{}}}},
		WithPlanClaim("plan"), WithMaxAge(time.Hour), WithAttributeClaims("tenant"))
	if err != nil {
		f.Fatal(err)
	}
	now := time.Unix(1e9, 0)
	f.Fuzz(func(t *testing.T, payload []byte) {
		c, ok := parseClaims(b64.EncodeToString(payload))
		if !ok {
			return
		}
		for name, raw := range c {
			got, ok := jsonString(raw)
			var want string
			wantOK := json.Unmarshal(raw, &want) == nil
			if ok != wantOK || got != want {
				t.Fatalf("claim %q = %s: jsonString (%q, %v), encoding/json (%q, %v)", name, raw, got, ok, want, wantOK)
			}
		}
		if id, _, err := v.checkClaims(c, v.issuers["a"], now); err == nil && id.ID == "" {
			t.Fatal("identity without ID")
		}
	})
}
