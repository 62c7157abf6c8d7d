package testkit

import "testing"

func TestHostPort(t *testing.T) {
	tests := []struct{ in, want string }{
		{DefaultRedisURL, "127.0.0.1:6379"},
		{DefaultPostgresDSN, "127.0.0.1:5432"},
		{DefaultMySQLDSN, "127.0.0.1:3306"},
		{"127.0.0.1:7000", "127.0.0.1:7000"},
	}
	for _, tt := range tests {
		if got := hostPort(tt.in); got != tt.want {
			t.Errorf("hostPort(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestServicesAnswer(t *testing.T) {
	// On CI these must all be up; elsewhere a missing one skips.
	for name, f := range map[string]func(testing.TB) string{"redis": RedisURL, "postgres": PostgresDSN, "mysql": MySQLDSN} {
		t.Run(name, func(t *testing.T) {
			if f(t) == "" {
				t.Fatal("empty address")
			}
		})
	}
	t.Run("redis-cluster", func(t *testing.T) {
		if addrs := RedisClusterAddrs(t); len(addrs) == 0 || addrs[0] == "" {
			t.Fatalf("addresses %q", addrs)
		}
	})
}
