package temporal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	sdktemporal "go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/internal/testtable"
	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/remote"
)

// suiteTransport runs each fold as FoldWorkflow in a fresh in-memory test
// environment of the SDK (no server), with the real activity.
type suiteTransport struct {
	acts     *Activities
	attempts atomic.Int64
	batches  atomic.Int64
}

func (s *suiteTransport) env() *testsuite.TestWorkflowEnvironment {
	env := newSuite().NewTestWorkflowEnvironment()
	// The defaults (3 s per test, 1 s for a workflow goroutine to yield)
	// are short for folds fitted beside others under -race on 2 cores.
	env.SetTestTimeout(time.Minute)
	env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: workerDeadlockTimeout})
	env.RegisterWorkflowWithOptions(FoldWorkflow, workflow.RegisterOptions{Name: WorkflowName})
	env.RegisterWorkflowWithOptions(FoldsWorkflow, workflow.RegisterOptions{Name: BatchWorkflowName})
	env.RegisterActivityWithOptions(s.acts.FitFold, activity.RegisterOptions{Name: ActivityName})
	env.RegisterActivityWithOptions(s.acts.FitFolds, activity.RegisterOptions{Name: BatchActivityName})
	env.SetOnActivityStartedListener(func(*activity.Info, context.Context, converter.EncodedValues) { s.attempts.Add(1) })
	return env
}

func (s *suiteTransport) RunFold(ctx context.Context, req *remote.Request) (*remote.Reply, error) {
	env := s.env()
	env.ExecuteWorkflow(WorkflowName, FoldInput{Fold: *req})
	if err := env.GetWorkflowError(); err != nil {
		return nil, foldError(req, err)
	}
	var rep remote.Reply
	if err := env.GetWorkflowResult(&rep); err != nil {
		return nil, err
	}
	return &rep, nil
}

func (s *suiteTransport) RunFolds(ctx context.Context, reqs []*remote.Request) ([]*remote.Reply, error) {
	env := s.env()
	in := FoldsInput{}
	for _, r := range reqs {
		in.Folds = append(in.Folds, *r)
	}
	s.batches.Add(1)
	env.ExecuteWorkflow(BatchWorkflowName, in)
	if err := env.GetWorkflowError(); err != nil {
		return nil, foldError(reqs[0], err)
	}
	var reps []remote.Reply
	if err := env.GetWorkflowResult(&reps); err != nil {
		return nil, err
	}
	out := make([]*remote.Reply, len(reps))
	for i := range reps {
		out[i] = &reps[i]
	}
	return out, nil
}

// newSuite returns a test suite that logs nothing.
func newSuite() *testsuite.WorkflowTestSuite {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	return &suite
}

// The synthetic table and helpers the root package's tests use
// (internal/testtable).
var (
	synthCSV        = testtable.CSV
	readCSV         = testtable.Read
	leaderboardJSON = testtable.LeaderboardJSON
)

func TestSameLeaderboardThroughWorkflows(t *testing.T) {
	train := readCSV(t, synthCSV(200, "binary", 5))
	defer train.Release()
	opts := automl.Options{MaxTrials: 16, Seed: 11, Parallelism: 2, MaxTunedPerModel: 4, Include: []string{"logistic", "gbdt", "knn"}}
	local, err := automl.New(opts).Fit(t.Context(), train, "target")
	require.NoError(t, err)
	want := leaderboardJSON(t, local.Leaderboard)
	require.Contains(t, want, `"tuned"`, "the search reaches tuning")

	for _, perRequest := range []int{1, 8} {
		t.Run(fmt.Sprintf("%d folds per workflow", perRequest), func(t *testing.T) {
			if testing.Short() && perRequest == 1 {
				t.Skip("one workflow per fold: a test environment per fold is slow under -race")
			}
			store, err := remote.NewDirStore(t.TempDir())
			require.NoError(t, err)
			tr := &suiteTransport{acts: &Activities{Folds: &remote.Worker{Store: store}}}
			o := opts
			o.Executor = &remote.Executor{Store: store, Transport: tr, FoldsPerRequest: perRequest}
			far, err := automl.New(o).Fit(t.Context(), train, "target")
			require.NoError(t, err)
			assert.Equal(t, want, leaderboardJSON(t, far.Leaderboard))
			assert.Positive(t, tr.attempts.Load())
			if perRequest > 1 {
				assert.Positive(t, tr.batches.Load(), "folds went in batches")
			}
		})
	}
}

// testModel is a regression model for the workflow tests: "broken" fails
// to fit, "slow" fits until ctx ends, "flaky" (see flakyStore) works.
type testModel struct{ kind string }

