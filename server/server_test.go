package server

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/dataset"
)

// irisRecords are three iris rows without the target, one per species.
var irisRecords = []map[string]any{
	{"Sepal.Length": 5.1, "Sepal.Width": 3.5, "Petal.Length": 1.4, "Petal.Width": 0.2},
	{"Sepal.Length": 6.4, "Sepal.Width": 3.2, "Petal.Length": 4.5, "Petal.Width": 1.5},
	{"Sepal.Length": 6.3, "Sepal.Width": 3.3, "Petal.Length": 6.0, "Petal.Width": 2.5},
}

// quickRun is a run request that finishes in a few seconds on iris.
func quickRun(datasetID string) RunRequest {
	return RunRequest{DatasetID: datasetID, Budget: "5s", Seed: 1,
		Options: &RunOptions{MaxTrials: 6, Folds: 3, DisableImportance: false}}
}

// trainIris uploads iris, runs a quick job to its end and returns the
// dataset, the final job and the SSE events streamed while it ran.
func trainIris(t *testing.T, c *client) (DatasetDetail, Job, []sseEvent) {
	t.Helper()
	var d DatasetDetail
	status, b := c.upload("/analyze", "iris.csv", readFile(t, "testdata/iris.csv"))
	require.Equal(t, http.StatusCreated, status, "%s", b)
	require.NoError(t, jsonUnmarshal(b, &d))

	var run RunResponse
	status, b = c.json(http.MethodPost, "/pipeline/run", quickRun(d.DatasetID), &run)
	require.Equal(t, http.StatusAccepted, status, "%s", b)
	require.NotEmpty(t, run.JobID)

	// Follow the job's events live while it runs.
	req, err := http.NewRequest(http.MethodGet, c.base+"/pipeline/events/"+run.JobID, nil)
	require.NoError(t, err)
	resp, err := c.hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	events, _ := readSSE(t, resp.Body) // returns when the job ends

	j := c.waitState(run.JobID, 60*time.Second, JobState.Final)
	require.Equal(t, JobDone, j.State, "job message: %s", j.Message)
	return d, j, events
}

func jsonUnmarshal(b []byte, v any) error { return jsonDecode(bytes.NewReader(b), v) }

