package temporal

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdktemporal "go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/remote"
)

// Names under which workers register the workflow and the activity.
const (
	// WorkflowName is the fold workflow's registered name.
	WorkflowName = "automl.Fold"
	// ActivityName is the fit activity's registered name.
	ActivityName = "automl.FitFold"
	// BatchWorkflowName and BatchActivityName are those of a run of
	// folds of one trial fitted in one activity (FoldsWorkflow).
	BatchWorkflowName = "automl.Folds"
	BatchActivityName = "automl.FitFolds"
	// TrialFailedType is the ApplicationError type of a fold that failed
	// on its own merits (automl.ErrTrialFailed); it is never retried.
	TrialFailedType = "TrialFailed"
)

// Defaults of FoldInput's zero fields.
const (
	// DefaultHeartbeatTimeout is how long a fit may go without a
	// heartbeat before Temporal counts its worker as lost and retries
	// the fold elsewhere.
	DefaultHeartbeatTimeout = 15 * time.Second
	// DefaultMaxAttempts is how many times a fold is tried when workers
	// are lost.
	DefaultMaxAttempts = 3
	// DefaultFoldTimeout bounds one attempt when the search has no
	// deadline.
	DefaultFoldTimeout = time.Hour
)

// FoldInput is the fold workflow's input: the fold, and how hard to try.
type FoldInput struct {
	Fold remote.Request `json:"fold"`
	// HeartbeatTimeout is DefaultHeartbeatTimeout when zero.
	HeartbeatTimeout time.Duration `json:"heartbeat_timeout,omitempty"`
	// MaxAttempts is DefaultMaxAttempts when zero.
	MaxAttempts int `json:"max_attempts,omitempty"`
}

// FoldsInput is the batch workflow's input: folds of one trial, fitted in
// order in one activity, and how hard to try (as in FoldInput).
type FoldsInput struct {
	Folds            []remote.Request `json:"folds"`
	HeartbeatTimeout time.Duration    `json:"heartbeat_timeout,omitempty"`
	MaxAttempts      int              `json:"max_attempts,omitempty"`
}

// ErrPastDeadline reports a fold whose search deadline passed before it
// could be scheduled.
var ErrPastDeadline = errors.New("temporal: the search deadline has passed")

// activityOptions maps a fold's input onto activity options at now: each
// attempt and all attempts together must end by the search's deadline
// (StartToClose and ScheduleToClose), a fit must heartbeat, a lost worker
// costs a retry, and a model's own failure never does.
func activityOptions(in FoldInput, now time.Time) (workflow.ActivityOptions, error) {
	hb := in.HeartbeatTimeout
	if hb <= 0 {
		hb = DefaultHeartbeatTimeout
	}
	attempts := in.MaxAttempts
	if attempts <= 0 {
		attempts = DefaultMaxAttempts
	}
	timeout := DefaultFoldTimeout
	var total time.Duration
	if dl := in.Fold.Deadline; !dl.IsZero() {
		left := dl.Sub(now)
		if left <= 0 {
			return workflow.ActivityOptions{}, ErrPastDeadline
		}
		timeout, total = min(timeout, left), left
	}
	return workflow.ActivityOptions{
		StartToCloseTimeout:    timeout,
		ScheduleToCloseTimeout: total,
		HeartbeatTimeout:       hb,
		WaitForCancellation:    true,
		RetryPolicy: &sdktemporal.RetryPolicy{
			InitialInterval:        100 * time.Millisecond,
			BackoffCoefficient:     2,
			MaximumInterval:        2 * time.Second,
			MaximumAttempts:        int32(attempts),
			NonRetryableErrorTypes: []string{TrialFailedType},
		},
	}, nil
}

// FoldWorkflow fits one fold of one trial as one activity on the
// workflow's task queue. It is short and deterministic: the search's
// decisions stay with the coordinator, which starts one workflow per fold
// (see DESIGN.md). Cancelling the workflow cancels the activity, and the
// workflow waits for the fit to stop.
func FoldWorkflow(ctx workflow.Context, in FoldInput) (*remote.Reply, error) {
	ao, err := activityOptions(in, workflow.Now(ctx))
	if err != nil {
		return nil, sdktemporal.NewNonRetryableApplicationError(err.Error(), "PastDeadline", nil)
	}
	ctx = workflow.WithActivityOptions(ctx, ao)
	var rep remote.Reply
	if err := workflow.ExecuteActivity(ctx, ActivityName, in.Fold).Get(ctx, &rep); err != nil {
		return nil, err
	}
	return &rep, nil
}

// FoldsWorkflow fits a run of folds of one trial in one activity, in
// order, stopping at the first that fails: one workflow and one activity
// dispatch for the run instead of one per fold. Timeouts, retries and
// cancellation are FoldWorkflow's (the deadline is the first fold's).
func FoldsWorkflow(ctx workflow.Context, in FoldsInput) ([]remote.Reply, error) {
	if len(in.Folds) == 0 {
		return nil, nil
	}
	ao, err := activityOptions(FoldInput{Fold: in.Folds[0], HeartbeatTimeout: in.HeartbeatTimeout, MaxAttempts: in.MaxAttempts}, workflow.Now(ctx))
	if err != nil {
		return nil, sdktemporal.NewNonRetryableApplicationError(err.Error(), "PastDeadline", nil)
	}
	ctx = workflow.WithActivityOptions(ctx, ao)
	var reps []remote.Reply
	if err := workflow.ExecuteActivity(ctx, BatchActivityName, in.Folds).Get(ctx, &reps); err != nil {
		return nil, err
	}
	return reps, nil
}

