package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"time"
)

// WaitFunc waits for the next PostgreSQL notification on dc, the driver's
// own connection (as passed by [sql.Conn.Raw]), which is listening, and
// returns its payload. database/sql has no API for notifications, so the
// caller supplies this for its driver; for github.com/jackc/pgx/v5/stdlib:
//
//	func(ctx context.Context, dc any) (string, error) {
//		c, ok := dc.(*stdlib.Conn)
//		if !ok {
//			return "", fmt.Errorf("not a pgx connection: %T", dc)
//		}
//		n, err := c.Conn().WaitForNotification(ctx)
//		if err != nil {
//			return "", err
//		}
//		return n.Payload, nil
//	}
type WaitFunc func(ctx context.Context, dc any) (payload string, err error)

// Subscription delivers notifications of key changes until closed; see
// [KeyStore.Subscribe]. It is safe for concurrent use.
type Subscription struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// Subscribe calls onChange with the ID of every key written or deleted
// through these tables, by any instance (this one included), typically
// [apikey.Manager.Invalidate], so a
// revoked or re-planned key stops verifying everywhere at once instead
// of after the verification cache's TTL. It works on PostgreSQL only:
// each write sends NOTIFY in its transaction, and the Subscription holds
// one pool connection to LISTEN on (so give the pool room for it).
//
// onChange runs on the Subscription's goroutine, one call at a time, so it
// should return quickly. Subscribe returns once it is listening. If the
// connection fails it reconnects, backing off up to a second;
// notifications sent meanwhile are lost, and the cache's TTL bounds how
// long a change goes unseen. With MySQL or SQLite there is no
// notification: the TTL alone applies. Close the Subscription, before the
// *sql.DB, to release its connection.
func (ks *KeyStore) Subscribe(ctx context.Context, wait WaitFunc, onChange func(keyID string)) (*Subscription, error) {
	return ks.s.subscribe(ctx, ks.channel(), wait, onChange)
}

// channel is the notification channel of key changes.
func (ks *KeyStore) channel() string { return ks.s.prefix + "api_keys" }

// subscribe calls onChange with the payload of each notification on
// channel until the Subscription is closed.
func (s *Store) subscribe(ctx context.Context, channel string, wait WaitFunc, onChange func(string)) (*Subscription, error) {
	if s.dialect != Postgres || !s.notify {
		return nil, errors.New("sqlstore: Subscribe needs the Postgres dialect with notifications on")
	}
	if wait == nil || onChange == nil {
		return nil, errors.New("sqlstore: Subscribe needs a WaitFunc and an onChange function")
	}
	conn, err := s.listen(ctx, channel)
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	sub := &Subscription{cancel: cancel, done: make(chan struct{})}
	go s.deliver(runCtx, sub.done, conn, channel, wait, onChange)
	return sub, nil
}

// listen takes a connection out of the pool and LISTENs on it.
func (s *Store) listen(ctx context.Context, channel string) (*sql.Conn, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, wrap(ctx, "subscribe", err)
	}
	if _, err := conn.ExecContext(ctx, `LISTEN "`+channel+`"`); err != nil {
		conn.Close()
		return nil, wrap(ctx, "subscribe: listen", err)
	}
	return conn, nil
}

// Reconnection backoff of a Subscription.
const (
	minBackoff = 10 * time.Millisecond
	maxBackoff = time.Second
)

// deliver waits for notifications until ctx ends, reconnecting as needed.
// The backoff grows until a connection delivers something, so a WaitFunc
// that fails at once cannot spin against the server.
func (s *Store) deliver(ctx context.Context, done chan struct{}, conn *sql.Conn, channel string, wait WaitFunc, onChange func(string)) {
	defer close(done)
	backoff := minBackoff
	for {
		if waitAll(ctx, conn, wait, onChange) > 0 {
			backoff = minBackoff
		}
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, maxBackoff)
			var err error
			if conn, err = s.listen(ctx, channel); err == nil {
				break
			}
		}
	}
}

// waitAll delivers notifications from conn until waiting fails, then
// drops conn from the pool: it is listening, and may be broken. It
// returns how many it delivered.
func waitAll(ctx context.Context, conn *sql.Conn, wait WaitFunc, onChange func(string)) (n int) {
	_ = conn.Raw(func(dc any) error {
		for {
			id, err := wait(ctx, dc)
			if err != nil {
				return driver.ErrBadConn
			}
			onChange(id)
			n++
		}
	})
	conn.Close()
	return n
}

// Close stops the Subscription and releases its connection, waiting for
// its goroutine until ctx ends.
func (sub *Subscription) Close(ctx context.Context) error {
	sub.cancel()
	select {
	case <-sub.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
