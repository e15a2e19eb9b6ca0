package automl

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/automl-agent/automl/models"
)

// ErrTrialFailed marks a fold that failed on its own merits (its model
// could not be made, fit, predict or be encoded), as opposed to the
// machinery around it (a lost worker, an unreachable store): a remote
// executor retries the second kind only.
var ErrTrialFailed = errors.New("automl: trial failed")

// TrialFailure returns an error that reads as err, unwraps to err and
// matches ErrTrialFailed: what a worker or a Transport returns for a fold
// that failed on its own merits, so that the leaderboard's error column
// reads as it would in-process.
func TrialFailure(err error) error { return &trialFailure{err} }

type trialFailure struct{ err error }

func (e *trialFailure) Error() string        { return e.err.Error() }
func (e *trialFailure) Unwrap() error        { return e.err }
func (e *trialFailure) Is(target error) bool { return target == ErrTrialFailed }

// TrialExecutor fits the fold models of the search's trials. The search
// calls FitFold once per fold of a trial, in fold order, and decides
// everything else itself (pruning after the first fold, scoring, the
// leaderboard), so every executor gives the same leaderboard for the same
// Seed and MaxTrials. FitFold is called from up to Options.Parallelism
// goroutines at once.
//
// A nil Options.Executor fits in the Fit call's own process, with no
// copying or encoding. remote.Executor sends folds to workers elsewhere.
type TrialExecutor interface {
	// FitFold fits a fresh model on task.Train, predicts task.TestX and
	// returns both. It honours ctx: a cancelled or expired ctx ends the
	// fit and FitFold returns an error.
	FitFold(ctx context.Context, task *FoldTask) (*FoldResult, error)
}

// FoldTask is one fold of one trial: a model to fit on the fold's
// training rows and to predict its held-out rows with.
type FoldTask struct {
	// Trial is the trial's id (its leaderboard row) and Fold the index of
	// the split among every repeat's splits.
	Trial, Fold int
	// Spec is the model's registry entry; a remote worker finds the
	// model by Spec.Name in its own registry.
	Spec models.Spec
	// Params are the model's complete parameters, the search's seed and
	// thread count merged in.
	Params models.Params
	// Classes is the number of classes, 0 for regression.
	Classes int
	// Train is the fold's training data and TestX the held-out rows'
	// features (TestRows rows, column-major). Both are borrowed and
	// read-only: the search may hand the same values to other trials.
	Train    *models.Data
	TestX    [][]float64
	TestRows int
}

// FoldResult is what fitting a fold gives back.
type FoldResult struct {
	// Pred holds the predictions for the held-out rows, in Model.Predict's
	// layout: models.OutputLen(TestRows, Classes) values.
	Pred []float64
	// Model is the fitted model (rebuilt from its bytes when it was fitted
	// elsewhere); the bagged predictor keeps it.
	Model models.Model
	// Fit and Predict are the time the model took to fit and to predict
	// the held-out rows.
	Fit, Predict time.Duration
}

// FoldFanOut is an optional interface of a TrialExecutor whose folds wait
// mostly on the network. Once a trial's first fold has come back (it
// decides pruning), the search hands such an executor the trial's other
// folds at once, FoldsAtOnce of them in flight (0 or less means all), and
// still reads their results in fold order, so the leaderboard is the same.
// Without it, and in-process, a trial's folds run one after another. Folds
// of big tables (cut per trial) always do, to bound memory.
type FoldFanOut interface {
	FoldsAtOnce() int
}

// foldTask returns fold fi of trial t on view v.
func (r *run) foldTask(t *trial, v *viewData, fi int) *FoldTask {
	s := r.splits[fi]
	// The held-out rows are never the model's validation set: a learner
	// that stops early carves its own from train.
	train, testX := v.fold(fi, s, t.spec.Binned && t.spec.Input == models.InputNative)
	return &FoldTask{
		Trial: t.id, Fold: fi, Spec: t.spec, Params: r.modelParams(t, fi), Classes: r.k,
		Train: train, TestX: testX, TestRows: len(s.Test),
	}
}

// FoldBatcher is an optional interface of a FoldFanOut executor: the
// search hands it a trial's folds after the first in runs of up to
// FoldsPerBatch, each in one FitFolds call that fits them in order and
// stops at the first failure, returning its error. Results come back in
// task order.
type FoldBatcher interface {
	FoldsPerBatch() int
	FitFolds(ctx context.Context, tasks []*FoldTask) ([]*FoldResult, error)
}

