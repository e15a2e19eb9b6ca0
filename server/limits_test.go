package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/internal/testtable"
	"github.com/automl-agent/automl/planner"
)

// TestTimeoutsAndBusy: with every prediction slot taken, a predict
// request waits until its timeout and answers busy; event streams have
// no timeout; requests are logged without their query strings.
func TestTimeoutsAndBusy(t *testing.T) {
	var logs testtable.SyncBuffer
	old := keepAlive
	keepAlive = 100 * time.Millisecond
	t.Cleanup(func() { keepAlive = old })
	srv := start(t, Options{DataDir: t.TempDir(), MaxPredictions: 1, RequestTimeout: 300 * time.Millisecond,
		Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	c := srv.c
	d, j, _ := trainIris(t, c)

	srv.s.predict <- struct{}{} // take the only slot
	t0 := time.Now()
	status, b := c.json(http.MethodPost, "/predict", PredictRequest{ModelID: j.ModelID, Records: irisRecords}, nil)
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Equal(t, CodeBusy, errCode(t, b))
	assert.Less(t, time.Since(t0), 3*time.Second)
	<-srv.s.predict
	status, b = c.json(http.MethodPost, "/predict", PredictRequest{ModelID: j.ModelID, Records: irisRecords}, nil)
	assert.Equal(t, http.StatusOK, status, "%s", b)

	// A stream outlives the request timeout: keep-alive comments keep
	// coming past it, until the job is cancelled.
	var run RunResponse
	status, b = c.json(http.MethodPost, "/pipeline/run", RunRequest{DatasetID: d.DatasetID, Budget: "10m", Options: longRun}, &run)
	require.Equal(t, http.StatusAccepted, status, "%s", b)
	resp, err := c.hc.Get(c.base + "/pipeline/events/" + run.JobID + "?access_token=ignored-without-a-token")
	require.NoError(t, err)
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	comments := 0
	t0 = time.Now()
	for sc.Scan() && time.Since(t0) < time.Second {
		if strings.HasPrefix(sc.Text(), ": keep-alive") {
			comments++
		}
	}
	assert.GreaterOrEqual(t, comments, 5, "keep-alive comments for a second")
	status, b = c.json(http.MethodPost, "/pipeline/cancel/"+run.JobID, nil, nil)
	require.Equal(t, http.StatusOK, status, "%s", b)
	for sc.Scan() { // the stream ends with the cancelled state
	}
	assert.Equal(t, JobCancelled, c.waitState(run.JobID, 5*time.Second, JobState.Final).State)

	log := logs.String()
	assert.Contains(t, log, `"msg":"request","method":"POST","path":"/predict","status":503`)
	assert.Contains(t, log, `"path":"/pipeline/events/`+run.JobID+`","status":200`)
	assert.NotContains(t, log, "access_token")
}

// TestFailedJob: a job whose data cannot be fitted ends failed with a
// message about the data, and no model.
func TestFailedJob(t *testing.T) {
	srv := start(t, Options{DataDir: t.TempDir()})
	c := srv.c
	status, b := c.upload("/analyze", "const.csv", []byte("a,b,c\n1,x,u\n2,x,v\n3,x,u\n4,x,v\n"))
	require.Equal(t, http.StatusCreated, status, "%s", b)
	var d DatasetDetail
	require.NoError(t, jsonUnmarshal(b, &d))
	assert.Equal(t, "c", d.Dataset.SuggestedTarget, "the constant column b is passed over")
	var run RunResponse
	status, b = c.json(http.MethodPost, "/pipeline/run", RunRequest{DatasetID: d.DatasetID, Target: "b", Budget: "5s"}, &run)
	require.Equal(t, http.StatusAccepted, status, "%s", b)
	j := c.waitState(run.JobID, 20*time.Second, JobState.Final)
	assert.Equal(t, JobFailed, j.State)
	assert.Contains(t, j.Message, "single value")
	assert.Empty(t, j.ModelID)
	var ms ModelList
	c.json(http.MethodGet, "/models", nil, &ms)
	assert.Empty(t, ms.Models)
}

// TestCloseLeavesNoGoroutines: after a job, a stream and a prediction,
// closing the server and its HTTP server leaves no goroutine behind.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	srv := start(t, Options{DataDir: t.TempDir(), Jobs: 2})
	_, j, _ := trainIris(t, srv.c)
	status, b := srv.c.json(http.MethodPost, "/predict", PredictRequest{ModelID: j.ModelID, Records: irisRecords}, nil)
	require.Equal(t, http.StatusOK, status, "%s", b)
	srv.stop()
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines before, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

// TestConcurrentPredictions: many clients at once through a small gate
// all get the same answer (run with -race).
func TestConcurrentPredictions(t *testing.T) {
	srv := start(t, Options{DataDir: t.TempDir(), MaxPredictions: 2})
	_, j, _ := trainIris(t, srv.c)
	req := PredictRequest{ModelID: j.ModelID, Records: irisRecords}
	status, want := srv.c.json(http.MethodPost, "/predict", req, nil)
	require.Equal(t, http.StatusOK, status, "%s", want)
	body, err := json.Marshal(req)
	require.NoError(t, err)
	const clients, calls = 16, 10
	errs := make([]error, clients)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for range calls {
				resp, err := srv.ts.Client().Post(srv.ts.URL+"/predict", "application/json", bytes.NewReader(body))
				if err != nil {
					errs[c] = err
					return
				}
				got, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK || !bytes.Equal(got, want) {
					errs[c] = fmt.Errorf("status %d, err %v, body %s", resp.StatusCode, err, got)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		assert.NoError(t, err)
	}
}

// TestPlanners: a run may ask for the uniform planner, or for the
// server's LLM planner, whose failure falls back to the heuristic; the
// model records which planner ran and why.
func TestPlanners(t *testing.T) {
	offline := planner.PlannerFunc(func(context.Context, *planner.Brief) (*planner.Plan, error) {
		return nil, errors.New("the LLM is offline")
	})
	srv := start(t, Options{DataDir: t.TempDir(), LLMPlanner: offline})
	c := srv.c
	status, b := c.upload("/analyze", "iris.csv", readFile(t, "testdata/iris.csv"))
	require.Equal(t, http.StatusCreated, status, "%s", b)
	var d DatasetDetail
	require.NoError(t, jsonUnmarshal(b, &d))
	for _, tc := range []struct{ ask, ran string }{{"uniform", "uniform"}, {"llm", "heuristic"}} {
		req := quickRun(d.DatasetID)
		req.Planner = tc.ask
		var run RunResponse
		status, b := c.json(http.MethodPost, "/pipeline/run", req, &run)
		require.Equal(t, http.StatusAccepted, status, "%s", b)
		j := c.waitState(run.JobID, 60*time.Second, JobState.Final)
		require.Equal(t, JobDone, j.State, j.Message)
		var md ModelDetail
		status, b = c.json(http.MethodGet, "/models/"+j.ModelID, nil, &md)
		require.Equal(t, http.StatusOK, status, "%s", b)
		require.NotNil(t, md.Planning)
		assert.Equal(t, tc.ran, md.Planning.Planner, tc.ask)
		if tc.ask == "llm" {
			require.NotEmpty(t, md.Planning.Fallbacks)
			assert.Contains(t, md.Planning.Fallbacks[0], "offline")
		}
	}
}
