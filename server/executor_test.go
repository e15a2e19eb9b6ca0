package server

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/remote"
)

// countingExec passes folds to another executor and counts them.
type countingExec struct {
	folds atomic.Int64
	next  automl.TrialExecutor
}

func (e *countingExec) FitFold(ctx context.Context, task *automl.FoldTask) (*automl.FoldResult, error) {
	e.folds.Add(1)
	return e.next.FitFold(ctx, task)
}

// Options.Executor fits every job's folds: a service can send its jobs'
// trials to remote workers (the temporal module's executor) as Fit does.
func TestJobsUseTheExecutor(t *testing.T) {
	store, err := remote.NewDirStore(t.TempDir())
	require.NoError(t, err)
	exec := &countingExec{next: &remote.Executor{Store: store, Transport: &remote.Worker{Store: store}}}
	srv := start(t, Options{DataDir: t.TempDir(), Executor: exec})
	_, j, _ := trainIris(t, srv.c)
	assert.Equal(t, JobDone, j.State)
	assert.Positive(t, exec.folds.Load(), "the job's folds went through the executor")
}
