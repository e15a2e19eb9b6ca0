package temporal

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/internal/testtable"
	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/remote"
)

// The tests in this file run a real Temporal dev server and worker
// processes on loopback. They need the temporal CLI (v1.5.1 builds
// offline: go install github.com/temporalio/cli/cmd/temporal@v1.5.1) and
// skip unless AUTOML_TEMPORAL_CLI names it.

// devServerArgs lift the dev server's one history shard's transfer queue
// from 20 polls a second: at the default each task dispatch waits ~45 ms
// and a fold's round trip takes ~150 ms instead of ~18 ms (DESIGN.md). A
// production cluster has hundreds of shards, each with its own budget.
var devServerArgs = []string{"--dynamic-config-value", "history.transferProcessorMaxPollRPS=1000"}

// cluster is a dev server, the worker binary and a shared blob store.
type cluster struct {
	client   client.Client
	hostPort string
	worker   string // path of the automl-temporal binary
	blobs    string
	store    *remote.DirStore
	outputs  []*testtable.SyncBuffer // of the worker processes, in start order
}

func startCluster(t *testing.T) *cluster {
	cli := os.Getenv("AUTOML_TEMPORAL_CLI")
	if cli == "" {
		t.Skip("AUTOML_TEMPORAL_CLI is not set: no temporal CLI to run a dev server")
	}
	if testing.Short() {
		t.Skip("starts a Temporal dev server and worker processes")
	}
	silent := log.NewStructuredLogger(slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	srv, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath:  cli,
		LogLevel:      "error",
		ClientOptions: &client.Options{Logger: silent},
		Stdout:        output(t, "server"),
		Stderr:        output(t, "server"),
		ExtraArgs:     devServerArgs,
	})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, srv.Stop()) })

	bin := filepath.Join(t.TempDir(), "automl-temporal")
	build := exec.Command("go", "build", "-o", bin, "./cmd/automl-temporal")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	blobs := t.TempDir()
	store, err := remote.NewDirStore(blobs)
	require.NoError(t, err)
	return &cluster{client: srv.Client(), hostPort: srv.FrontendHostPort(), worker: bin, blobs: blobs, store: store}
}

// output returns a writer that keeps a process's output for the test log.
func output(t *testing.T, name string) *bytes.Buffer {
	var b bytes.Buffer
	t.Cleanup(func() {
		if t.Failed() && b.Len() > 0 {
			t.Logf("%s output:\n%s", name, b.String())
		}
	})
	return &b
}

// workers starts n worker processes polling queue, one fold at a time
// each; they are killed when the test ends.
func (c *cluster) workers(t *testing.T, n int, queue string) []*exec.Cmd {
	var cmds []*exec.Cmd
	for i := range n {
		cmd := exec.Command(c.worker, "worker", "--temporal", c.hostPort, "--queue", queue,
			"--blobs", c.blobs, "--cache", t.TempDir(), "--parallelism", "1", "--heartbeat", "500ms", "--verbose")
		out := &testtable.SyncBuffer{}
		c.outputs = append(c.outputs, out)
		cmd.Stdout, cmd.Stderr = out, out
		require.NoError(t, cmd.Start())
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			if t.Failed() {
				t.Logf("worker %d output:\n%s", i, out.String())
			}
		})
		cmds = append(cmds, cmd)
	}
	return cmds
}

// recorder counts the folds each worker process replied to.
type recorder struct {
	next    remote.Transport
	mu      sync.Mutex
	by      map[string]int
	retried int // folds that needed more than one attempt
}

func (r *recorder) RunFold(ctx context.Context, req *remote.Request) (*remote.Reply, error) {
	rep, err := r.next.RunFold(ctx, req)
	if err == nil {
		r.mu.Lock()
		if r.by == nil {
			r.by = map[string]int{}
		}
		r.by[rep.Worker]++
		if rep.Attempt > 1 {
			r.retried++
		}
		r.mu.Unlock()
	}
	return rep, err
}

