package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/evaluate"
	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/planner"
)

// decodeJSON reads the JSON body of r into v: one object, no unknown
// fields, at most Options.MaxUpload bytes.
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, s.o.MaxUpload)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) && ute.Field != "" {
			return errorf(http.StatusBadRequest, CodeInvalidJSON, "field %q: want a JSON %s, got %s", ute.Field, ute.Type, ute.Value)
		}
		if msg, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return errorf(http.StatusBadRequest, CodeInvalidJSON, "unknown field %s", msg)
		}
		return errorf(http.StatusBadRequest, CodeInvalidJSON, "the body is not valid JSON")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errorf(http.StatusBadRequest, CodeInvalidJSON, "the body holds more than one JSON value")
	}
	return nil
}

// newJob checks a run request against the dataset and the server's
// limits and returns the job to queue.
func (s *Server) newJob(r *http.Request, req RunRequest) (*job, error) {
	bad := func(format string, args ...any) error {
		return errorf(http.StatusBadRequest, CodeBadRequest, format, args...)
	}
	if req.DatasetID == "" {
		return nil, bad("dataset_id is required")
	}
	if !idPattern.MatchString(req.DatasetID) {
		return nil, notFound("dataset", req.DatasetID)
	}
	d, err := s.store.dataset(r.Context(), req.DatasetID)
	if errors.Is(err, errNotFound) {
		return nil, notFound("dataset", req.DatasetID)
	}
	if err != nil {
		return nil, err
	}
	target := req.Target
	if target == "" {
		target = d.Dataset.SuggestedTarget
	}
	if target == "" {
		return nil, bad("target is required: the dataset has no suggested target")
	}
	if !slices.Contains(d.Dataset.Columns, target) {
		return nil, bad("target %q is not a column of the dataset (columns: %s)", target, strings.Join(d.Dataset.Columns, ", "))
	}
	budget := s.o.DefaultBudget
	if req.Budget != "" {
		if budget, err = time.ParseDuration(req.Budget); err != nil || budget <= 0 {
			return nil, bad("budget %q is not a positive duration such as \"60s\" or \"5m\"", req.Budget)
		}
	}
	if budget > s.o.MaxBudget {
		return nil, bad("budget %v exceeds the server's limit of %v", budget, s.o.MaxBudget)
	}
	if req.Metric != "" {
		if _, err := evaluate.MetricByName(req.Metric); err != nil {
			return nil, bad("unknown metric %q (known: %s)", req.Metric, strings.Join(evaluate.MetricNames(), ", "))
		}
	}
	var pl planner.Planner // nil: the heuristic
	switch req.Planner {
	case "", "heuristic":
	case "uniform":
		pl = planner.Uniform{}
	case "llm":
		if s.o.LLMPlanner == nil {
			return nil, bad("planner \"llm\": this server has no LLM planner configured")
		}
		pl = s.o.LLMPlanner
	default:
		return nil, bad("unknown planner %q (known: heuristic, uniform, llm)", req.Planner)
	}
	opts := automl.Options{TimeBudget: budget, Metric: req.Metric, Seed: req.Seed, Parallelism: s.o.Parallelism, Planner: pl, Executor: s.o.Executor}
	if o := req.Options; o != nil {
		if o.MaxTrials < 0 || o.Folds < 0 || o.Repeats < 0 || o.MaxTunedPerModel < 0 {
			return nil, bad("options: counts may not be negative")
		}
		switch dataset.Task(o.Task) {
		case dataset.TaskAuto, dataset.TaskBinary, dataset.TaskMulticlass, dataset.TaskRegression:
		default:
			return nil, bad("options.task %q: want binary, multiclass, regression or empty", o.Task)
		}
		switch automl.FinalFit(o.FinalFit) {
		case "", automl.FinalBag, automl.FinalRefit:
		default:
			return nil, bad("options.final_fit %q: want bag, refit or empty", o.FinalFit)
		}
		known := models.Default().Names()
		for _, m := range append(slices.Clone(o.Include), o.Exclude...) {
			if !slices.Contains(known, m) {
				return nil, bad("options: unknown model %q (known: %s)", m, strings.Join(known, ", "))
			}
		}
		for _, c := range append([]string{o.Weight, o.Group}, o.Drop...) {
			if c != "" && !slices.Contains(d.Dataset.Columns, c) {
				return nil, bad("options: %q is not a column of the dataset", c)
			}
		}
		opts.MaxTrials, opts.Folds, opts.Repeats, opts.MaxTunedPerModel = o.MaxTrials, o.Folds, o.Repeats, o.MaxTunedPerModel
		opts.Task = dataset.Task(o.Task)
		opts.Include, opts.Exclude, opts.Drop = o.Include, o.Exclude, o.Drop
		opts.Weight, opts.Group, opts.FinalFit = o.Weight, o.Group, automl.FinalFit(o.FinalFit)
		opts.DisableEnsemble, opts.DisableImportance = o.DisableEnsemble, o.DisableImportance
	}
	req.Target = target
	id := newID()
	return &job{
		snap: Job{ID: id, DatasetID: d.Dataset.ID, Target: target, Request: req, CreatedAt: time.Now().UTC(),
			Progress: Progress{BudgetSeconds: budget.Seconds()}},
		changed: make(chan struct{}),
		budget:  budget,
		opts:    opts,
		file:    d.File,
	}, nil
}