// TestWholeFlow drives upload, run, progress (polled and streamed),
// predict, and a restart on the same data directory.
func TestWholeFlow(t *testing.T) {
	dir := t.TempDir()
	srv := start(t, Options{DataDir: dir})
	c := srv.c

	var h Health
	status, _ := c.json(http.MethodGet, "/health", nil, &h)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "ok", h.Status)
	status, _ = c.json(http.MethodGet, "/ready", nil, &h)
	require.Equal(t, http.StatusOK, status)

	d, j, events := trainIris(t, c)

	// The profile and the suggestion.
	assert.Equal(t, "Species", d.Dataset.SuggestedTarget)
	assert.Equal(t, dataset.TaskMulticlass, d.Dataset.SuggestedTask)
	assert.Equal(t, 150, d.Dataset.Rows)
	assert.Equal(t, "iris.csv", d.Dataset.Name)
	require.NotNil(t, d.Profile)
	assert.Len(t, d.Profile.Columns, 5)
	assert.Equal(t, []string{"setosa", "versicolor", "virginica"}, d.Profile.Classes)
	var ds DatasetList
	status, _ = c.json(http.MethodGet, "/datasets", nil, &ds)
	require.Equal(t, http.StatusOK, status)
	require.Len(t, ds.Datasets, 1)
	var got DatasetDetail
	status, _ = c.json(http.MethodGet, "/datasets/"+d.DatasetID, nil, &got)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, d.Dataset, got.Dataset)

	// The job: done, with a model, a leaderboard and progress.
	require.NotEmpty(t, j.ModelID)
	assert.Equal(t, "Species", j.Target)
	assert.Equal(t, "accuracy", j.Metric) // the multiclass default
	assert.True(t, j.Greater)
	assert.Equal(t, "done", j.Progress.Phase)
	assert.GreaterOrEqual(t, j.Progress.TrialsDone, 1)
	assert.NotNil(t, j.Progress.BestScore)
	require.NotNil(t, j.Leaderboard)
	assert.NotEmpty(t, j.Leaderboard.Rows)
	assert.NotNil(t, j.StartedAt)
	assert.NotNil(t, j.FinishedAt)

	// The stream: ids 1, 2, 3..., queued then running first, every kind of
	// library event, and a final done state naming the model.
	require.GreaterOrEqual(t, len(events), 4)
	for i, e := range events {
		assert.Equal(t, int64(i+1), e.id)
		assert.Equal(t, e.id, e.data.Seq)
		assert.Equal(t, e.event, e.data.Kind)
	}
	assert.Equal(t, JobQueued, events[0].data.State)
	assert.Equal(t, JobRunning, events[1].data.State)
	last := events[len(events)-1].data
	assert.Equal(t, EventState, last.Kind)
	assert.Equal(t, JobDone, last.State)
	assert.Equal(t, j.ModelID, last.ModelID)
	kinds := map[string]bool{}
	for _, e := range events {
		kinds[e.event] = true
	}
	for _, k := range []automl.EventKind{automl.EventPhase, automl.EventTrialStarted, automl.EventTrialFinished, automl.EventNewBest} {
		assert.True(t, kinds[string(k)], "no %s event", k)
	}

	// Resuming after event 3 replays from event 4 (the job is over: from
	// the store).
	status, b, _ := c.do(http.MethodGet, "/pipeline/events/"+j.ID, nil, "", "Last-Event-ID", "3")
	require.Equal(t, http.StatusOK, status)
	resumed, _ := readSSE(t, bytes.NewReader(b))
	require.Len(t, resumed, len(events)-3)
	assert.Equal(t, int64(4), resumed[0].id)
	assert.Equal(t, last, resumed[len(resumed)-1].data)

	var jobs JobList
	status, _ = c.json(http.MethodGet, "/pipeline/jobs", nil, &jobs)
	require.Equal(t, http.StatusOK, status)
	require.Len(t, jobs.Jobs, 1)
	assert.Equal(t, JobDone, jobs.Jobs[0].State)
	assert.Nil(t, jobs.Jobs[0].Leaderboard)

	// The model.
	var ms ModelList
	status, _ = c.json(http.MethodGet, "/models", nil, &ms)
	require.Equal(t, http.StatusOK, status)
	require.Len(t, ms.Models, 1)
	m := ms.Models[0]
	assert.Equal(t, j.ModelID, m.ID)
	assert.Equal(t, j.ID, m.JobID)
	assert.Equal(t, []string{"setosa", "versicolor", "virginica"}, m.Classes)
	var md ModelDetail
	status, _ = c.json(http.MethodGet, "/models/"+m.ID, nil, &md)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, m, md.Model)
	require.Len(t, md.Inputs, 4)
	assert.Equal(t, "Sepal.Length", md.Inputs[0].Name)
	assert.Equal(t, dataset.KindNumeric, md.Inputs[0].Kind)
	assert.NotNil(t, md.Inputs[0].Example)
	require.NotNil(t, md.Leaderboard)
	require.NotNil(t, md.Profile)
	assert.NotEmpty(t, md.Importance)
	assert.NotNil(t, md.Plan)
	require.NotNil(t, md.Planning)
	assert.Equal(t, "heuristic", md.Planning.Planner)
	assert.NotEmpty(t, md.Insights)

	// Predict records.
	var pr PredictResponse
	status, b = c.json(http.MethodPost, "/predict", PredictRequest{ModelID: m.ID, Records: irisRecords}, &pr)
	require.Equal(t, http.StatusOK, status, "%s", b)
	assert.Equal(t, []any{"setosa", "versicolor", "virginica"}, pr.Predictions)
	require.Len(t, pr.Probabilities, 3)
	for _, row := range pr.Probabilities {
		require.Len(t, row, 3)
		assert.InDelta(t, 1, row[0]+row[1]+row[2], 1e-9)
	}
	before := b

	// Predict a file: the training table itself (its target is ignored).
	var prf PredictResponse
	status, b = c.upload("/predict", "iris.csv", readFile(t, "testdata/iris.csv"), "model_id", m.ID)
	require.Equal(t, http.StatusOK, status, "%s", b)
	require.NoError(t, jsonUnmarshal(b, &prf))
	require.Len(t, prf.Predictions, 150)
	assert.Equal(t, "setosa", prf.Predictions[0])

	// The download loads as a predictor that predicts the same.
	status, file, hdr := c.do(http.MethodGet, "/models/"+m.ID+"/download", nil, "")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, hdr.Get("Content-Disposition"), "attachment")
	p, err := automl.Load(bytes.NewReader(file))
	require.NoError(t, err)
	lp, err := p.PredictRecords(context.Background(), irisRecords)
	require.NoError(t, err)
	assert.Equal(t, []string{"setosa", "versicolor", "virginica"}, lp.Labels)
	for i := range 3 {
		assert.Equal(t, lp.Proba[i*3:i*3+3], pr.Probabilities[i])
	}

	// Restart on the same data directory: everything is still there and
	// the model predicts byte-identically.
	srv.stop()
	srv2 := start(t, Options{DataDir: dir})
	c2 := srv2.c
	status, b = c2.json(http.MethodPost, "/predict", PredictRequest{ModelID: m.ID, Records: irisRecords}, nil)
	require.Equal(t, http.StatusOK, status, "%s", b)
	assert.Equal(t, string(before), string(b))
	var j2 Job
	status, _ = c2.json(http.MethodGet, "/pipeline/status/"+j.ID, nil, &j2)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, JobDone, j2.State)
	assert.Equal(t, j.ModelID, j2.ModelID)
	assert.Equal(t, len(j.Leaderboard.Rows), len(j2.Leaderboard.Rows))
	status, b, _ = c2.do(http.MethodGet, "/pipeline/events/"+j.ID, nil, "")
	require.Equal(t, http.StatusOK, status)
	replayed, _ := readSSE(t, bytes.NewReader(b))
	assert.Len(t, replayed, len(events))
	status, _ = c2.json(http.MethodGet, "/datasets", nil, &ds)
	require.Equal(t, http.StatusOK, status)
	assert.Len(t, ds.Datasets, 1)

	// Deletes.
	status, _, _ = c2.do(http.MethodDelete, "/models/"+m.ID, nil, "")
	assert.Equal(t, http.StatusNoContent, status)
	status, b = c2.json(http.MethodGet, "/models/"+m.ID, nil, nil)
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, CodeNotFound, errCode(t, b))
	status, _, _ = c2.do(http.MethodDelete, "/datasets/"+d.DatasetID, nil, "")
	assert.Equal(t, http.StatusNoContent, status)
	status, _ = c2.json(http.MethodGet, "/datasets", nil, &ds)
	require.Equal(t, http.StatusOK, status)
	assert.Empty(t, ds.Datasets)
	assert.Empty(t, dirFiles(t, dir+"/datasets"))
	assert.Empty(t, dirFiles(t, dir+"/models"))
	assert.Empty(t, dirFiles(t, dir+"/tmp"))
}