func (r *recorder) RunFolds(ctx context.Context, reqs []*remote.Request) ([]*remote.Reply, error) {
	reps, err := r.next.(remote.BatchTransport).RunFolds(ctx, reqs)
	if err == nil {
		r.mu.Lock()
		if r.by == nil {
			r.by = map[string]int{}
		}
		for _, rep := range reps {
			r.by[rep.Worker]++
			if rep.Attempt > 1 {
				r.retried++
			}
		}
		r.mu.Unlock()
	}
	return reps, err
}

func (r *recorder) counts() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for k, v := range r.by {
		out[k] = v
	}
	return out
}

// searchOptions is a small search that tunes: the same for every test.
func searchOptions() automl.Options {
	return automl.Options{MaxTrials: 16, Seed: 11, Parallelism: 2, MaxTunedPerModel: 4, Include: []string{"logistic", "gbdt", "knn"}}
}

func TestTwoWorkerProcessesSameLeaderboard(t *testing.T) {
	c := startCluster(t)
	c.workers(t, 2, "same")
	train := readCSV(t, synthCSV(300, "binary", 5))
	defer train.Release()

	local, err := automl.New(searchOptions()).Fit(t.Context(), train, "target")
	require.NoError(t, err)

	for _, perRequest := range []int{1, 8} {
		t.Run(fmt.Sprintf("%d folds per request", perRequest), func(t *testing.T) {
			rec := &recorder{next: &Transport{Client: c.client, Queue: "same"}}
			opts := searchOptions()
			opts.Executor = &remote.Executor{Store: c.store, Transport: rec, FoldsPerRequest: perRequest}
			far, err := automl.New(opts).Fit(t.Context(), train, "target")
			require.NoError(t, err)

			assert.Equal(t, leaderboardJSON(t, local.Leaderboard), leaderboardJSON(t, far.Leaderboard))
			assert.Len(t, rec.counts(), 2, "both workers fitted folds: %v", rec.counts())
		})
	}
}

func TestKilledWorkerLosesNothing(t *testing.T) {
	c := startCluster(t)
	procs := c.workers(t, 2, "kill")
	train := readCSV(t, synthCSV(300, "binary", 5))
	defer train.Release()

	local, err := automl.New(searchOptions()).Fit(t.Context(), train, "target")
	require.NoError(t, err)

	rec := &recorder{next: &Transport{Client: c.client, Queue: "kill", HeartbeatTimeout: 3 * time.Second}}
	opts := searchOptions()
	opts.Executor = &remote.Executor{Store: c.store, Transport: rec}
	// Kill the first worker right after it starts its third gbdt fold (tens
	// of ms where the others take a few), so that it dies in a fit.
	var killed atomic.Bool
	watch := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		out := c.outputs[len(c.outputs)-2]
		for {
			select {
			case <-watch:
				return
			case <-time.After(time.Millisecond):
			}
			if strings.Count(out.String(), "model=gbdt") >= 3 {
				_ = procs[0].Process.Kill()
				killed.Store(true)
				return
			}
		}
	})
	start := time.Now()
	far, err := automl.New(opts).Fit(t.Context(), train, "target")
	close(watch)
	wg.Wait()
	require.NoError(t, err)
	require.True(t, killed.Load())
	t.Logf("search with a killed worker took %s; folds by worker: %v; %d folds retried", time.Since(start), rec.counts(), rec.retried)
	assert.Positive(t, rec.retried, "the killed worker's fold was fitted again")

	assert.Equal(t, leaderboardJSON(t, local.Leaderboard), leaderboardJSON(t, far.Leaderboard))
}

