package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"

	"github.com/automl-agent/automl/server"
)

// serveCmd runs the HTTP service (as automl serve does) with every job's
// folds fitted by the cluster's workers, until ctx ends.
func serveCmd(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	executor := fs.String("executor", "", "temporal://HOST:PORT/QUEUE")
	blobs := fs.String("blobs", "", "blob store directory shared with the workers")
	namespace := fs.String("namespace", "default", "Temporal namespace")
	perRequest := fs.Int("folds-per-request", 8, "folds of a trial sent to a worker in one workflow")
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	dataDir := fs.String("data-dir", "automl-data", "directory for the database, datasets and models")
	token := fs.String("token", os.Getenv("AUTOML_TOKEN"), "bearer token required by the API (empty: none)")
	jobs := fs.Int("jobs", 1, "jobs run at once")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *executor == "" {
		return fmt.Errorf("%w: serve needs --executor temporal://HOST:PORT/QUEUE (or use automl serve)", errUsage)
	}
	exec, closeExec, err := remoteExecutor(*executor, *blobs, *namespace, *perRequest, stderr)
	if err != nil {
		return err
	}
	defer closeExec()
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	srv, err := server.New(server.Options{DataDir: *dataDir, Token: *token, Jobs: *jobs, Executor: exec, Logger: logger})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		srv.Close()
		return err
	}
	fmt.Fprintf(stderr, "automl-temporal: serving http://%s/, folds on %s\n", ln.Addr(), *executor)
	return srv.Serve(ctx, ln, logger)
}
