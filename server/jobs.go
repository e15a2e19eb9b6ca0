package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/evaluate"
)

// runner runs jobs on Options.Jobs goroutines from a bounded queue, and
// keeps every live job (queued or running) in memory so that status and
// event requests see its progress as it happens. A job's row in the store
// is written when it is queued, when it starts, every flushEvery while it
// runs (with the events so far) and when it ends; the store alone answers
// for jobs that are not live.
type runner struct {
	s      *Server
	ctx    context.Context // cancelled by close: running jobs stop
	cancel context.CancelFunc
	queue  chan *job
	wg     sync.WaitGroup

	mu     sync.Mutex
	live   map[string]*job
	closed bool
}

func newRunner(s *Server) *runner {
	ctx, cancel := context.WithCancel(context.Background())
	r := &runner{s: s, ctx: ctx, cancel: cancel, queue: make(chan *job, s.o.MaxQueued), live: map[string]*job{}}
	for range s.o.Jobs {
		r.wg.Go(r.work)
	}
	return r
}

// work runs queued jobs until the runner closes.
func (r *runner) work() {
	for {
		select {
		case <-r.ctx.Done():
			return
		case j := <-r.queue:
			r.runJob(j)
		}
	}
}

// close stops the runner: running jobs are cancelled and end as
// interrupted, as do the jobs still queued; close returns when every job
// is stored.
func (r *runner) close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.cancel()
	r.wg.Wait()
	for {
		select {
		case j := <-r.queue:
			r.finish(j, JobInterrupted, "the server stopped before the job ran", nil, nil)
		default:
			return
		}
	}
}

// job is a live job: its snapshot, the leaderboard and events so far.
type job struct {
	mu      sync.Mutex
	snap    Job
	lb      *evaluate.Leaderboard
	events  []JobEvent
	changed chan struct{} // closed and replaced on every change
	budget  time.Duration
	opts    automl.Options
	file    string // the dataset's file, in the datasets directory
	stop    context.CancelFunc
	// cancelled is set by POST /pipeline/cancel; finishing once finish
	// has begun storing the outcome.
	cancelled, finishing bool
	// stored counts the events already in the store.
	stored int
}

// view returns a copy of the job's snapshot, with the leaderboard so far
// (sorted, best first) when withBoard, and the elapsed and remaining time
// brought up to now for a running job.
func (j *job) view(withBoard bool) Job {
	j.mu.Lock()
	defer j.mu.Unlock()
	v := j.snap
	if withBoard && j.lb != nil {
		lb := *j.lb
		lb.Rows = slices.Clone(j.lb.Rows)
		lb.Sort()
		v.Leaderboard = &lb
	}
	if v.State == JobRunning && v.StartedAt != nil {
		el := time.Since(*v.StartedAt)
		v.Progress.ElapsedSeconds = el.Seconds()
		v.Progress.RemainingSeconds = max(0, (j.budget - el).Seconds())
	}
	return v
}

// eventsAfter returns the events with Seq > after, whether the job is
// final, and a channel closed at the next change.
func (j *job) eventsAfter(after int64) ([]JobEvent, bool, <-chan struct{}) {
	j.mu.Lock()
	defer j.mu.Unlock()
	i, _ := slices.BinarySearchFunc(j.events, after+1, func(e JobEvent, seq int64) int {
		return int(e.Seq - seq)
	})
	return slices.Clone(j.events[i:]), j.snap.State.Final(), j.changed
}

// addEvent appends e (stamped with the next Seq, the time, the state and
// progress) and wakes the listeners. j.mu must be held.
func (j *job) addEvent(e JobEvent) {
	e.Seq = int64(len(j.events)) + 1
	e.Time = time.Now().UTC()
	e.State = j.snap.State
	e.Progress = j.snap.Progress
	j.events = append(j.events, e)
	close(j.changed)
	j.changed = make(chan struct{})
}

