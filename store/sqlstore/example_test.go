package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite"

	"github.com/tollgate/tollgate/apikey"
	"github.com/tollgate/tollgate/store/sqlstore"
)

// An API key manager whose keys live in an SQLite file and so survive a
// restart: the second Manager, as after a restart, verifies the key the
// first one made.
func Example() {
	dir, err := os.MkdirTemp("", "tollgate")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	dsn := "file:" + filepath.Join(dir, "keys.db") + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"

	ctx := context.Background()
	plaintext := createKey(ctx, dsn)

	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	store, err := sqlstore.New(db, sqlstore.SQLite)
	if err != nil {
		log.Fatal(err)
	}
	keys, err := apikey.NewManager(store.APIKeys())
	if err != nil {
		log.Fatal(err)
	}
	k, err := keys.Verify(ctx, plaintext)
	fmt.Println(k.Owner, k.Plan, err)
	// Output: acme gold <nil>
}

// createKey runs a first "process": it opens the database, creates the
// tables and a key, and closes the database.
func createKey(ctx context.Context, dsn string) string {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	store, err := sqlstore.New(db, sqlstore.SQLite)
	if err != nil {
		log.Fatal(err)
	}
	if err := store.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	keys, err := apikey.NewManager(store.APIKeys())
	if err != nil {
		log.Fatal(err)
	}
	plaintext, _, err := keys.Create(ctx, apikey.Params{Owner: "acme", Plan: "gold"})
	if err != nil {
		log.Fatal(err)
	}
	return plaintext
}

// Subscribing to key changes on PostgreSQL with pgx, so every instance
// drops a revoked key from its cache at once. pgxWait is:
//
//	func pgxWait(ctx context.Context, dc any) (string, error) {
//		n, err := dc.(*stdlib.Conn).Conn().WaitForNotification(ctx)
//		if err != nil {
//			return "", err
//		}
//		return n.Payload, nil
//	}
func ExampleStore_Subscribe() {
	ctx := context.Background()
	db, err := sql.Open("pgx", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	store, err := sqlstore.New(db, sqlstore.Postgres)
	if err != nil {
		log.Fatal(err)
	}
	keys, err := apikey.NewManager(store.APIKeys())
	if err != nil {
		log.Fatal(err)
	}
	sub, err := store.Subscribe(ctx, pgxWait, keys.Invalidate)
	if err != nil {
		log.Fatal(err)
	}
	defer sub.Close(ctx)
	// ... serve requests with keys ...
}