// foldsAhead starts folds 1.. of trial t at once when Options.Executor is a
// FoldFanOut (and the folds are not cut per trial), in runs of
// FoldsPerBatch when it is a FoldBatcher. It returns nil and a no-op when
// they must run one after another; else a func that waits for a fold's
// result and a stop that cancels what is left and waits for it.
func (r *run) foldsAhead(ctx context.Context, t *trial, v *viewData) (get func(fold int) (*FoldResult, error), stop func()) {
	fan, ok := r.o.Executor.(FoldFanOut)
	if !ok || v.folds == nil || len(r.splits) < 2 {
		return nil, func() {}
	}
	batcher, _ := r.o.Executor.(FoldBatcher)
	per := 1
	if batcher != nil {
		per = max(1, batcher.FoldsPerBatch())
	}
	atOnce := fan.FoldsAtOnce()
	if atOnce <= 0 {
		atOnce = len(r.splits)
	}
	ctx, cancel := context.WithCancel(ctx)
	type out struct {
		res  *FoldResult
		err  error
		done chan struct{}
	}
	outs := make([]out, len(r.splits))
	for fi := 1; fi < len(r.splits); fi++ {
		outs[fi].done = make(chan struct{})
	}
	sem := make(chan struct{}, atOnce)
	var wg sync.WaitGroup
	for lo := 1; lo < len(r.splits); lo += per {
		hi := min(len(r.splits), lo+per)
		wg.Go(func() {
			run := outs[lo:hi]
			defer func() {
				for i := range run {
					close(run[i].done)
				}
			}()
			setErr := func(err error) {
				for i := range run {
					run[i].res, run[i].err = nil, err
				}
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				setErr(ctx.Err())
				return
			}
			defer func() { <-sem }()
			defer func() {
				if p := recover(); p != nil {
					setErr(fmt.Errorf("panic in %s: %v\n%s", t.spec.Name, p, trimStack(debug.Stack())))
				}
			}()
			if hi-lo == 1 || batcher == nil {
				run[0].res, run[0].err = r.fitFold(ctx, r.foldTask(t, v, lo))
				return
			}
			tasks := make([]*FoldTask, hi-lo)
			for i := range tasks {
				tasks[i] = r.foldTask(t, v, lo+i)
			}
			res, err := batcher.FitFolds(ctx, tasks)
			if err == nil && len(res) != len(tasks) {
				err = fmt.Errorf("automl: %d results for %d folds", len(res), len(tasks))
			}
			if err != nil {
				setErr(err)
				return
			}
			for i := range run {
				run[i].res = res[i]
			}
		})
	}
	get = func(fi int) (*FoldResult, error) {
		<-outs[fi].done
		return outs[fi].res, outs[fi].err
	}
	return get, func() { cancel(); wg.Wait() }
}

// fitFold fits one fold with Options.Executor, or in-process when it is nil.
func (r *run) fitFold(ctx context.Context, task *FoldTask) (*FoldResult, error) {
	if r.o.Executor != nil {
		return r.o.Executor.FitFold(ctx, task)
	}
	return FitLocal(ctx, task)
}

// FitLocal fits and predicts one fold in this process, as Fit does when
// Options.Executor is nil; a remote worker (package remote) calls it with
// the fold it received. A panic in the model is the caller's to recover.
func FitLocal(ctx context.Context, task *FoldTask) (*FoldResult, error) {
	m, err := task.Spec.New(task.Params)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	if err := m.Fit(ctx, task.Train); err != nil {
		return nil, err
	}
	fit := time.Since(t0)
	pred := make([]float64, models.OutputLen(task.TestRows, task.Classes))
	t1 := time.Now()
	if err := m.Predict(pred, task.TestX); err != nil {
		return nil, err
	}
	return &FoldResult{Pred: pred, Model: m, Fit: fit, Predict: time.Since(t1)}, nil
}

// ModelSpec returns the spec Fit uses for a model name: reg's entry (nil
// means models.Default()), or the class-prior baseline every search runs
// first. A remote worker finds a fold's model with it.
func ModelSpec(reg *models.Registry, name string) (models.Spec, error) {
	if reg == nil {
		reg = models.Default()
	}
	if name == baselineModel {
		return baselineSpec(reg), nil
	}
	return reg.Spec(name)
}
