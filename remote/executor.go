package remote

import (
	"context"
	"encoding"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
	"weak"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/models"
)

// inlineLimit is the largest result sent back through the transport
// itself; bigger ones go through the Store (Temporal refuses payloads
// of a few MB).
const inlineLimit = 1 << 20

// Request is a automl.FoldTask as data, for a worker in another process: the
// fold's data is a blob key. It is JSON-tagged for transports that send
// JSON (Params' integers then arrive as whole float64s, which
// models.Params accepts).
type Request struct {
	// Trial, Fold, Model (the Spec's name), Params and Classes are the
	// automl.FoldTask's.
	Trial   int           `json:"trial"`
	Fold    int           `json:"fold"`
	Model   string        `json:"model"`
	Params  models.Params `json:"params"`
	Classes int           `json:"classes"`
	// TestRows is the number of held-out rows.
	TestRows int `json:"test_rows"`
	// Data is the Key of the fold's encoded training data and
	// held-out features (EncodeFold).
	Data string `json:"data"`
	// Deadline is when the search ends; zero means no deadline. A
	// transport maps it onto its own timeouts.
	Deadline time.Time `json:"deadline,omitzero"`
}

// Reply is a worker's answer to a Request: the predictions and the
// model's bytes, inline in Result when they take at most 1 MB, else in the
// Store under ResultKey.
type Reply struct {
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

// Transport carries a Request to a worker and its reply back. It must
// honour ctx (cancel the worker's fit when ctx ends) and return errors
// that wrap automl.ErrTrialFailed for folds that failed on their own merits.
// *Worker is a Transport that runs the fold in this process.
type Transport interface {
	RunFold(ctx context.Context, req *Request) (*Reply, error)
}

// BatchTransport is an optional interface of a Transport that carries
// several folds of one trial in one round trip. RunFolds returns one reply
// per request, in order; the worker fits them in order and stops at the
// first that fails, whose error RunFolds returns.
type BatchTransport interface {
	RunFolds(ctx context.Context, reqs []*Request) ([]*Reply, error)
}

// Executor is a automl.TrialExecutor for workers in other processes: it
// writes each fold's data once to Store (content-addressed), sends a
// Request through Transport, and rebuilds the fitted model from the
// bytes in the reply with Spec.New and encoding.BinaryUnmarshaler (a model
// without it cannot run remotely). Store and Transport must be set; a
// Executor is safe for concurrent use and for several Fit calls.
type Executor struct {
	Store     Store
	Transport Transport
	// MaxFoldsAtOnce caps the requests for one trial in flight after its
	// first fold (automl.FoldFanOut). Zero means all of them; 1 means one at a
	// time.
	MaxFoldsAtOnce int
	// FoldsPerRequest puts up to this many of a trial's folds after the
	// first into one request (automl.FoldBatcher; one round trip when Transport
	// is a BatchTransport), fitted one after another on one worker. Zero
	// or 1 means one fold per request. Batches cost the cluster less per
	// fold and spread a trial over fewer workers.
	FoldsPerRequest int

	mu   sync.Mutex
	keys map[weak.Pointer[models.Data]]string // blob key of each live fold's data
}

// FoldsAtOnce implements automl.FoldFanOut: MaxFoldsAtOnce.
func (e *Executor) FoldsAtOnce() int { return e.MaxFoldsAtOnce }

// FitFold implements automl.TrialExecutor.
func (e *Executor) FitFold(ctx context.Context, task *automl.FoldTask) (*automl.FoldResult, error) {
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

// FoldsPerBatch implements automl.FoldBatcher: FoldsPerRequest, at least 1.
func (e *Executor) FoldsPerBatch() int { return max(1, e.FoldsPerRequest) }

// FitFolds implements automl.FoldBatcher: one round trip when Transport is a
// BatchTransport, else one request per fold, in order.
func (e *Executor) FitFolds(ctx context.Context, tasks []*automl.FoldTask) ([]*automl.FoldResult, error) {
	reqs := make([]*Request, len(tasks))
	for i, task := range tasks {
		req, err := e.request(ctx, task)
		if err != nil {
			return nil, err
		}
		reqs[i] = req
	}
	var reps []*Reply
	if bt, ok := e.Transport.(BatchTransport); ok {
		var err error
		if reps, err = bt.RunFolds(ctx, reqs); err != nil {
			return nil, err
		}
		if len(reps) != len(reqs) {
			return nil, fmt.Errorf("remote: %d replies to %d folds", len(reps), len(reqs))
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
	out := make([]*automl.FoldResult, len(tasks))
	for i, task := range tasks {
		res, err := e.result(ctx, task, reps[i])
		if err != nil {
			return nil, err
		}
		out[i] = res
	}
	return out, nil
}

// request uploads the task's data and returns its Request.
func (e *Executor) request(ctx context.Context, task *automl.FoldTask) (*Request, error) {
	key, err := e.upload(ctx, task)
	if err != nil {
		return nil, err
	}
	req := &Request{
		Trial: task.Trial, Fold: task.Fold, Model: task.Spec.Name, Params: task.Params,
		Classes: task.Classes, TestRows: task.TestRows, Data: key,
	}
	if dl, ok := ctx.Deadline(); ok {
		req.Deadline = dl
	}
	return req, nil
}

// result decodes a reply into the task's automl.FoldResult, rebuilding the model.
func (e *Executor) result(ctx context.Context, task *automl.FoldTask, rep *Reply) (*automl.FoldResult, error) {
	raw := rep.Result
	if rep.ResultKey != "" {
		var err error
		if raw, err = e.Store.Get(ctx, rep.ResultKey); err != nil {
			return nil, fmt.Errorf("remote: fold result: %w", err)
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
		return nil, fmt.Errorf("%w: worker sent %d predictions, want %d", automl.ErrTrialFailed, len(pred), want)
	}
	m, err := task.Spec.New(task.Params)
	if err != nil {
		return nil, err
	}
	um, ok := m.(encoding.BinaryUnmarshaler)
	if !ok {
		return nil, fmt.Errorf("%w: model %s does not implement encoding.BinaryUnmarshaler", automl.ErrTrialFailed, task.Spec.Name)
	}
	if err := um.UnmarshalBinary(blob); err != nil {
		return nil, fmt.Errorf("%w: model %s from its worker: %w", automl.ErrTrialFailed, task.Spec.Name, err)
	}
	return &automl.FoldResult{Pred: pred, Model: m, Fit: time.Duration(rep.FitNanos), Predict: time.Duration(rep.PredictNanos)}, nil
}

// upload writes the task's fold data to the store unless this executor
// did so already while the data is alive, and returns its key. Folds the
// search cuts once (below 2M feature cells) are encoded once per Fit; folds
// cut per trial are encoded per trial and written once (same key).
func (e *Executor) upload(ctx context.Context, task *automl.FoldTask) (string, error) {
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
	key = Key(blob)
	if err := e.Store.Put(ctx, key, blob); err != nil {
		return "", fmt.Errorf("remote: fold data: %w", err)
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
func (e *Executor) forget(wp weak.Pointer[models.Data]) {
	e.mu.Lock()
	delete(e.keys, wp)
	e.mu.Unlock()
}

// Worker runs Requests in this process: it fetches the fold's data
// from Store (decoded folds stay in a memory cache), makes the model from
// Registry, fits, predicts and encodes the result. It is the worker side
// of Executor and is itself a Transport. Safe for concurrent use.
type Worker struct {
	// Store holds the fold data and receives big results. It must not be nil.
	Store Store
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
// (matching automl.ErrTrialFailed); errors from ctx or the store are not.
func (w *Worker) RunFold(ctx context.Context, req *Request) (*Reply, error) {
	budget := inlineLimit
	return w.runFold(ctx, req, &budget)
}

// RunFolds implements BatchTransport: the folds one after another, up to
// 1 MB of results inline in all, the rest through the store. It stops at
// the first fold that fails and returns its error.
func (w *Worker) RunFolds(ctx context.Context, reqs []*Request) ([]*Reply, error) {
	budget := inlineLimit
	reps := make([]*Reply, len(reqs))
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
func (w *Worker) runFold(ctx context.Context, req *Request, inline *int) (rep *Reply, err error) {
	spec, err := automl.ModelSpec(w.Registry, req.Model)
	if err != nil {
		return nil, automl.TrialFailure(err)
	}
	train, testX, err := w.fold(ctx, req.Data)
	if err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			rep, err = nil, automl.TrialFailure(fmt.Errorf("panic in %s: %v\n%s", req.Model, p, debug.Stack()))
		}
	}()
	task := &automl.FoldTask{Trial: req.Trial, Fold: req.Fold, Spec: spec, Params: req.Params, Classes: req.Classes, Train: train, TestX: testX, TestRows: req.TestRows}
	res, err := automl.FitLocal(ctx, task)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("remote: fold %d of trial %d: %w", req.Fold, req.Trial, context.Cause(ctx))
		}
		return nil, automl.TrialFailure(err)
	}
	bm, ok := res.Model.(encoding.BinaryMarshaler)
	if !ok {
		return nil, automl.TrialFailure(fmt.Errorf("model %s cannot run remotely: it does not implement encoding.BinaryMarshaler", req.Model))
	}
	mb, err := bm.MarshalBinary()
	if err != nil {
		return nil, automl.TrialFailure(fmt.Errorf("encoding %s: %w", req.Model, err))
	}
	rep = &Reply{FitNanos: int64(res.Fit), PredictNanos: int64(res.Predict), Worker: workerName}
	out := encodeResult(res.Pred, mb)
	if len(out) <= *inline {
		*inline -= len(out)
		rep.Result = out
		return rep, nil
	}
	rep.ResultKey = Key(out)
	if err := w.Store.Put(ctx, rep.ResultKey, out); err != nil {
		return nil, fmt.Errorf("remote: fold result: %w", err)
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
func (w *Worker) fold(ctx context.Context, key string) (*models.Data, [][]float64, error) {
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
		return nil, nil, fmt.Errorf("remote: fold data: %w", err)
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