func (m *testModel) Fit(ctx context.Context, d *models.Data) error {
	switch m.kind {
	case "broken":
		return errors.New("broken: cannot fit")
	case "slow":
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func (m *testModel) Predict(dst []float64, X [][]float64) error {
	for i := range dst {
		dst[i] = 42
	}
	return nil
}

func (m *testModel) MarshalBinary() ([]byte, error) { return []byte(m.kind), nil }
func (m *testModel) UnmarshalBinary(b []byte) error { m.kind = string(b); return nil }

func testRegistry(t *testing.T) *models.Registry {
	reg := models.NewRegistry()
	for _, kind := range []string{"ok", "broken", "slow"} {
		require.NoError(t, reg.Register(models.Spec{Name: kind, Tasks: models.Regression, New: func(models.Params) (models.Model, error) {
			return &testModel{kind: kind}, nil
		}}))
	}
	return reg
}

// flakyStore fails its first Gets, as a store or worker going away would.
type flakyStore struct {
	remote.Store
	failures atomic.Int64
}

func (s *flakyStore) Get(ctx context.Context, key string) ([]byte, error) {
	if s.failures.Add(-1) >= 0 {
		return nil, errors.New("store unreachable")
	}
	return s.Store.Get(ctx, key)
}

// foldEnv returns a test environment with the workflow and an activity
// over store and the test registry, counting activity attempts.
func foldEnv(t *testing.T, store remote.Store) (*testsuite.TestWorkflowEnvironment, *atomic.Int64) {
	env := newSuite().NewTestWorkflowEnvironment()
	env.SetTestTimeout(time.Minute)
	env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: workerDeadlockTimeout})
	acts := &Activities{Folds: &remote.Worker{Store: store, Registry: testRegistry(t), CacheBytes: -1}, HeartbeatEvery: 50 * time.Millisecond}
	env.RegisterWorkflowWithOptions(FoldWorkflow, workflow.RegisterOptions{Name: WorkflowName})
	env.RegisterWorkflowWithOptions(FoldsWorkflow, workflow.RegisterOptions{Name: BatchWorkflowName})
	env.RegisterActivityWithOptions(acts.FitFold, activity.RegisterOptions{Name: ActivityName})
	env.RegisterActivityWithOptions(acts.FitFolds, activity.RegisterOptions{Name: BatchActivityName})
	var attempts atomic.Int64
	env.SetOnActivityStartedListener(func(*activity.Info, context.Context, converter.EncodedValues) { attempts.Add(1) })
	return env, &attempts
}

// putFold stores a three-row regression fold and returns its request.
func putFold(t *testing.T, store remote.Store, model string) remote.Request {
	blob, err := remote.EncodeFold(&models.Data{X: [][]float64{{1, 2, 3}}, Y: []float64{1, 2, 3}}, [][]float64{{4, 5}})
	require.NoError(t, err)
	key := remote.Key(blob)
	require.NoError(t, store.Put(t.Context(), key, blob))
	return remote.Request{Trial: 1, Model: model, Params: models.Params{}, TestRows: 2, Data: key}
}