// finite returns &v, or nil when v is NaN or infinite (JSON has neither).
func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// onEvent folds a library event into the job's progress and leaderboard
// and appends it to the events. It is automl.Options.OnEvent.
func (j *job) onEvent(e automl.Event) {
	j.mu.Lock()
	defer j.mu.Unlock()
	p := &j.snap.Progress
	p.ElapsedSeconds = e.Elapsed.Seconds()
	p.RemainingSeconds = e.Remaining.Seconds()
	if e.Phase != "" {
		p.Phase = e.Phase
	}
	ev := JobEvent{Kind: string(e.Kind), Phase: e.Phase, Trial: e.Trial, Model: e.Model, Params: e.Params,
		Status: e.Status, Error: firstLine(e.Err)}
	switch e.Kind {
	case automl.EventTrialStarted:
		p.TrialsStarted++
	case automl.EventTrialFinished:
		p.TrialsDone++
		if e.Status != evaluate.StatusOK {
			p.TrialsFailed++
		}
		ev.Score = finite(e.Score)
		j.lb.Add(evaluate.Row{ID: e.Trial, Model: e.Model, Params: e.Params, Score: e.Score, Status: e.Status, Error: firstLine(e.Err)})
	case automl.EventNewBest:
		ev.Score, ev.Best = finite(e.Score), finite(e.Best)
		if b := finite(e.Best); b != nil {
			p.BestScore, p.BestModel = b, e.Model
		}
	}
	j.addEvent(ev)
}

// firstLine returns the first line of s (error texts from the library
// may carry a stack trace after it).
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// submit validates nothing more: it queues a job made by the run handler,
// stores it and returns its snapshot; a full queue is queue_full.
func (r *runner) submit(ctx context.Context, j *job) (Job, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return Job{}, ErrClosed
	}
	if len(r.queue) == cap(r.queue) {
		return Job{}, errorf(http.StatusTooManyRequests, CodeQueueFull, "the job queue is full (%d waiting); retry later", cap(r.queue))
	}
	j.mu.Lock()
	j.snap.State = JobQueued
	j.addEvent(JobEvent{Kind: EventState})
	snap := j.snap
	j.mu.Unlock()
	if err := r.s.store.putJob(ctx, &snap); err != nil {
		return Job{}, err
	}
	r.live[snap.ID] = j
	r.queue <- j // never blocks: checked above under r.mu, and only workers take
	return snap, nil
}

// get returns the live job id, or nil.
func (r *runner) get(id string) *job {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.live[id]
}

// usesDataset reports whether a live job reads dataset id.
func (r *runner) usesDataset(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, j := range r.live {
		if j.view(false).DatasetID == id {
			return true
		}
	}
	return false
}

// cancelJob cancels a live job: a queued one ends at once, a running one
// when its search stops (within about a second). It reports false when
// the job is not live.
func (r *runner) cancelJob(id string) bool {
	j := r.get(id)
	if j == nil {
		return false
	}
	j.mu.Lock()
	j.cancelled = true
	state, stop := j.snap.State, j.stop
	j.mu.Unlock()
	switch {
	case state == JobQueued:
		r.finish(j, JobCancelled, "cancelled before it ran", nil, nil)
	case stop != nil:
		stop()
	}
	return true
}

// runJob runs one job to its end and stores the outcome.
func (r *runner) runJob(j *job) {
	ctx, stop := context.WithCancel(r.ctx)
	defer stop()
	if r.ctx.Err() != nil { // closing
		r.finish(j, JobInterrupted, "the server stopped before the job ran", nil, nil)
		return
	}
	j.mu.Lock()
	if j.snap.State.Final() || j.cancelled || j.finishing {
		j.mu.Unlock()
		return
	}
	now := time.Now().UTC()
	j.snap.State, j.snap.StartedAt, j.stop = JobRunning, &now, stop
	j.snap.Progress.BudgetSeconds = j.budget.Seconds()
	j.addEvent(JobEvent{Kind: EventState})
	snap := j.snap
	j.mu.Unlock()
	if err := r.s.store.putJob(ctx, &snap); err != nil {
		r.s.log.Error("job not stored", "job", snap.ID, "err", err)
	}
	stopFlush, flushed := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(flushed)
		tick := time.NewTicker(flushEvery)
		defer tick.Stop()
		for {
			select {
			case <-stopFlush:
				return
			case <-tick.C:
				r.flush(j)
			}
		}
	}()
	res, modelID, err := r.fit(ctx, j)
	close(stopFlush)
	<-flushed
	switch {
	case err == nil:
		r.finish(j, JobDone, "", res, &modelID)
	case ctx.Err() != nil && r.ctx.Err() != nil:
		r.finish(j, JobInterrupted, "the server stopped while the job was running", nil, nil)
	case ctx.Err() != nil:
		r.finish(j, JobCancelled, "cancelled while running", nil, nil)
	default:
		r.s.log.Warn("job failed", "job", snap.ID, "err", err)
		r.finish(j, JobFailed, jobMessage(err), nil, nil)
	}
}