// TestInterruptedAfterRestart: a job running when the server stops, and
// one left "running" by a crash, are interrupted after a restart, never
// lost or left running.
func TestInterruptedAfterRestart(t *testing.T) {
	old := flushEvery
	flushEvery = 100 * time.Millisecond
	t.Cleanup(func() { flushEvery = old })
	dir := t.TempDir()
	srv := start(t, Options{DataDir: dir})
	c := srv.c
	status, b := c.upload("/analyze", "iris.csv", readFile(t, "testdata/iris.csv"))
	require.Equal(t, http.StatusCreated, status, "%s", b)
	var d DatasetDetail
	require.NoError(t, jsonUnmarshal(b, &d))
	var run RunResponse
	status, b = c.json(http.MethodPost, "/pipeline/run", RunRequest{DatasetID: d.DatasetID, Budget: "10m", Options: longRun}, &run)
	require.Equal(t, http.StatusAccepted, status, "%s", b)
	j := c.waitState(run.JobID, 20*time.Second, func(s JobState) bool { return s == JobRunning })
	require.Equal(t, JobRunning, j.State)
	// While it runs, its progress and events reach the store.
	deadline := time.Now().Add(10 * time.Second)
	var stored []JobEvent
	var err error
	for len(stored) < 3 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		stored, err = srv.s.store.jobEvents(t.Context(), run.JobID, 0)
		require.NoError(t, err)
	}
	require.GreaterOrEqual(t, len(stored), 3, "events stored while running")
	sj, err := srv.s.store.job(t.Context(), run.JobID)
	require.NoError(t, err)
	assert.Equal(t, JobRunning, sj.State)
	assert.NotEmpty(t, sj.Progress.Phase)

	// A client follows the job's events.
	resp, err := c.hc.Get(c.base + "/pipeline/events/" + run.JobID)
	require.NoError(t, err)
	defer resp.Body.Close()
	streamed := make(chan []sseEvent)
	go func() {
		evs, _ := readSSE(t, resp.Body)
		streamed <- evs
	}()
	time.Sleep(300 * time.Millisecond) // let the search start
	t0 := time.Now()
	require.NoError(t, srv.s.Close())
	assert.Less(t, time.Since(t0), 5*time.Second, "Close waits for the job to stop")
	// The stream ended with the job's interrupted state.
	evs := <-streamed
	require.NotEmpty(t, evs)
	assert.Equal(t, JobInterrupted, evs[len(evs)-1].data.State)
	// A request after Close is refused.
	status, b = c.json(http.MethodGet, "/ready", nil, nil)
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Equal(t, CodeUnavailable, errCode(t, b))
	srv.stop()

	// A crash: a job row left running by a process that died.
	st, err := openStore(context.Background(), dir+"/automl.db")
	require.NoError(t, err)
	crashed := Job{ID: newID(), DatasetID: d.DatasetID, Target: "Species", State: JobRunning, CreatedAt: time.Now().UTC()}
	require.NoError(t, st.putJob(context.Background(), &crashed))
	require.NoError(t, st.close())

	srv2 := start(t, Options{DataDir: dir})
	for _, id := range []string{run.JobID, crashed.ID} {
		var got Job
		status, b := srv2.c.json(http.MethodGet, "/pipeline/status/"+id, nil, &got)
		require.Equal(t, http.StatusOK, status, "%s", b)
		assert.Equal(t, JobInterrupted, got.State, id)
		assert.NotEmpty(t, got.Message)
		assert.Empty(t, got.ModelID)
	}
	// The interrupted jobs' streams end with their final state, the
	// crashed one's with an event made from its row.
	for _, id := range []string{run.JobID, crashed.ID} {
		status, b, _ = srv2.c.do(http.MethodGet, "/pipeline/events/"+id, nil, "")
		require.Equal(t, http.StatusOK, status)
		evs, _ = readSSE(t, bytes.NewReader(b))
		require.NotEmpty(t, evs)
		assert.Equal(t, JobInterrupted, evs[len(evs)-1].data.State)
		assert.Equal(t, int64(len(evs)), evs[len(evs)-1].id)
	}
}