func TestKilledWorkerMeetsDeadline(t *testing.T) {
	c := startCluster(t)
	procs := c.workers(t, 2, "deadline")
	train := readCSV(t, synthCSV(3000, "binary", 5))
	defer train.Release()

	budget := 15 * time.Second
	opts := automl.Options{TimeBudget: budget, Seed: 1, Parallelism: 2, Include: []string{"gbdt", "random_forest", "logistic"}}
	opts.Executor = &remote.Executor{Store: c.store, Transport: &Transport{Client: c.client, Queue: "deadline", HeartbeatTimeout: 3 * time.Second}}
	var started atomic.Int64
	opts.OnEvent = func(e automl.Event) {
		if e.Kind == automl.EventTrialStarted && started.Add(1) == 3 {
			_ = procs[0].Process.Kill()
		}
	}
	start := time.Now()
	res, err := automl.New(opts).Fit(t.Context(), train, "target")
	took := time.Since(start)
	require.NoError(t, err)
	require.NotNil(t, res.Predictor)
	assert.LessOrEqual(t, took, budget+time.Second, "Fit overran its budget")
	best, ok := res.Leaderboard.Best()
	require.True(t, ok)
	t.Logf("Fit took %s with a worker killed after %d trials started; best %s %.4f", took, 3, best.Model, best.Score)
	assert.NotEqual(t, "prior", best.Model, "trials other than the baseline finished")
}

func TestCancelStopsEveryWorkersFit(t *testing.T) {
	c := startCluster(t)
	c.workers(t, 2, "cancel")
	train := readCSV(t, synthCSV(3000, "binary", 5))
	defer train.Release()

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	opts := automl.Options{Seed: 1, Parallelism: 2, MaxTrials: 40, Include: []string{"gbdt", "random_forest", "knn"}}
	opts.Executor = NewExecutor(c.client, "cancel", c.store)
	var once sync.Once
	opts.OnEvent = func(e automl.Event) {
		if e.Kind == automl.EventTrialStarted && e.Model != "prior" {
			once.Do(func() { time.AfterFunc(500*time.Millisecond, cancel) })
		}
	}
	start := time.Now()
	_, err := automl.New(opts).Fit(ctx, train, "target")
	took := time.Since(start)
	t.Logf("Fit returned %v after %s", err, took)
	assert.Less(t, took, 15*time.Second)

	// Every fold workflow ends (cancelled) soon after.
	var open int
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := c.client.ListWorkflow(t.Context(), &workflowservice.ListWorkflowExecutionsRequest{Query: "ExecutionStatus = 'Running'"})
		require.NoError(t, err)
		if open = len(resp.Executions); open == 0 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	assert.Zero(t, open, "fold workflows still running after the search was cancelled")
}