// flushEvery is how often a running job's progress and new events are
// stored, so that a crash loses at most that much of its history.
var flushEvery = 2 * time.Second

// flush stores a running job's snapshot and the events not yet stored.
func (r *runner) flush(j *job) {
	j.mu.Lock()
	evs := slices.Clone(j.events[j.stored:])
	j.mu.Unlock()
	if len(evs) == 0 {
		return
	}
	snap := j.view(true)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.s.store.saveJob(ctx, &snap, evs); err != nil {
		r.s.log.Warn("job progress not stored", "job", snap.ID, "err", err)
		return
	}
	j.mu.Lock()
	j.stored += len(evs)
	j.mu.Unlock()
}

// jobMessage is what a failed job tells clients: the errors of the
// library and the dataset readers are about the data and are shown (first
// line only); anything else is "internal error".
func jobMessage(err error) string {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		return ae.message
	case errors.Is(err, automl.ErrInput), errors.Is(err, automl.ErrPredict):
		msg := firstLine(err.Error())
		if strings.Contains(msg, "internal error") {
			return "internal error"
		}
		return msg
	}
	return "internal error"
}

// fit reads the dataset, profiles it for the job's target, runs the
// search, and saves the model. It returns the result and the model id.
func (r *runner) fit(ctx context.Context, j *job) (*automl.Result, string, error) {
	s := r.s
	snap := j.view(false)
	path := filepath.Join(s.dirs.datasets, filepath.Base(j.file))
	frame, err := dataset.ReadFile(ctx, path)
	if err != nil {
		if ctx.Err() != nil {
			return nil, "", ctx.Err()
		}
		return nil, "", errorf(0, CodeInvalidDataset, "the dataset cannot be read (was it deleted?)")
	}
	defer frame.Release()
	prof, err := dataset.AnalyzeOptions{Task: j.opts.Task}.Analyze(frame, snap.Target)
	if err != nil {
		return nil, "", errorf(0, CodeBadRequest, "%s", firstLine(err.Error()))
	}
	m, err := evaluate.DefaultMetric(len(prof.Classes)), error(nil)
	if j.opts.Metric != "" {
		if m, err = evaluate.MetricByName(j.opts.Metric); err != nil {
			return nil, "", errorf(0, CodeBadRequest, "%s", firstLine(err.Error()))
		}
	}
	j.mu.Lock()
	j.snap.Metric, j.snap.Greater = m.Name(), m.Greater()
	j.lb = evaluate.NewLeaderboard(m)
	j.mu.Unlock()

	opts := j.opts
	opts.OnEvent = j.onEvent
	res, err := automl.New(opts).Fit(ctx, frame, snap.Target)
	if err != nil {
		return nil, "", err
	}
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	id := newID()
	file := id + ".automl"
	size, err := savePredictor(filepath.Join(s.dirs.models, file), s.dirs.tmp, res.Predictor)
	if err != nil {
		return nil, "", err
	}
	detail := modelDetail(id, snap, res, size)
	if err := s.store.insertModel(context.WithoutCancel(ctx), modelRow{Detail: detail, File: file}); err != nil {
		os.Remove(filepath.Join(s.dirs.models, file))
		return nil, "", err
	}
	s.models.put(id, newLoaded(res.Predictor, &detail))
	return res, id, nil
}

// savePredictor writes p to path through a temporary file in tmp, so a
// crash never leaves half a model file, and returns the file's size.
func savePredictor(path, tmp string, p *automl.Predictor) (int64, error) {
	var buf bytes.Buffer
	if err := p.Save(&buf); err != nil {
		return 0, err
	}
	f, err := os.CreateTemp(tmp, "model-*")
	if err != nil {
		return 0, err
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		os.Remove(f.Name())
		return 0, err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return 0, err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return 0, err
	}
	return int64(buf.Len()), nil
}

