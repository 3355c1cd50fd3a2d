// Command ferretdb runs FerretDB v1 with its embedded SQLite backend: a
// MongoDB-protocol server in one static binary, for tests and native dev mode.
//
// It embeds github.com/FerretDB/FerretDB/ferretdb instead of installing
// FerretDB's own cmd because that cmd needs generated version files that the
// published module does not hold (a plain `go install` builds a binary that
// panics at start).
//
// Usage:
//
//	ferretdb -listen-addr 127.0.0.1:27017 -sqlite-dir /path/to/state
//
// Without -sqlite-dir the data lives in a temporary directory, removed when it
// stops. With port 0 the OS picks a free port; the "listening on" line it
// prints once ready gives the address.
//
// Flags fall back to FERRETDB_LISTEN_ADDR, FERRETDB_SQLITE_DIR and
// FERRETDB_LOG_LEVEL. It stops on SIGINT or SIGTERM and, when
// GO_MICRO_EXIT_ON_STDIN_EOF=1, also when its standard input closes, so a
// test process that dies without cleaning up does not leave it running.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}
}

func run() error {
	listenAddr := flag.String("listen-addr", envOr("FERRETDB_LISTEN_ADDR", "127.0.0.1:27017"),
		"TCP address to listen on (env FERRETDB_LISTEN_ADDR)")
	sqliteDir := flag.String("sqlite-dir", envOr("FERRETDB_SQLITE_DIR", ""),
		"directory holding the SQLite files, created if missing; default: a temporary one (env FERRETDB_SQLITE_DIR)")
	// FerretDB logs every command error (even the harmless "no such command:
	// endSessions" of each client disconnect) as a multi-line warning.
	logLevel := flag.String("log-level", envOr("FERRETDB_LOG_LEVEL", "error"),
		"debug, info, warn or error (env FERRETDB_LOG_LEVEL)")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("-log-level: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	if os.Getenv("GO_MICRO_EXIT_ON_STDIN_EOF") == "1" {
		// Output pipes close with the parent too: without this, the first line
		// written after that would kill the process before it removes its data.
		signal.Ignore(syscall.SIGPIPE)
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	dir, removeDir, err := dataDir(*sqliteDir)
	if err != nil {
		return err
	}
	defer removeDir()

	// FerretDB wants a file: URI naming an existing directory, with a trailing slash.
	sqliteURL := (&url.URL{Scheme: "file", Path: dir + "/"}).String()

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listenAddr},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
	})
	if err != nil {
		return err
	}

	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx)
	}()

	// New has bound the port, so this line means "ready"; with port 0 it tells which port.
	fmt.Printf("ferretdb: listening on %s (sqlite dir %s)\n", f.MongoDBURI(), dir)

	<-done
	fmt.Println("ferretdb: stopped")
	return nil
}

// dataDir returns the absolute path of the SQLite directory, made if missing,
// and what to do at exit: remove it if it is a temporary one, nothing otherwise.
func dataDir(path string) (string, func(), error) {
	if path == "" {
		dir, err := os.MkdirTemp("", "ferretdb-")
		if err != nil {
			return "", nil, fmt.Errorf("creating a temporary SQLite directory: %w", err)
		}
		return dir, func() { _ = os.RemoveAll(dir) }, nil
	}

	dir, err := filepath.Abs(path)
	if err != nil {
		return "", nil, err
	}
	if err = os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, fmt.Errorf("creating -sqlite-dir: %w", err)
	}
	return dir, func() {}, nil
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