// TestThroughput measures trials per minute with 1, 2 and 4 worker
// processes (one fold at a time each) against in-process fits, on a small
// table (folds of ~20 ms: overhead dominates) and a medium one (folds of
// ~0.5 s). It runs only with AUTOML_TEMPORAL_BENCH=1 (DESIGN.md):
//
//	AUTOML_TEMPORAL_CLI=$(which temporal) AUTOML_TEMPORAL_BENCH=1 go test -run Throughput -v -timeout 30m .
func TestThroughput(t *testing.T) {
	if os.Getenv("AUTOML_TEMPORAL_BENCH") == "" {
		t.Skip("set AUTOML_TEMPORAL_BENCH=1 to measure throughput")
	}
	c := startCluster(t)
	workloads := []struct {
		name string
		rows int
		opts automl.Options
	}{
		{"small", 2000, automl.Options{MaxTrials: 24, Folds: 5, Repeats: 1, MaxTunedPerModel: 6, Include: []string{"logistic", "gbdt", "random_forest", "knn"}}},
		{"medium", 15000, automl.Options{MaxTrials: 10, Folds: 3, Repeats: 1, MaxTunedPerModel: 3, Include: []string{"gbdt", "random_forest", "extra_trees"}}},
	}
	var rows []string
	for _, wl := range workloads {
		train := readCSV(t, synthCSV(wl.rows, "binary", 3))
		measure := func(par int, exec *remote.Executor) (trials, folds int, took time.Duration) {
			o := wl.opts
			o.Seed, o.Parallelism, o.DisableEnsemble, o.DisableImportance = 1, par, true, true
			var rec *recorder
			if exec != nil {
				rec = &recorder{next: exec.Transport}
				exec.Transport = rec
				o.Executor = exec
			}
			var first, last time.Time
			var n atomic.Int64
			o.OnEvent = func(e automl.Event) {
				switch e.Kind {
				case automl.EventTrialStarted:
					if first.IsZero() {
						first = time.Now()
					}
				case automl.EventTrialFinished:
					n.Add(1)
					last = time.Now()
				}
			}
			_, err := automl.New(o).Fit(t.Context(), train, "target")
			require.NoError(t, err)
			if rec != nil {
				for _, k := range rec.counts() {
					folds += k
				}
			}
			return int(n.Load()), folds, last.Sub(first)
		}
		var local1 time.Duration
		for _, par := range []int{1, 2} {
			n, _, took := measure(par, nil)
			if par == 1 {
				local1 = took
			}
			rows = append(rows, fmt.Sprintf("%s (%d rows): in-process, Parallelism %d: %d trials in %.1fs = %.0f trials/min",
				wl.name, wl.rows, par, n, took.Seconds(), float64(n)/took.Minutes()))
		}
		for _, workers := range []int{1, 2, 4} {
			queue := fmt.Sprintf("bench-%s-%d", wl.name, workers)
			procs := c.workers(t, workers, queue)
			for _, perRequest := range []int{1, 8} {
				exec := NewExecutor(c.client, queue, c.store)
				exec.FoldsPerRequest = perRequest
				n, folds, took := measure(workers, exec)
				row := fmt.Sprintf("%s (%d rows): %d worker processes, Parallelism %d, %d folds per request: %d trials (%d folds) in %.1fs = %.0f trials/min",
					wl.name, wl.rows, workers, workers, perRequest, n, folds, took.Seconds(), float64(n)/took.Minutes())
				if workers == 1 {
					row += fmt.Sprintf("; overhead %.0f ms per fold against in-process Parallelism 1", (took-local1).Seconds()*1000/float64(folds))
				}
				rows = append(rows, row)
			}
			for _, p := range procs {
				_ = p.Process.Kill()
			}
		}
		train.Release()
	}
	for _, r := range rows {
		t.Log(r)
	}
}

// TestFoldLatency measures the round trip of one fold of the class-prior
// model (no work to speak of) through the cluster: one at a time, and 8 at
// once. It runs only with AUTOML_TEMPORAL_BENCH=1 (see TestThroughput).
func TestFoldLatency(t *testing.T) {
	if os.Getenv("AUTOML_TEMPORAL_BENCH") == "" {
		t.Skip("set AUTOML_TEMPORAL_BENCH=1 to measure latency")
	}
	c := startCluster(t)
	c.workers(t, 2, "latency")
	exec := NewExecutor(c.client, "latency", c.store)
	spec, err := models.Default().Spec("prior")
	require.NoError(t, err)
	task := &automl.FoldTask{Spec: spec, Params: models.Params{}, Train: &models.Data{X: [][]float64{{1, 2, 3}}, Y: []float64{1, 2, 3}}, TestX: [][]float64{{4}}, TestRows: 1}
	_, err = exec.FitFold(t.Context(), task) // warm up
	require.NoError(t, err)
	const n = 64
	for _, atOnce := range []int{1, 8} {
		start := time.Now()
		var wg sync.WaitGroup
		errs := make([]error, atOnce)
		for g := range atOnce {
			wg.Go(func() {
				for range n / atOnce {
					if _, err := exec.FitFold(t.Context(), task); err != nil {
						errs[g] = err
					}
				}
			})
		}
		wg.Wait()
		for _, err := range errs {
			require.NoError(t, err)
		}
		took := time.Since(start)
		t.Logf("%d folds, %d at once: %.1f ms per fold (wall / folds), %.0f folds/s", n, atOnce, took.Seconds()*1000/n, n/took.Seconds())
	}
}