// run handles POST /pipeline/run.
func (s *Server) run(w http.ResponseWriter, r *http.Request) {
	var req RunRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	j, err := s.newJob(r, req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	snap, err := s.jobs.submit(r.Context(), j)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.log.InfoContext(r.Context(), "job queued", "job", snap.ID, "dataset", snap.DatasetID, "target", snap.Target)
	writeJSON(w, http.StatusAccepted, RunResponse{JobID: snap.ID, Job: snap})
}

// lookupJob returns the job named by the {id} path value: live from
// memory, else from the store.
func (s *Server) lookupJob(r *http.Request, withBoard bool) (Job, *job, error) {
	id, err := pathID(r, "job")
	if err != nil {
		return Job{}, nil, err
	}
	if j := s.jobs.get(id); j != nil {
		return j.view(withBoard), j, nil
	}
	v, err := s.store.job(r.Context(), id)
	if errors.Is(err, errNotFound) {
		return v, nil, notFound("job", id)
	}
	if !withBoard {
		v.Leaderboard = nil
	}
	return v, nil, err
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	v, _, err := s.lookupJob(r, true)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) cancel(w http.ResponseWriter, r *http.Request) {
	v, _, err := s.lookupJob(r, false)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if v.State.Final() || !s.jobs.cancelJob(v.ID) {
		s.writeError(w, r, errorf(http.StatusConflict, CodeConflict, "job %q has already ended (%s)", v.ID, v.State))
		return
	}
	if j := s.jobs.get(v.ID); j != nil {
		v = j.view(true)
	} else if v, err = s.store.job(r.Context(), v.ID); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) listJobs(w http.ResponseWriter, r *http.Request) {
	jobs, err := s.store.jobs(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for i := range jobs {
		if j := s.jobs.get(jobs[i].ID); j != nil {
			jobs[i] = j.view(false)
		}
		jobs[i].Leaderboard = nil
	}
	writeJSON(w, http.StatusOK, JobList{Jobs: jobs})
}

// keepAlive is the interval of SSE comment lines.
var keepAlive = 15 * time.Second

// events handles GET /pipeline/events/{id}: the job's events as
// server-sent events, from after Last-Event-ID, live until the job ends.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	v, live, err := s.lookupJob(r, false)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var after int64
	if h := r.Header.Get("Last-Event-ID"); h != "" {
		if after, err = strconv.ParseInt(h, 10, 64); err != nil || after < 0 {
			s.writeError(w, r, errorf(http.StatusBadRequest, CodeBadRequest, "Last-Event-ID %q is not an event id", h))
			return
		}
	}
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a stream outlives any server write timeout
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	write := func(evs []JobEvent) error {
		for _, e := range evs {
			data, err := json.Marshal(e)
			if err != nil {
				return err
			}
			if _, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", e.Seq, e.Kind, data); err != nil {
				return err
			}
			after = e.Seq
		}
		return rc.Flush()
	}
	if live == nil {
		// Ended: replay the stored events.
		evs, err := s.store.jobEvents(r.Context(), v.ID, 0)
		if err != nil {
			s.log.ErrorContext(r.Context(), "job events", "job", v.ID, "err", err)
			return
		}
		evs = withFinalEvent(evs, v)
		i, _ := slices.BinarySearchFunc(evs, after+1, func(e JobEvent, seq int64) int { return int(e.Seq - seq) })
		_ = write(evs[i:])
		return
	}
	_, _ = fmt.Fprint(w, "retry: 2000\n\n")
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		evs, final, changed := live.eventsAfter(after)
		if err := write(evs); err != nil {
			return
		}
		if final {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-s.closing:
			// Close interrupts the job: send its last events first.
			select {
			case <-changed:
			case <-r.Context().Done():
				return
			}
		case <-changed:
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
			if rc.Flush() != nil {
				return
			}
		}
	}
}

// withFinalEvent returns the stored events of job v, ending with a state
// event: a job that a crash interrupted has none stored (its events were
// in the memory of the process that died), so one is made from the job.
func withFinalEvent(evs []JobEvent, v Job) []JobEvent {
	if n := len(evs); n > 0 && evs[n-1].Kind == EventState && evs[n-1].State.Final() {
		return evs
	}
	t := v.CreatedAt
	if v.FinishedAt != nil {
		t = *v.FinishedAt
	}
	return append(evs, JobEvent{Seq: int64(len(evs)) + 1, Time: t, Kind: EventState, State: v.State,
		Progress: v.Progress, ModelID: v.ModelID, Message: v.Message})
}
