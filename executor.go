package automl

import (
	"context"
	"encoding"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
	"weak"

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
// copying or encoding. RemoteExecutor sends folds to workers elsewhere.
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
	return fitLocal(ctx, task)
}

// fitLocal fits and predicts one fold in this process. A panic in the model
// is the caller's to recover.
func fitLocal(ctx context.Context, task *FoldTask) (*FoldResult, error) {
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

// inlineLimit is the largest result sent back through the transport
// itself; bigger ones go through the BlobStore (Temporal refuses payloads
// of a few MB).
const inlineLimit = 1 << 20

// FoldRequest is a FoldTask as data, for a worker in another process: the
// fold's data is a blob key. It is JSON-tagged for transports that send
// JSON (Params' integers then arrive as whole float64s, which
// models.Params accepts).
type FoldRequest struct {
	// Trial, Fold, Model (the Spec's name), Params and Classes are the
	// FoldTask's.
	Trial   int           `json:"trial"`
	Fold    int           `json:"fold"`
	Model   string        `json:"model"`
	Params  models.Params `json:"params"`
	Classes int           `json:"classes"`
	// TestRows is the number of held-out rows.
	TestRows int `json:"test_rows"`
	// Data is the BlobKey of the fold's encoded training data and
	// held-out features (EncodeFold).
	Data string `json:"data"`
	// Deadline is when the search ends; zero means no deadline. A
	// transport maps it onto its own timeouts.
	Deadline time.Time `json:"deadline,omitzero"`
}

// FoldReply is a worker's answer to a FoldRequest: the predictions and the
// model's bytes, inline in Result when they take at most 1 MB, else in the
// BlobStore under ResultKey.
type FoldReply struct {
	Result    []byte `json:"result,omitempty"`
	ResultKey string `json:"result_key,omitempty"`
	// FitNanos and PredictNanos are the model's fit and predict times.
	FitNanos     int64 `json:"fit_nanos"`
	PredictNanos int64 `json:"predict_nanos"`
	// Worker names the process that did the work (host:pid), for logs.
	Worker string `json:"worker,omitempty"`
	// Attempt is which attempt of the fold this was (1 = the first), when
	// the transport retries lost folds; 0 means it does not say.
	Attempt int `json:"attempt,omitempty"`
}

// Transport carries a FoldRequest to a worker and its reply back. It must
// honour ctx (cancel the worker's fit when ctx ends) and return errors
// that wrap ErrTrialFailed for folds that failed on their own merits.
// *FoldWorker is a Transport that runs the fold in this process.
type Transport interface {
	RunFold(ctx context.Context, req *FoldRequest) (*FoldReply, error)
}

// BatchTransport is an optional interface of a Transport that carries
// several folds of one trial in one round trip. RunFolds returns one reply
// per request, in order; the worker fits them in order and stops at the
// first that fails, whose error RunFolds returns.
type BatchTransport interface {
	RunFolds(ctx context.Context, reqs []*FoldRequest) ([]*FoldReply, error)
}

// RemoteExecutor is a TrialExecutor for workers in other processes: it
// writes each fold's data once to Store (content-addressed), sends a
// FoldRequest through Transport, and rebuilds the fitted model from the
// bytes in the reply with Spec.New and encoding.BinaryUnmarshaler (a model
// without it cannot run remotely). Store and Transport must be set; a
// RemoteExecutor is safe for concurrent use and for several Fit calls.
type RemoteExecutor struct {
	Store     BlobStore
	Transport Transport
	// MaxFoldsAtOnce caps the requests for one trial in flight after its
	// first fold (FoldFanOut). Zero means all of them; 1 means one at a
	// time.
	MaxFoldsAtOnce int
	// FoldsPerRequest puts up to this many of a trial's folds after the
	// first into one request (FoldBatcher; one round trip when Transport
	// is a BatchTransport), fitted one after another on one worker. Zero
	// or 1 means one fold per request. Batches cost the cluster less per
	// fold and spread a trial over fewer workers.
	FoldsPerRequest int

	mu   sync.Mutex
	keys map[weak.Pointer[models.Data]]string // blob key of each live fold's data
}

// FoldsAtOnce implements FoldFanOut: MaxFoldsAtOnce.
func (e *RemoteExecutor) FoldsAtOnce() int { return e.MaxFoldsAtOnce }

// FitFold implements TrialExecutor.
func (e *RemoteExecutor) FitFold(ctx context.Context, task *FoldTask) (*FoldResult, error) {
	req, err := e.request(ctx, task)
	if err != nil {
		return nil, err
	}
	rep, err := e.Transport.RunFold(ctx, req)
	if err != nil {
		return nil, err
	}
	return e.result(ctx, task, rep)
}

// FoldsPerBatch implements FoldBatcher: FoldsPerRequest, at least 1.
func (e *RemoteExecutor) FoldsPerBatch() int { return max(1, e.FoldsPerRequest) }

// FitFolds implements FoldBatcher: one round trip when Transport is a
// BatchTransport, else one request per fold, in order.
func (e *RemoteExecutor) FitFolds(ctx context.Context, tasks []*FoldTask) ([]*FoldResult, error) {
	reqs := make([]*FoldRequest, len(tasks))
	for i, task := range tasks {
		req, err := e.request(ctx, task)
		if err != nil {
			return nil, err
		}
		reqs[i] = req
	}
	var reps []*FoldReply
	if bt, ok := e.Transport.(BatchTransport); ok {
		var err error
		if reps, err = bt.RunFolds(ctx, reqs); err != nil {
			return nil, err
		}
		if len(reps) != len(reqs) {
			return nil, fmt.Errorf("automl: %d replies to %d folds", len(reps), len(reqs))
		}
	} else {
		for _, req := range reqs {
			rep, err := e.Transport.RunFold(ctx, req)
			if err != nil {
				return nil, err
			}
			reps = append(reps, rep)
		}
	}
	out := make([]*FoldResult, len(tasks))
	for i, task := range tasks {
		res, err := e.result(ctx, task, reps[i])
		if err != nil {
			return nil, err
		}
		out[i] = res
	}
	return out, nil
}

// request uploads the task's data and returns its FoldRequest.
func (e *RemoteExecutor) request(ctx context.Context, task *FoldTask) (*FoldRequest, error) {
	key, err := e.upload(ctx, task)
	if err != nil {
		return nil, err
	}
	req := &FoldRequest{
		Trial: task.Trial, Fold: task.Fold, Model: task.Spec.Name, Params: task.Params,
		Classes: task.Classes, TestRows: task.TestRows, Data: key,
	}
	if dl, ok := ctx.Deadline(); ok {
		req.Deadline = dl
	}
	return req, nil
}

// result decodes a reply into the task's FoldResult, rebuilding the model.
func (e *RemoteExecutor) result(ctx context.Context, task *FoldTask, rep *FoldReply) (*FoldResult, error) {
	raw := rep.Result
	if rep.ResultKey != "" {
		var err error
		if raw, err = e.Store.Get(ctx, rep.ResultKey); err != nil {
			return nil, fmt.Errorf("automl: fold result: %w", err)
		}
		if d, ok := e.Store.(interface {
			Delete(context.Context, string) error
		}); ok {
			_ = d.Delete(ctx, rep.ResultKey) // a leftover blob is only disk space
		}
	}
	pred, blob, err := decodeResult(raw)
	if err != nil {
		return nil, err
	}
	if want := models.OutputLen(task.TestRows, task.Classes); len(pred) != want {
		return nil, fmt.Errorf("%w: worker sent %d predictions, want %d", ErrTrialFailed, len(pred), want)
	}
	m, err := task.Spec.New(task.Params)
	if err != nil {
		return nil, err
	}
	um, ok := m.(encoding.BinaryUnmarshaler)
	if !ok {
		return nil, fmt.Errorf("%w: model %s does not implement encoding.BinaryUnmarshaler", ErrTrialFailed, task.Spec.Name)
	}
	if err := um.UnmarshalBinary(blob); err != nil {
		return nil, fmt.Errorf("%w: model %s from its worker: %w", ErrTrialFailed, task.Spec.Name, err)
	}
	return &FoldResult{Pred: pred, Model: m, Fit: time.Duration(rep.FitNanos), Predict: time.Duration(rep.PredictNanos)}, nil
}

// upload writes the task's fold data to the store unless this executor
// did so already while the data is alive, and returns its key. Folds the
// search cuts once (below 2M feature cells) are encoded once per Fit; folds
// cut per trial are encoded per trial and written once (same key).
func (e *RemoteExecutor) upload(ctx context.Context, task *FoldTask) (string, error) {
	wp := weak.Make(task.Train)
	e.mu.Lock()
	key, ok := e.keys[wp]
	e.mu.Unlock()
	if ok {
		return key, nil
	}
	blob, err := EncodeFold(task.Train, task.TestX)
	if err != nil {
		return "", err
	}
	key = BlobKey(blob)
	if err := e.Store.Put(ctx, key, blob); err != nil {
		return "", fmt.Errorf("automl: fold data: %w", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.keys == nil {
		e.keys = map[weak.Pointer[models.Data]]string{}
	}
	if _, ok := e.keys[wp]; !ok {
		e.keys[wp] = key
		runtime.AddCleanup(task.Train, e.forget, wp)
	}
	return key, nil
}

// forget drops the key of fold data that the collector has reclaimed.
func (e *RemoteExecutor) forget(wp weak.Pointer[models.Data]) {
	e.mu.Lock()
	delete(e.keys, wp)
	e.mu.Unlock()
}

// FoldWorker runs FoldRequests in this process: it fetches the fold's data
// from Store (decoded folds stay in a memory cache), makes the model from
// Registry, fits, predicts and encodes the result. It is the worker side
// of RemoteExecutor and is itself a Transport. Safe for concurrent use.
type FoldWorker struct {
	// Store holds the fold data and receives big results. It must not be nil.
	Store BlobStore
	// Registry supplies the models. Nil means models.Default(). A worker
	// must have every model the coordinator's registry has.
	Registry *models.Registry
	// CacheBytes caps the decoded fold data kept in memory, least recently
	// used first out. Zero means 1 GiB; negative means no cache.
	CacheBytes int64

	mu    sync.Mutex
	cache []cachedFold // most recently used last
}

type cachedFold struct {
	key   string
	train *models.Data
	testX [][]float64
	size  int64
}

// RunFold implements Transport. Errors from the model are TrialFailures
// (matching ErrTrialFailed); errors from ctx or the store are not.
func (w *FoldWorker) RunFold(ctx context.Context, req *FoldRequest) (*FoldReply, error) {
	budget := inlineLimit
	return w.runFold(ctx, req, &budget)
}

// RunFolds implements BatchTransport: the folds one after another, up to
// 1 MB of results inline in all, the rest through the store. It stops at
// the first fold that fails and returns its error.
func (w *FoldWorker) RunFolds(ctx context.Context, reqs []*FoldRequest) ([]*FoldReply, error) {
	budget := inlineLimit
	reps := make([]*FoldReply, len(reqs))
	for i, req := range reqs {
		rep, err := w.runFold(ctx, req, &budget)
		if err != nil {
			return nil, err
		}
		reps[i] = rep
	}
	return reps, nil
}

// runFold runs one fold; its result goes inline if it fits in *inline
// bytes (which it then uses up), else through the store.
func (w *FoldWorker) runFold(ctx context.Context, req *FoldRequest, inline *int) (rep *FoldReply, err error) {
	reg := w.Registry
	if reg == nil {
		reg = models.Default()
	}
	spec, err := reg.Spec(req.Model)
	if req.Model == baselineModel {
		spec, err = baselineSpec(reg), nil
	}
	if err != nil {
		return nil, TrialFailure(err)
	}
	train, testX, err := w.fold(ctx, req.Data)
	if err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			rep, err = nil, TrialFailure(fmt.Errorf("panic in %s: %v\n%s", req.Model, p, trimStack(debug.Stack())))
		}
	}()
	task := &FoldTask{Trial: req.Trial, Fold: req.Fold, Spec: spec, Params: req.Params, Classes: req.Classes, Train: train, TestX: testX, TestRows: req.TestRows}
	res, err := fitLocal(ctx, task)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("automl: fold %d of trial %d: %w", req.Fold, req.Trial, context.Cause(ctx))
		}
		return nil, TrialFailure(err)
	}
	bm, ok := res.Model.(encoding.BinaryMarshaler)
	if !ok {
		return nil, TrialFailure(fmt.Errorf("model %s cannot run remotely: it does not implement encoding.BinaryMarshaler", req.Model))
	}
	mb, err := bm.MarshalBinary()
	if err != nil {
		return nil, TrialFailure(fmt.Errorf("encoding %s: %w", req.Model, err))
	}
	rep = &FoldReply{FitNanos: int64(res.Fit), PredictNanos: int64(res.Predict), Worker: workerName}
	out := encodeResult(res.Pred, mb)
	if len(out) <= *inline {
		*inline -= len(out)
		rep.Result = out
		return rep, nil
	}
	rep.ResultKey = BlobKey(out)
	if err := w.Store.Put(ctx, rep.ResultKey, out); err != nil {
		return nil, fmt.Errorf("automl: fold result: %w", err)
	}
	return rep, nil
}