// modelDetail describes the model of a finished job.
func modelDetail(id string, job Job, res *automl.Result, size int64) ModelDetail {
	p := res.Predictor
	m := Model{ID: id, JobID: job.ID, DatasetID: job.DatasetID, Target: p.Target(), Task: p.Task(),
		Metric: res.Leaderboard.Metric, Classes: p.Classes(), Size: size, CreatedAt: time.Now().UTC()}
	if best, ok := res.Leaderboard.Best(); ok {
		m.Score, m.BestModel = best.Score, best.Model
	}
	if v := finite(m.Score); v == nil {
		m.Score = 0
	}
	return ModelDetail{
		Model: m, Inputs: modelInputs(p.Columns(), res.Profile), Leaderboard: res.Leaderboard,
		Profile: res.Profile, Importance: res.Importance, Options: res.Options,
		Plan: res.Plan, Planning: &res.Planning, Insights: res.Insights,
		DurationSeconds: res.Duration.Seconds(),
	}
}

// modelInputs describes the predictor's input columns from the training
// profile: kind and an example value.
func modelInputs(cols []string, prof *dataset.Profile) []ModelInput {
	byName := map[string]*dataset.ColumnProfile{}
	if prof != nil {
		for i := range prof.Columns {
			byName[prof.Columns[i].Name] = &prof.Columns[i]
		}
	}
	out := make([]ModelInput, len(cols))
	for i, c := range cols {
		out[i] = ModelInput{Name: c}
		cp := byName[c]
		if cp == nil {
			continue
		}
		out[i].Kind = cp.Kind
		switch {
		case (cp.Kind == dataset.KindNumeric || cp.Kind == dataset.KindInteger) && cp.Mean != nil && !cp.LowCardinality:
			v := *cp.Mean
			if cp.Kind == dataset.KindInteger {
				v = math.Round(v)
			}
			out[i].Example = v
		case len(cp.Top) > 0:
			out[i].Example = exampleValue(cp.Kind, cp.Top[0].Value)
		}
	}
	return out
}

// exampleValue types a top value for JSON: numbers and booleans as such.
func exampleValue(k dataset.Kind, v string) any {
	switch k {
	case dataset.KindNumeric, dataset.KindInteger:
		var f float64
		if _, err := fmt.Sscan(v, &f); err == nil {
			return f
		}
	case dataset.KindBoolean:
		switch v {
		case "true":
			return true
		case "false":
			return false
		}
	}
	return v
}

// finish ends job j in state: it stores the final snapshot and events
// first, then publishes them (so a client that sees the final state finds
// it in the store too), and drops the job from the live jobs. A job
// already final, or being finished, is left alone.
func (r *runner) finish(j *job, state JobState, message string, res *automl.Result, modelID *string) {
	j.mu.Lock()
	if j.snap.State.Final() || j.finishing {
		j.mu.Unlock()
		return
	}
	j.finishing = true
	snap, lb := j.snap, j.lb
	now := time.Now().UTC()
	snap.State, snap.Message, snap.FinishedAt = state, message, &now
	if snap.StartedAt != nil {
		snap.Progress.ElapsedSeconds = now.Sub(*snap.StartedAt).Seconds()
		snap.Progress.RemainingSeconds = 0
	}
	if res != nil {
		lb = res.Leaderboard
		snap.Progress.Phase = "done"
	}
	if modelID != nil {
		snap.ModelID = *modelID
	}
	last := JobEvent{Seq: int64(len(j.events)) + 1, Time: now, Kind: EventState, State: state,
		Progress: snap.Progress, ModelID: snap.ModelID, Message: message}
	events := append(slices.Clone(j.events[j.stored:]), last)
	j.mu.Unlock()

	stored := snap
	if lb != nil {
		board := *lb
		board.Rows = slices.Clone(lb.Rows)
		board.Sort()
		stored.Leaderboard = &board
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.s.store.saveJob(ctx, &stored, events); err != nil {
		r.s.log.Error("job outcome not stored", "job", snap.ID, "state", state, "err", err)
	}

	j.mu.Lock()
	j.snap, j.lb = snap, lb
	j.events = append(j.events, last)
	close(j.changed)
	j.changed = make(chan struct{})
	j.mu.Unlock()
	r.mu.Lock()
	delete(r.live, snap.ID)
	r.mu.Unlock()
	r.s.log.Info("job ended", "job", snap.ID, "state", state, "model", snap.ModelID)
}