// Activities holds the worker side of a fold: the activity fits with
// Folds while a goroutine heartbeats, so Temporal notices a lost worker
// within the heartbeat timeout and the fit notices a cancellation.
type Activities struct {
	// Folds fits the folds. It must not be nil.
	Folds *remote.Worker
	// HeartbeatEvery is the time between heartbeats. Zero means 2 s (the
	// SDK sends at most one per 80% of the heartbeat timeout anyway).
	HeartbeatEvery time.Duration
	// Logger gets a line as each fold starts and ends. Nil means silent.
	Logger *slog.Logger
}

// FitFold is the activity: it runs req with a.Folds. A fold that failed on
// its own merits returns a non-retryable ApplicationError of type
// TrialFailedType; other errors (store, cancellation) are retryable.
func (a *Activities) FitFold(ctx context.Context, req remote.Request) (*remote.Reply, error) {
	defer a.heartbeat(ctx)()
	defer a.log(ctx, req)()
	rep, err := a.Folds.RunFold(ctx, &req)
	if errors.Is(err, automl.ErrTrialFailed) {
		return nil, sdktemporal.NewNonRetryableApplicationError(err.Error(), TrialFailedType, nil)
	}
	if err != nil {
		return nil, err
	}
	rep.Attempt = int(activity.GetInfo(ctx).Attempt)
	return rep, nil
}

// FitFolds is the batch activity: FitFold for a run of folds, in order,
// stopping at the first that fails.
func (a *Activities) FitFolds(ctx context.Context, reqs []remote.Request) ([]remote.Reply, error) {
	defer a.heartbeat(ctx)()
	ptrs := make([]*remote.Request, len(reqs))
	for i := range reqs {
		ptrs[i] = &reqs[i]
	}
	if len(reqs) > 0 {
		defer a.log(ctx, reqs[0])()
	}
	reps, err := a.Folds.RunFolds(ctx, ptrs)
	if errors.Is(err, automl.ErrTrialFailed) {
		return nil, sdktemporal.NewNonRetryableApplicationError(err.Error(), TrialFailedType, nil)
	}
	if err != nil {
		return nil, err
	}
	out := make([]remote.Reply, len(reps))
	for i, rep := range reps {
		out[i] = *rep
		out[i].Attempt = int(activity.GetInfo(ctx).Attempt)
	}
	return out, nil
}

// log logs the start of the fold (or of the run it begins) and returns a
// func that logs its end.
func (a *Activities) log(ctx context.Context, req remote.Request) func() {
	if a.Logger == nil {
		return func() {}
	}
	attempt := activity.GetInfo(ctx).Attempt
	a.Logger.Info("fold start", "trial", req.Trial, "fold", req.Fold, "model", req.Model, "attempt", attempt)
	start := time.Now()
	return func() {
		a.Logger.Info("fold end", "trial", req.Trial, "fold", req.Fold, "seconds", time.Since(start).Seconds())
	}
}

// heartbeat records a heartbeat now and every HeartbeatEvery until the
// returned stop is called or ctx ends.
func (a *Activities) heartbeat(ctx context.Context) (stop func()) {
	every := a.HeartbeatEvery
	if every <= 0 {
		every = 2 * time.Second
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	activity.RecordHeartbeat(ctx)
	wg.Go(func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				activity.RecordHeartbeat(ctx)
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// workerDeadlockTimeout is how long workflow code may go without yielding
// before the SDK calls it a deadlock.
const workerDeadlockTimeout = 10 * time.Second

// WorkerOptions configures NewWorker. The zero value works.
type WorkerOptions struct {
	// Parallelism is how many folds the worker fits at once. Zero means
	// GOMAXPROCS.
	Parallelism int
	// HeartbeatEvery is Activities.HeartbeatEvery.
	HeartbeatEvery time.Duration
	// Logger is Activities.Logger: nil means silent.
	Logger *slog.Logger
}

// NewWorker returns a worker for queue that runs the fold workflow and
// fits folds with folds. Start it with Run or Start; the caller owns c.
func NewWorker(c client.Client, queue string, folds *remote.Worker, o WorkerOptions) worker.Worker {
	if o.Parallelism <= 0 {
		o.Parallelism = runtime.GOMAXPROCS(0)
	}
	if o.HeartbeatEvery <= 0 {
		o.HeartbeatEvery = 2 * time.Second
	}
	w := worker.New(c, queue, worker.Options{
		MaxConcurrentActivityExecutionSize: o.Parallelism,
		// Heartbeats reach the server (and a cancellation the fit) within
		// HeartbeatEvery, not the SDK's 80% of the heartbeat timeout.
		MaxHeartbeatThrottleInterval: o.HeartbeatEvery,
		// A killed worker's workflow tasks move to another worker after
		// this long instead of the default 5 s.
		StickyScheduleToStartTimeout: 2 * time.Second,
		// The workflow code is a few lines; on a machine whose cores are
		// all fitting models it may still wait over the default 1 s for
		// the CPU, which the SDK would report as a deadlock.
		DeadlockDetectionTimeout: workerDeadlockTimeout,
	})
	w.RegisterWorkflowWithOptions(FoldWorkflow, workflow.RegisterOptions{Name: WorkflowName})
	w.RegisterWorkflowWithOptions(FoldsWorkflow, workflow.RegisterOptions{Name: BatchWorkflowName})
	acts := &Activities{Folds: folds, HeartbeatEvery: o.HeartbeatEvery, Logger: o.Logger}
	w.RegisterActivityWithOptions(acts.FitFold, activity.RegisterOptions{Name: ActivityName})
	w.RegisterActivityWithOptions(acts.FitFolds, activity.RegisterOptions{Name: BatchActivityName})
	return w
}
