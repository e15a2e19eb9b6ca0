// Command automl-temporal runs AutoML searches whose trials are fitted by
// workers on a Temporal cluster.
//
//	automl-temporal worker --temporal HOST:PORT --queue NAME --blobs DIR [--parallelism N] [--cache DIR]
//	automl-temporal fit --executor temporal://HOST:PORT/QUEUE --blobs DIR --data FILE --target COL [flags]
//	automl-temporal serve --executor temporal://HOST:PORT/QUEUE --blobs DIR [--addr HOST:PORT] [--data-dir DIR]
//
// The coordinator (fit) and the workers share a blob store directory
// (--blobs: local, or a shared mount) for fold data and big results. It
// is a separate binary from cmd/automl so that the core module does not
// depend on the Temporal SDK (see ../../DESIGN.md).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/remote"
	"github.com/automl-agent/automl/temporal"
)

var errUsage = errors.New("usage")

const usage = `usage:
  automl-temporal worker --temporal HOST:PORT --queue NAME --blobs DIR [--parallelism N] [--cache DIR]
  automl-temporal fit --executor temporal://HOST:PORT/QUEUE --blobs DIR --data FILE --target COL [flags]
  automl-temporal serve --executor temporal://HOST:PORT/QUEUE --blobs DIR [--addr HOST:PORT] [--data-dir DIR]
run "automl-temporal CMD -h" for a command's flags`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "worker":
		err = workerCmd(ctx, args[1:], stderr)
	case "fit":
		err = fitCmd(ctx, args[1:], stdout, stderr)
	case "serve":
		err = serveCmd(ctx, args[1:], stderr)
	default:
		err = fmt.Errorf("%w: unknown command %q", errUsage, args[0])
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "automl-temporal: %s\n%s\n", err, usage)
		return 2
	}
	fmt.Fprintf(stderr, "automl-temporal: %s\n", err)
	return 1
}

// dial connects to the cluster; the SDK logs warnings and errors only.
func dial(hostPort, namespace string, stderr io.Writer) (client.Client, error) {
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err := client.Dial(client.Options{HostPort: hostPort, Namespace: namespace, Logger: log.NewStructuredLogger(logger)})
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", hostPort, err)
	}
	return c, nil
}

func workerCmd(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	hostPort := fs.String("temporal", "localhost:7233", "Temporal frontend HOST:PORT")
	namespace := fs.String("namespace", "default", "Temporal namespace")
	queue := fs.String("queue", "automl", "task queue to poll")
	blobs := fs.String("blobs", "", "blob store directory shared with the coordinator")
	cache := fs.String("cache", "", "local directory caching blobs (empty = none)")
	par := fs.Int("parallelism", 0, "folds fitted at once (0 = all cores)")
	heartbeat := fs.Duration("heartbeat", 0, "time between heartbeats of a running fit (0 = 2s)")
	verbose := fs.Bool("verbose", false, "log each fold's start and end on stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *blobs == "" || *queue == "" {
		return fmt.Errorf("%w: worker needs --blobs DIR and --queue NAME", errUsage)
	}
	store, err := openStore(*blobs, *cache)
	if err != nil {
		return err
	}
	c, err := dial(*hostPort, *namespace, stderr)
	if err != nil {
		return err
	}
	defer c.Close()
	wo := temporal.WorkerOptions{Parallelism: *par, HeartbeatEvery: *heartbeat}
	if *verbose {
		wo.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	}
	w := temporal.NewWorker(c, *queue, &remote.Worker{Store: store}, wo)
	fmt.Fprintf(stderr, "worker %d: polling %s on %s\n", os.Getpid(), *queue, *hostPort)
	stop := make(chan any)
	go func() {
		<-ctx.Done()
		close(stop)
	}()
	return w.Run(stop)
}

// openStore opens the shared blob directory, read through cache if set.
func openStore(dir, cache string) (remote.Store, error) {
	shared, err := remote.NewDirStore(dir)
	if err != nil {
		return nil, err
	}
	if cache == "" {
		return shared, nil
	}
	local, err := remote.NewDirStore(cache)
	if err != nil {
		return nil, err
	}
	return remote.CachedStore{Remote: shared, Local: local}, nil
}

func fitCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	executor := fs.String("executor", "", "temporal://HOST:PORT/QUEUE (empty = fit in this process)")
	namespace := fs.String("namespace", "default", "Temporal namespace")
	perRequest := fs.Int("folds-per-request", 8, "a trial's folds after the first sent together, fitted on one worker (1 = one per request)")
	blobs := fs.String("blobs", "", "blob store directory shared with the workers")
	data := fs.String("data", "", "training data file")
	target := fs.String("target", "", "target column")
	budget := fs.Duration("budget", time.Minute, "time budget (0 only with --max-trials)")
	seed := fs.Uint64("seed", 0, "random seed")
	metric := fs.String("metric", "", "metric name")
	par := fs.Int("parallelism", 0, "trials at once (0 = all cores of this machine)")
	maxTrials := fs.Int("max-trials", 0, "cap on trials (0 = none)")
	maxTuned := fs.Int("max-tuned", 0, "cap on tuned trials per model family (0 = auto, -1 = none)")
	folds := fs.Int("folds", 0, "cross-validation folds (0 = auto)")
	repeats := fs.Int("repeats", 0, "cross-validation repeats (0 = auto)")
	include := fs.String("include", "", "comma-separated models to try")
	out := fs.String("out", "model.automl", "where to save the predictor")
	asJSON := fs.Bool("json", false, "print the leaderboard as JSON")
	top := fs.Int("top", 25, "leaderboard rows to print (0 = all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *data == "" || *target == "" {
		return fmt.Errorf("%w: fit needs --data FILE and --target COL", errUsage)
	}
	if *budget < 0 || (*budget == 0 && *maxTrials <= 0) {
		return fmt.Errorf("%w: --budget must be positive (0 only with --max-trials)", errUsage)
	}
	opts := automl.Options{
		TimeBudget: *budget, Seed: *seed, Metric: *metric, Parallelism: *par, MaxTrials: *maxTrials,
		MaxTunedPerModel: *maxTuned, Folds: *folds, Repeats: *repeats, Include: split(*include),
	}
	if *executor != "" {
		exec, closeExec, err := remoteExecutor(*executor, *blobs, *namespace, *perRequest, stderr)
		if err != nil {
			return err
		}
		defer closeExec()
		opts.Executor = exec
	}
	f, err := dataset.ReadFile(ctx, *data)
	if err != nil {
		return err
	}
	defer f.Release()
	res, err := automl.New(opts).Fit(ctx, f, *target)
	if err != nil && res == nil {
		return err
	}
	if err != nil {
		fmt.Fprintf(stderr, "automl: %s; saving the best model so far\n", err)
	}
	if err := save(res.Predictor, *out); err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res.Leaderboard)
	}
	fmt.Fprintln(stdout, res.Leaderboard.Table(*top))
	fmt.Fprintf(stdout, "saved %s: %s; fit took %.1fs\n", *out, res.Predictor, res.Duration.Seconds())
	return nil
}

// remoteExecutor connects to the cluster named by url
// (temporal://HOST:PORT/QUEUE) and returns an executor sending folds to
// its workers through the blob directory blobs, and the function that
// closes the connection.
func remoteExecutor(url, blobs, namespace string, perRequest int, stderr io.Writer) (automl.TrialExecutor, func(), error) {
	hostPort, queue, err := temporal.ParseURL(url)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", errUsage, err)
	}
	if blobs == "" {
		return nil, nil, fmt.Errorf("%w: --executor needs --blobs DIR (the workers' store)", errUsage)
	}
	store, err := remote.NewDirStore(blobs)
	if err != nil {
		return nil, nil, err
	}
	c, err := dial(hostPort, namespace, stderr)
	if err != nil {
		return nil, nil, err
	}
	exec := temporal.NewExecutor(c, queue, store)
	exec.FoldsPerRequest = perRequest
	return exec, c.Close, nil
}

// save writes the predictor to path through a temporary file.
func save(p *automl.Predictor, path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".automl-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := p.Save(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// split splits a comma-separated list, dropping empty items.
func split(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
