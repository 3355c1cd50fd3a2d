// Command mailpit runs the Mailpit mail catcher (an SMTP server that keeps
// every message, with an HTTP API and web UI), built from its Go module so
// tests and native dev mode need no container.
//
// It hands over to Mailpit's own command line, so every Mailpit flag works:
//
//	mailpit --smtp 127.0.0.1:1025 --listen 127.0.0.1:8025
//
// With GO_MICRO_EXIT_ON_STDIN_EOF=1 it also stops when its standard input
// closes, so a test process that dies without cleaning up does not leave it
// running.
package main

import (
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/axllent/mailpit/cmd"
)

func main() {
	if os.Getenv("GO_MICRO_EXIT_ON_STDIN_EOF") == "1" {
		// Output pipes close with the parent too: without this, the first line
		// written after that would kill the process before it deletes its data.
		signal.Ignore(syscall.SIGPIPE)
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			// SIGTERM rather than os.Exit: Mailpit deletes its temporary database on it.
			_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
		}()
	}
	cmd.Execute()
}