// TestCancelAndQueue: one runner, a queue of one: the third job is
// refused, a queued job cancels at once, a running one within seconds.
func TestCancelAndQueue(t *testing.T) {
	srv := start(t, Options{DataDir: t.TempDir(), Jobs: 1, MaxQueued: 1})
	c := srv.c
	status, b := c.upload("/analyze", "iris.csv", readFile(t, "testdata/iris.csv"))
	require.Equal(t, http.StatusCreated, status, "%s", b)
	var d DatasetDetail
	require.NoError(t, jsonUnmarshal(b, &d))
	long := RunRequest{DatasetID: d.DatasetID, Budget: "10m", Options: longRun}

	var r1, r2 RunResponse
	status, b = c.json(http.MethodPost, "/pipeline/run", long, &r1)
	require.Equal(t, http.StatusAccepted, status, "%s", b)
	c.waitState(r1.JobID, 20*time.Second, func(s JobState) bool { return s == JobRunning })
	status, b = c.json(http.MethodPost, "/pipeline/run", long, &r2)
	require.Equal(t, http.StatusAccepted, status, "%s", b)
	assert.Equal(t, JobQueued, r2.Job.State)
	status, b = c.json(http.MethodPost, "/pipeline/run", long, nil)
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.Equal(t, CodeQueueFull, errCode(t, b))

	// The dataset is in use.
	status, b = c.json(http.MethodDelete, "/datasets/"+d.DatasetID, nil, nil)
	assert.Equal(t, http.StatusConflict, status)
	assert.Equal(t, CodeConflict, errCode(t, b))

	var got Job
	status, b = c.json(http.MethodPost, "/pipeline/cancel/"+r2.JobID, nil, &got)
	require.Equal(t, http.StatusOK, status, "%s", b)
	assert.Equal(t, JobCancelled, got.State)

	status, b = c.json(http.MethodPost, "/pipeline/cancel/"+r1.JobID, nil, nil)
	require.Equal(t, http.StatusOK, status, "%s", b)
	got = c.waitState(r1.JobID, 5*time.Second, JobState.Final)
	assert.Equal(t, JobCancelled, got.State)

	status, b = c.json(http.MethodPost, "/pipeline/cancel/"+r1.JobID, nil, nil)
	assert.Equal(t, http.StatusConflict, status)
	assert.Equal(t, CodeConflict, errCode(t, b))

	var jobs JobList
	c.json(http.MethodGet, "/pipeline/jobs", nil, &jobs)
	states := []JobState{}
	for _, j := range jobs.Jobs {
		states = append(states, j.State)
	}
	assert.Equal(t, []JobState{JobCancelled, JobCancelled}, states)
	assert.True(t, slices.ContainsFunc(jobs.Jobs, func(j Job) bool { return j.ID == r1.JobID }))
}

