package testkit

import (
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// Defaults for the services the store tests talk to.
const (
	DefaultRedisURL    = "redis://127.0.0.1:6379/0"
	DefaultPostgresDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	DefaultMySQLDSN    = "root@tcp(127.0.0.1:3306)/test?parseTime=true"
	// DefaultRedisClusterAddrs are the seed nodes of the test Redis Cluster.
	DefaultRedisClusterAddrs = "127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003"
)

// RedisURL returns the Redis URL from TOLLGATE_REDIS_URL (or the default)
// if the server answers; see [Require].
func RedisURL(t testing.TB) string {
	return Require(t, "TOLLGATE_REDIS_URL", DefaultRedisURL,
		"start it with: redis-server --daemonize yes --port 6379 --save '' --appendonly no")
}

// RedisClusterAddrs returns the Redis Cluster seed addresses from
// TOLLGATE_REDIS_CLUSTER_ADDRS (comma-separated, or the default) if every
// one of them answers; see [Require].
func RedisClusterAddrs(t testing.TB) []string {
	t.Helper()
	list := os.Getenv("TOLLGATE_REDIS_CLUSTER_ADDRS")
	if list == "" {
		list = DefaultRedisClusterAddrs
	}
	addrs := strings.Split(list, ",")
	for _, a := range addrs {
		dial(t, "TOLLGATE_REDIS_CLUSTER_ADDRS", a, "start it with: bash .ci/redis-cluster")
	}
	return addrs
}

// PostgresDSN returns the PostgreSQL DSN from TOLLGATE_POSTGRES_DSN (or
// the default) if the server answers; see [Require].
func PostgresDSN(t testing.TB) string {
	return Require(t, "TOLLGATE_POSTGRES_DSN", DefaultPostgresDSN,
		"start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start")
}

// MySQLDSN returns the MySQL/MariaDB DSN from TOLLGATE_MYSQL_DSN (or the
// default) if the server answers; see [Require].
func MySQLDSN(t testing.TB) string {
	return Require(t, "TOLLGATE_MYSQL_DSN", DefaultMySQLDSN,
		"start it with: start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd")
}

// Require returns the address in env (or def) when a TCP connection to
// its host succeeds. Otherwise it skips the test with a message saying how
// to start the service, or fails it when CI=true, where every service
// must be there.
func Require(t testing.TB, env, def, howToStart string) string {
	t.Helper()
	addr := os.Getenv(env)
	if addr == "" {
		addr = def
	}
	return dial(t, env, addr, howToStart)
}

// dial is [Require] for an address already read from env.
func dial(t testing.TB, env, addr, howToStart string) string {
	t.Helper()
	hostport := hostPort(addr)
	conn, err := net.DialTimeout("tcp", hostport, 2*time.Second)
	if err == nil {
		conn.Close()
		return addr
	}
	msg := "service at " + hostport + " (" + env + ") is not answering: " + err.Error() + "; " + howToStart
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// hostPort finds host:port in a URL ("redis://h:p/0", "postgres://u@h:p/db")
// or a go-sql-driver/mysql DSN ("user@tcp(h:p)/db").
func hostPort(addr string) string {
	if i := strings.Index(addr, "tcp("); i >= 0 {
		if j := strings.IndexByte(addr[i:], ')'); j > 0 {
			return addr[i+4 : i+j]
		}
	}
	if u, err := url.Parse(addr); err == nil && u.Host != "" {
		return u.Host
	}
	return addr
}
