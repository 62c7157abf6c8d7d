package redisstore

import (
	"context"
	"errors"
	"sync"

	"github.com/redis/go-redis/v9"
)

// Subscribe listens on the store's change channel and calls invalidate with
// the ID of every key that any APIKeyStore with the same prefix writes or
// deletes, from this process or another. Pass a Manager's Invalidate, so
// a revocation or plan change made on one instance reaches the others'
// verification caches within the pub/sub delay instead of the cache TTL:
//
//	sub, err := keys.Subscribe(ctx, manager.Invalidate)
//	defer sub.Close(ctx)
//
// Subscribe returns once Redis has confirmed the subscription, so every
// change after it is seen. go-redis reconnects a broken subscription by
// itself; changes made while it was down are missed, and for them the
// cache TTL bounds staleness again. invalidate runs on one goroutine,
// one call at a time, and must not block for long.
func (a *APIKeyStore) Subscribe(ctx context.Context, invalidate func(id string)) (*Subscription, error) {
	if invalidate == nil {
		return nil, errors.New("redisstore: nil invalidate func")
	}
	ps := a.s.client.Subscribe(ctx, a.channel)
	c, cancel := a.s.call(ctx)
	defer cancel()
	if _, err := ps.Receive(c); err != nil { // the subscription's confirmation
		ps.Close()
		return nil, a.s.fail(ctx, "subscribe", err)
	}
	sub := &Subscription{ps: ps, done: make(chan struct{})}
	go sub.run(ps.Channel(), invalidate)
	return sub, nil
}

// Subscription is a running [APIKeyStore.Subscribe]. It is safe for
// concurrent use.
type Subscription struct {
	ps   *redis.PubSub
	done chan struct{}
	once sync.Once
	err  error
}

func (s *Subscription) run(msgs <-chan *redis.Message, invalidate func(string)) {
	defer close(s.done)
	for m := range msgs {
		invalidate(m.Payload)
	}
}

// Close ends the subscription and waits, until ctx ends, for the last
// invalidate call to return. Closing twice is not an error.
func (s *Subscription) Close(ctx context.Context) error {
	s.once.Do(func() { s.err = s.ps.Close() })
	select {
	case <-s.done:
		return s.err
	case <-ctx.Done():
		return ctx.Err()
	}
}
