package sigv4

import (
	"errors"
	"time"
)

// Option configures a [Verifier].
type Option func(*config) error

type config struct {
	now      func() time.Time
	skew     time.Duration
	regions  []string
	services []string
	s3       []string
	maxBody  int64
	unsigned bool
	cacheCap int
}

func defaults() config {
	return config{
		now:      time.Now,
		skew:     5 * time.Minute,
		s3:       []string{"s3", "s3-object-lambda", "s3express"},
		maxBody:  10 << 20,
		cacheCap: 4096,
	}
}

// WithClock sets the time source used to check X-Amz-Date and expiry.
// Default: [time.Now].
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("sigv4: WithClock needs a non-nil clock")
		}
		c.now = now
		return nil
	}
}

// WithClockSkew sets how far X-Amz-Date may be from the verifier's clock
// for a header-signed request, and how far in the future a presigned URL's
// X-Amz-Date may lie. Default: 5 minutes, as AWS.
func WithClockSkew(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return errors.New("sigv4: clock skew must not be negative")
		}
		c.skew = d
		return nil
	}
}

// WithRegions accepts only requests scoped to one of regions (for SigV4a,
// whose region set matches one of them). Default: any region.
func WithRegions(regions ...string) Option {
	return func(c *config) error {
		if len(regions) == 0 {
			return errors.New("sigv4: WithRegions needs at least one region")
		}
		c.regions = regions
		return nil
	}
}

// WithServices accepts only requests scoped to one of services (the
// signing name, e.g. "execute-api" or "s3"). Default: any service.
func WithServices(services ...string) Option {
	return func(c *config) error {
		if len(services) == 0 {
			return errors.New("sigv4: WithServices needs at least one service")
		}
		c.services = services
		return nil
	}
}

// WithS3Services names the services whose requests are canonicalised as
// S3 does: the path exactly as sent, neither normalised nor encoded a
// second time. Every other service gets AWS's general rules. Default:
// "s3", "s3-object-lambda" and "s3express".
func WithS3Services(services ...string) Option {
	return func(c *config) error {
		c.s3 = services
		return nil
	}
}

// WithMaxBodyBytes sets how much of a body the verifier reads to hash it;
// a larger body is refused with 413. Streaming uploads are not limited
// as a whole, but each chunk is. Default: 10 MiB, API Gateway's payload
// limit.
func WithMaxBodyBytes(n int64) Option {
	return func(c *config) error {
		if n < 0 {
			return errors.New("sigv4: body limit must not be negative")
		}
		c.maxBody = n
		return nil
	}
}

// WithUnsignedPayload accepts bodies the signature does not cover:
// X-Amz-Content-Sha256: UNSIGNED-PAYLOAD (the body is passed on unread),
// S3 presigned URLs (which imply it) and STREAMING-UNSIGNED-PAYLOAD-TRAILER
// uploads. Default: refused.
func WithUnsignedPayload() Option {
	return func(c *config) error {
		c.unsigned = true
		return nil
	}
}

// WithKeyCacheSize sets how many derived signing keys are cached. Default: 4096.
func WithKeyCacheSize(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return errors.New("sigv4: key cache size must be positive")
		}
		c.cacheCap = n
		return nil
	}
}