func TestFoldWorkflow(t *testing.T) {
	dir, err := remote.NewDirStore(t.TempDir())
	require.NoError(t, err)

	t.Run("ok", func(t *testing.T) {
		env, attempts := foldEnv(t, dir)
		env.ExecuteWorkflow(WorkflowName, FoldInput{Fold: putFold(t, dir, "ok")})
		require.NoError(t, env.GetWorkflowError())
		var rep remote.Reply
		require.NoError(t, env.GetWorkflowResult(&rep))
		assert.NotEmpty(t, rep.Result)
		assert.Empty(t, rep.ResultKey)
		assert.EqualValues(t, 1, attempts.Load())
	})
	t.Run("a batch", func(t *testing.T) {
		env, attempts := foldEnv(t, dir)
		env.ExecuteWorkflow(BatchWorkflowName, FoldsInput{Folds: []remote.Request{putFold(t, dir, "ok"), putFold(t, dir, "ok")}})
		require.NoError(t, env.GetWorkflowError())
		var reps []remote.Reply
		require.NoError(t, env.GetWorkflowResult(&reps))
		assert.Len(t, reps, 2)
		assert.EqualValues(t, 1, attempts.Load(), "one activity for the batch")
	})
	t.Run("a batch with a failing model is not retried", func(t *testing.T) {
		env, attempts := foldEnv(t, dir)
		reqs := []remote.Request{putFold(t, dir, "ok"), putFold(t, dir, "broken")}
		env.ExecuteWorkflow(BatchWorkflowName, FoldsInput{Folds: reqs})
		err := env.GetWorkflowError()
		require.Error(t, err)
		assert.EqualValues(t, 1, attempts.Load())
		assert.ErrorIs(t, foldError(&reqs[0], err), automl.ErrTrialFailed)
	})
	t.Run("a model's failure is not retried", func(t *testing.T) {
		env, attempts := foldEnv(t, dir)
		req := putFold(t, dir, "broken")
		env.ExecuteWorkflow(WorkflowName, FoldInput{Fold: req})
		err := env.GetWorkflowError()
		require.Error(t, err)
		assert.EqualValues(t, 1, attempts.Load())
		ferr := foldError(&req, err)
		assert.ErrorIs(t, ferr, automl.ErrTrialFailed)
		assert.ErrorContains(t, ferr, "broken: cannot fit")
	})
	t.Run("a lost store is retried", func(t *testing.T) {
		flaky := &flakyStore{Store: dir}
		flaky.failures.Store(2)
		env, attempts := foldEnv(t, flaky)
		env.ExecuteWorkflow(WorkflowName, FoldInput{Fold: putFold(t, dir, "ok")})
		require.NoError(t, env.GetWorkflowError())
		assert.EqualValues(t, 3, attempts.Load())
		var rep remote.Reply
		require.NoError(t, env.GetWorkflowResult(&rep))
		assert.Equal(t, 3, rep.Attempt)
	})
	t.Run("attempts run out", func(t *testing.T) {
		flaky := &flakyStore{Store: dir}
		flaky.failures.Store(10)
		env, attempts := foldEnv(t, flaky)
		req := putFold(t, dir, "ok")
		env.ExecuteWorkflow(WorkflowName, FoldInput{Fold: req, MaxAttempts: 2})
		err := env.GetWorkflowError()
		require.Error(t, err)
		assert.EqualValues(t, 2, attempts.Load())
		assert.NotErrorIs(t, foldError(&req, err), automl.ErrTrialFailed)
	})
	t.Run("cancel stops the fit", func(t *testing.T) {
		env, attempts := foldEnv(t, dir)
		env.RegisterDelayedCallback(env.CancelWorkflow, time.Second)
		start := time.Now()
		env.ExecuteWorkflow(WorkflowName, FoldInput{Fold: putFold(t, dir, "slow")})
		err := env.GetWorkflowError()
		require.Error(t, err)
		var canceled *sdktemporal.CanceledError
		assert.ErrorAs(t, err, &canceled)
		assert.EqualValues(t, 1, attempts.Load())
		assert.Less(t, time.Since(start), 10*time.Second)
	})
	t.Run("past deadline", func(t *testing.T) {
		env, attempts := foldEnv(t, dir)
		req := putFold(t, dir, "ok")
		req.Deadline = env.Now().Add(-time.Second)
		env.ExecuteWorkflow(WorkflowName, FoldInput{Fold: req})
		require.Error(t, env.GetWorkflowError())
		assert.EqualValues(t, 0, attempts.Load())
	})
}

func TestActivityOptions(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ao, err := activityOptions(FoldInput{}, now)
	require.NoError(t, err)
	assert.Equal(t, DefaultFoldTimeout, ao.StartToCloseTimeout)
	assert.Zero(t, ao.ScheduleToCloseTimeout)
	assert.Equal(t, DefaultHeartbeatTimeout, ao.HeartbeatTimeout)
	assert.EqualValues(t, DefaultMaxAttempts, ao.RetryPolicy.MaximumAttempts)
	assert.Equal(t, []string{TrialFailedType}, ao.RetryPolicy.NonRetryableErrorTypes)
	assert.True(t, ao.WaitForCancellation)

	in := FoldInput{Fold: remote.Request{Deadline: now.Add(90 * time.Second)}, HeartbeatTimeout: 5 * time.Second, MaxAttempts: 7}
	ao, err = activityOptions(in, now)
	require.NoError(t, err)
	assert.Equal(t, 90*time.Second, ao.StartToCloseTimeout, "the deadline bounds each attempt")
	assert.Equal(t, 90*time.Second, ao.ScheduleToCloseTimeout, "and all of them")
	assert.Equal(t, 5*time.Second, ao.HeartbeatTimeout)
	assert.EqualValues(t, 7, ao.RetryPolicy.MaximumAttempts)

	_, err = activityOptions(in, now.Add(time.Hour))
	assert.ErrorIs(t, err, ErrPastDeadline)
}

func TestParseURL(t *testing.T) {
	hp, q, err := ParseURL("temporal://localhost:7233/automl")
	require.NoError(t, err)
	assert.Equal(t, "localhost:7233", hp)
	assert.Equal(t, "automl", q)
	for _, bad := range []string{"", "localhost:7233/q", "http://localhost:7233/q", "temporal://localhost/q", "temporal://localhost:7233/", "temporal://h:1/a/b"} {
		_, _, err := ParseURL(bad)
		assert.ErrorIs(t, err, ErrURL, bad)
	}
}
