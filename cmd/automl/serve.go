package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/automl-agent/automl/planner"
	"github.com/automl-agent/automl/server"
)

// serveCmd runs the HTTP service until ctx ends or SIGTERM arrives, then
// shuts down gracefully: running jobs end as interrupted, requests in
// flight finish.
func serveCmd(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newFlags("serve")
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (host:port; port 0 picks a free one)")
	dataDir := fs.String("data-dir", "automl-data", "directory for the database, datasets and models")
	token := fs.String("token", "", "bearer token required by the API (default $AUTOML_TOKEN; empty: none)")
	var origins listFlag
	fs.Var(&origins, "cors-origin", "origin allowed to call the API from a browser (repeatable or comma-separated)")
	maxUpload := fs.String("max-upload", "512MB", "largest request body (B, KB, MB, GB; KiB, MiB, GiB)")
	jobs := fs.Int("jobs", 1, "jobs run at once")
	queue := fs.Int("queue", 16, "jobs that may wait for a runner")
	maxRows := fs.Int("max-predict-rows", 10_000, "most rows per predict request")
	maxBudget := fs.Duration("max-budget", time.Hour, "largest time budget a run may ask for")
	parallelism := fs.Int("parallelism", 0, "goroutines per job (0: GOMAXPROCS)")
	useLLM := fs.Bool("llm", false, "offer the LLM planner to runs that ask for planner \"llm\" (client from the environment, as for fit)")
	llmProvider := fs.String("llm-provider", "", "with --llm: openrouter, openai, anthropic, gemini, ollama, llamacpp, vllm or local")
	llmModel := fs.String("llm-model", "", "with --llm: the LLM's model name")
	quiet := fs.Bool("quiet", false, "no request log")
	if err := parse(fs, args); err != nil {
		return err
	}
	upload, err := parseSize(*maxUpload)
	if err != nil {
		return fmt.Errorf("%w: serve: --max-upload: %v", errUsage, err)
	}
	if *token == "" {
		*token = os.Getenv("AUTOML_TOKEN")
	}
	var llmPlanner planner.Planner
	if *useLLM {
		if llmPlanner, err = choosePlanner("llm", *llmProvider, *llmModel); err != nil {
			return fmt.Errorf("serve: --llm: %w", err)
		}
	}
	level := slog.LevelInfo
	if *quiet {
		level = slog.LevelWarn
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	srv, err := server.New(server.Options{
		DataDir: *dataDir, Token: *token, CORSOrigins: origins, MaxUpload: upload,
		Jobs: *jobs, MaxQueued: *queue, MaxPredictRows: *maxRows, MaxBudget: *maxBudget,
		Parallelism: *parallelism, LLMPlanner: llmPlanner, Logger: logger,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		srv.Close()
		return err
	}
	fmt.Fprintf(stderr, "automl: serving http://%s/ (API docs at /docs), data in %s\n", ln.Addr(), *dataDir)
	if *token == "" && !isLoopback(ln.Addr()) {
		fmt.Fprintln(stderr, "automl: warning: no --token and not on loopback: anyone who can reach this address can use the API")
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM)
	defer stop()
	err = srv.Serve(ctx, ln, logger)
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "automl: shut down")
	}
	return err
}

// listFlag collects repeated or comma-separated values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// parseSize reads a byte count such as "512MB", "1GiB" or "1000": K, KB,
// M, MB, G and GB are powers of 1000; KiB, MiB and GiB powers of 1024.
func parseSize(s string) (int64, error) {
	bad := fmt.Errorf("bad size %q (want a positive number with an optional unit such as 512MB)", s)
	m := sizePattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, bad
	}
	mult, ok := sizeUnits[strings.ToLower(m[2])]
	n, err := strconv.ParseFloat(m[1], 64)
	if !ok || err != nil || n <= 0 {
		return 0, bad
	}
	return int64(n * float64(mult)), nil
}

var (
	sizePattern = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)$`)
	sizeUnits   = map[string]int64{"": 1, "b": 1, "k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9,
		"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30}
)

// isLoopback reports whether addr is a loopback address.
func isLoopback(addr net.Addr) bool {
	ta, ok := addr.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}