// workerName is host:pid.
var workerName = func() string {
	h, _ := os.Hostname()
	return fmt.Sprintf("%s:%d", h, os.Getpid())
}()

// fold returns the decoded fold data stored under key, from the cache or
// the store.
func (w *FoldWorker) fold(ctx context.Context, key string) (*models.Data, [][]float64, error) {
	w.mu.Lock()
	for i, c := range w.cache {
		if c.key == key {
			w.cache = append(append(w.cache[:i:i], w.cache[i+1:]...), c)
			w.mu.Unlock()
			return c.train, c.testX, nil
		}
	}
	w.mu.Unlock()
	blob, err := w.Store.Get(ctx, key)
	if err != nil {
		return nil, nil, fmt.Errorf("automl: fold data: %w", err)
	}
	train, testX, err := DecodeFold(blob)
	if err != nil {
		return nil, nil, err
	}
	limit := w.CacheBytes
	if limit == 0 {
		limit = 1 << 30
	}
	if size := int64(len(blob)); size <= limit {
		w.mu.Lock()
		defer w.mu.Unlock()
		var total int64
		for _, c := range w.cache {
			if c.key == key { // fetched meanwhile by another fold
				return c.train, c.testX, nil
			}
			total += c.size
		}
		for len(w.cache) > 0 && total+size > limit {
			total -= w.cache[0].size
			w.cache = w.cache[1:]
		}
		w.cache = append(w.cache, cachedFold{key: key, train: train, testX: testX, size: size})
	}
	return train, testX, nil
}