// TestMountedUnderPrefix: the handler works under a prefix of another
// router, dashboard and API alike.
func TestMountedUnderPrefix(t *testing.T) {
	s, err := New(Options{DataDir: t.TempDir()})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("app")) })
	mux.Handle("/ml/", http.StripPrefix("/ml", s.Handler()))
	ts := httptest.NewServer(mux)
	defer ts.Close()
	defer s.Close()
	c := &client{t: t, base: ts.URL, hc: ts.Client()}

	status, b, _ := c.do(http.MethodGet, "/", nil, "")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "app", string(b))
	status, b, h := c.do(http.MethodGet, "/ml/", nil, "")
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, h.Get("Content-Type"), "text/html")
	assert.Contains(t, string(b), "<html")
	for _, path := range []string{"/ml/health", "/ml/openapi.json", "/ml/datasets"} {
		status, b, _ := c.do(http.MethodGet, path, nil, "")
		assert.Equal(t, http.StatusOK, status, "%s: %s", path, b)
	}
	c.base = ts.URL + "/ml"
	status, b = c.upload("/analyze", "iris.csv", readFile(t, "testdata/iris.csv"))
	assert.Equal(t, http.StatusCreated, status, "%s", b)
	status, b = c.json(http.MethodGet, "/nope", nil, nil)
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, CodeNotFound, errCode(t, b))
}
