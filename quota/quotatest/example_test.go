package quotatest_test

import (
	"testing"

	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/quota/quotatest"
)

// A store's test file runs the whole suite in one call.
func ExampleRun() {
	_ = func(t *testing.T) { // func TestMyStore(t *testing.T)
		quotatest.Run(t, func(*testing.T) quota.Store { return quota.NewMemoryStore() })
	}
}
