package temporal

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/client"
	sdktemporal "go.temporal.io/sdk/temporal"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/remote"
)

// ErrURL reports an executor URL that is not temporal://HOST:PORT/QUEUE.
var ErrURL = errors.New("temporal: bad executor URL")

// ParseURL splits temporal://HOST:PORT/QUEUE into the frontend's address
// and the task queue.
func ParseURL(s string) (hostPort, queue string, err error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", "", fmt.Errorf("%w: %w", ErrURL, err)
	}
	queue = strings.Trim(u.Path, "/")
	if u.Scheme != "temporal" || u.Host == "" || u.Port() == "" || queue == "" || strings.Contains(queue, "/") {
		return "", "", fmt.Errorf("%w: %q, want temporal://HOST:PORT/QUEUE", ErrURL, s)
	}
	return u.Host, queue, nil
}

// Transport is an remote.Transport that runs each fold as a FoldWorkflow
// on a task queue and waits for its reply. When ctx ends first it cancels
// the workflow (and so the worker's fit). Safe for concurrent use.
type Transport struct {
	// Client is the connection to the cluster. It must not be nil; the
	// caller closes it.
	Client client.Client
	// Queue is the task queue the workers poll. It must not be empty.
	Queue string
	// HeartbeatTimeout and MaxAttempts go into each FoldInput; zero
	// means DefaultHeartbeatTimeout and DefaultMaxAttempts.
	HeartbeatTimeout time.Duration
	MaxAttempts      int

	once   sync.Once
	prefix string
	seq    atomic.Int64
}

// NewExecutor returns an executor for Options.Executor that fits folds on
// the workers of queue, through c, with fold data in store (which the
// workers must read too).
//
// Folds go one per workflow; set FoldsPerRequest on the result to send a
// trial's folds in runs (one workflow and one activity per run).
func NewExecutor(c client.Client, queue string, store remote.Store) *remote.Executor {
	return &remote.Executor{Store: store, Transport: &Transport{Client: c, Queue: queue}}
}

// RunFold implements remote.Transport.
func (t *Transport) RunFold(ctx context.Context, req *remote.Request) (*remote.Reply, error) {
	opts := client.StartWorkflowOptions{
		ID:        t.workflowID(req),
		TaskQueue: t.Queue,
	}
	if !req.Deadline.IsZero() {
		// Room for the workflow to report the activity's timeout.
		opts.WorkflowExecutionTimeout = time.Until(req.Deadline) + 30*time.Second
	}
	in := FoldInput{Fold: *req, HeartbeatTimeout: t.HeartbeatTimeout, MaxAttempts: t.MaxAttempts}
	run, err := t.Client.ExecuteWorkflow(ctx, opts, WorkflowName, in)
	if err != nil {
		return nil, fmt.Errorf("temporal: starting fold %d of trial %d: %w", req.Fold, req.Trial, err)
	}
	var rep remote.Reply
	err = run.Get(ctx, &rep)
	if ctx.Err() != nil {
		// The search was cancelled or ran out of time: stop the fit.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = t.Client.CancelWorkflow(cctx, run.GetID(), run.GetRunID())
		return nil, fmt.Errorf("temporal: fold %d of trial %d: %w", req.Fold, req.Trial, context.Cause(ctx))
	}
	if err != nil {
		return nil, foldError(req, err)
	}
	return &rep, nil
}

// RunFolds implements remote.BatchTransport: one FoldsWorkflow for the run.
func (t *Transport) RunFolds(ctx context.Context, reqs []*remote.Request) ([]*remote.Reply, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	first := reqs[0]
	opts := client.StartWorkflowOptions{ID: t.workflowID(first), TaskQueue: t.Queue}
	if !first.Deadline.IsZero() {
		opts.WorkflowExecutionTimeout = time.Until(first.Deadline) + 30*time.Second
	}
	in := FoldsInput{HeartbeatTimeout: t.HeartbeatTimeout, MaxAttempts: t.MaxAttempts}
	for _, r := range reqs {
		in.Folds = append(in.Folds, *r)
	}
	run, err := t.Client.ExecuteWorkflow(ctx, opts, BatchWorkflowName, in)
	if err != nil {
		return nil, fmt.Errorf("temporal: starting folds %d-%d of trial %d: %w", first.Fold, reqs[len(reqs)-1].Fold, first.Trial, err)
	}
	var reps []remote.Reply
	err = run.Get(ctx, &reps)
	if ctx.Err() != nil {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = t.Client.CancelWorkflow(cctx, run.GetID(), run.GetRunID())
		return nil, fmt.Errorf("temporal: folds of trial %d: %w", first.Trial, context.Cause(ctx))
	}
	if err != nil {
		return nil, foldError(first, err)
	}
	out := make([]*remote.Reply, len(reps))
	for i := range reps {
		out[i] = &reps[i]
	}
	return out, nil
}

// foldError turns a failed workflow's error into the fold's: a model's own
// failure is an automl.TrialFailure with the worker's message.
func foldError(req *remote.Request, err error) error {
	var app *sdktemporal.ApplicationError
	if errors.As(err, &app) && app.Type() == TrialFailedType {
		return automl.TrialFailure(errors.New(app.Message()))
	}
	return fmt.Errorf("temporal: fold %d of trial %d: %w", req.Fold, req.Trial, err)
}

// workflowID names a fold's workflow: unique per Transport and call, and
// readable in the UI (prefix-trial-fold-sequence).
func (t *Transport) workflowID(req *remote.Request) string {
	t.once.Do(func() {
		var b [6]byte
		_, _ = rand.Read(b[:])
		t.prefix = "automl-" + hex.EncodeToString(b[:])
	})
	return fmt.Sprintf("%s-t%d-f%d-%d", t.prefix, req.Trial, req.Fold, t.seq.Add(1))
}
