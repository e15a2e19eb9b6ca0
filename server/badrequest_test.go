package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// storeState is what a bad request must leave untouched: the rows and
// the files.
type storeState struct {
	Datasets []Dataset
	Jobs     []Job
	Models   []Model
	Files    map[string][]string
}

func snapshot(t *testing.T, srv *testServer, dir string) storeState {
	t.Helper()
	ctx := t.Context()
	var st storeState
	var err error
	st.Datasets, err = srv.s.store.datasets(ctx)
	require.NoError(t, err)
	st.Jobs, err = srv.s.store.jobs(ctx)
	require.NoError(t, err)
	st.Models, err = srv.s.store.models(ctx)
	require.NoError(t, err)
	st.Files = map[string][]string{}
	for _, sub := range []string{"", "datasets", "models", "tmp"} {
		st.Files[sub] = dirFiles(t, filepath.Join(dir, sub))
	}
	// Nothing outside the data directory either.
	st.Files[".."] = dirFiles(t, filepath.Dir(dir))
	return st
}

// TestBadRequests sends each kind of bad request to a server holding a
// dataset and a model, and checks the status, the error code, and that
// the store and the data directory are as before.
func TestBadRequests(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "data")
	srv := start(t, Options{DataDir: dir, MaxUpload: 64 << 10, MaxPredictRows: 5})
	c := srv.c
	d, j, _ := trainIris(t, c)
	modelID, dsID := j.ModelID, d.DatasetID

	big := bytes.Repeat([]byte("1.0,2.0,3.0,4.0,a\n"), 8<<10) // 144 KiB
	big = append([]byte("a,b,c,d,e\n"), big...)
	badJSON := func(path, body string) func() (int, []byte) {
		return func() (int, []byte) {
			status, b, _ := c.do(http.MethodPost, path, strings.NewReader(body), "application/json")
			return status, b
		}
	}
	records := func(recs ...map[string]any) func() (int, []byte) {
		return func() (int, []byte) {
			return c.json(http.MethodPost, "/predict", PredictRequest{ModelID: modelID, Records: recs}, nil)
		}
	}
	get := func(path string) func() (int, []byte) {
		return func() (int, []byte) { s, b, _ := c.do(http.MethodGet, path, nil, ""); return s, b }
	}
	cases := []struct {
		name   string
		do     func() (int, []byte)
		status int
		code   string
	}{
		{"oversized upload", func() (int, []byte) { return c.upload("/analyze", "big.csv", big) }, http.StatusRequestEntityTooLarge, CodeTooLarge},
		{"oversized predict file", func() (int, []byte) { return c.upload("/predict", "big.csv", big, "model_id", modelID) }, http.StatusRequestEntityTooLarge, CodeTooLarge},
		{"oversized JSON", badJSON("/predict", `{"model_id":"`+strings.Repeat("a", 70<<10)+`"}`), http.StatusRequestEntityTooLarge, CodeTooLarge},
		{"corrupt parquet", func() (int, []byte) { return c.upload("/analyze", "x.parquet", []byte("PAR1 this is not parquet")) }, http.StatusBadRequest, CodeInvalidDataset},
		{"corrupt arrow", func() (int, []byte) { return c.upload("/analyze", "x.arrow", []byte{0xff, 0xff, 0xff, 0xff, 1, 2, 3}) }, http.StatusBadRequest, CodeInvalidDataset},
		{"corrupt gzip", func() (int, []byte) { return c.upload("/analyze", "x.csv.gz", []byte("not gzip")) }, http.StatusBadRequest, CodeInvalidDataset},
		{"ragged csv", func() (int, []byte) { return c.upload("/analyze", "x.csv", []byte("a,b\n1,2\n3\n4,5,6\n")) }, http.StatusBadRequest, CodeInvalidDataset},
		{"empty csv", func() (int, []byte) { return c.upload("/analyze", "x.csv", []byte("")) }, http.StatusBadRequest, CodeInvalidDataset},
		{"unsupported extension", func() (int, []byte) { return c.upload("/analyze", "x.exe", []byte("MZ")) }, http.StatusBadRequest, CodeUnsupportedFormat},
		{"traversal with unsupported extension", func() (int, []byte) { return c.upload("/analyze", "../../automl.db", []byte("x")) }, http.StatusBadRequest, CodeUnsupportedFormat},
		{"not multipart", badJSON("/analyze", `{}`), http.StatusBadRequest, CodeBadRequest},
		{"no file field", func() (int, []byte) {
			var buf bytes.Buffer
			buf.WriteString("--XX\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nv\r\n--XX--\r\n")
			s, b, _ := c.do(http.MethodPost, "/analyze", &buf, "multipart/form-data; boundary=XX")
			return s, b
		}, http.StatusBadRequest, CodeBadRequest},
		{"truncated multipart", func() (int, []byte) {
			s, b, _ := c.do(http.MethodPost, "/analyze", strings.NewReader("--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\na,b\n1,2"), "multipart/form-data; boundary=XX")
			return s, b
		}, http.StatusBadRequest, CodeBadRequest},
		{"unknown dataset", get("/datasets/0123456789abcdef"), http.StatusNotFound, CodeNotFound},
		{"malformed dataset id", get("/datasets/not-an-id"), http.StatusNotFound, CodeNotFound},
		{"dot-dot dataset id", get("/datasets/..%2f..%2fautoml.db"), http.StatusNotFound, CodeNotFound},
		{"unknown job status", get("/pipeline/status/0123456789abcdef"), http.StatusNotFound, CodeNotFound},
		{"unknown job events", get("/pipeline/events/0123456789abcdef"), http.StatusNotFound, CodeNotFound},
		{"unknown job cancel", badJSON("/pipeline/cancel/0123456789abcdef", ""), http.StatusNotFound, CodeNotFound},
		{"unknown model", get("/models/0123456789abcdef"), http.StatusNotFound, CodeNotFound},
		{"unknown model download", get("/models/0123456789abcdef/download"), http.StatusNotFound, CodeNotFound},
		{"model id with a path", get("/models/%2e%2e%2fautoml.db/download"), http.StatusNotFound, CodeNotFound},
		{"unknown route", get("/nope"), http.StatusNotFound, CodeNotFound},
		{"wrong method", func() (int, []byte) { s, b, _ := c.do(http.MethodPut, "/models", nil, ""); return s, b }, http.StatusMethodNotAllowed, CodeMethodNotAllowed},
		{"malformed run JSON", badJSON("/pipeline/run", `{"dataset_id": `), http.StatusBadRequest, CodeInvalidJSON},
		{"run JSON with a wrong type", badJSON("/pipeline/run", `{"dataset_id": 5}`), http.StatusBadRequest, CodeInvalidJSON},
		{"run JSON with an unknown field", badJSON("/pipeline/run", `{"dataset_id": "`+dsID+`", "budgets": "5s"}`), http.StatusBadRequest, CodeInvalidJSON},
		{"run JSON with trailing data", badJSON("/pipeline/run", `{"dataset_id": "`+dsID+`"} {}`), http.StatusBadRequest, CodeInvalidJSON},
		{"run without dataset", badJSON("/pipeline/run", `{}`), http.StatusBadRequest, CodeBadRequest},
		{"run on an unknown dataset", badJSON("/pipeline/run", `{"dataset_id": "0123456789abcdef"}`), http.StatusNotFound, CodeNotFound},
		{"run on a path", badJSON("/pipeline/run", `{"dataset_id": "../automl.db"}`), http.StatusNotFound, CodeNotFound},
		{"run with an unknown target", badJSON("/pipeline/run", `{"dataset_id": "`+dsID+`", "target": "nope"}`), http.StatusBadRequest, CodeBadRequest},
		{"run with a bad budget", badJSON("/pipeline/run", `{"dataset_id": "`+dsID+`", "budget": "soon"}`), http.StatusBadRequest, CodeBadRequest},
		{"run with a huge budget", badJSON("/pipeline/run", `{"dataset_id": "`+dsID+`", "budget": "100h"}`), http.StatusBadRequest, CodeBadRequest},
		{"run with an unknown metric", badJSON("/pipeline/run", `{"dataset_id": "`+dsID+`", "metric": "vibes"}`), http.StatusBadRequest, CodeBadRequest},
		{"run with an unknown planner", badJSON("/pipeline/run", `{"dataset_id": "`+dsID+`", "planner": "oracle"}`), http.StatusBadRequest, CodeBadRequest},
		{"run with an unknown model", badJSON("/pipeline/run", `{"dataset_id": "`+dsID+`", "options": {"include": ["gbdt", "deep_magic"]}}`), http.StatusBadRequest, CodeBadRequest},
		{"run with an unconfigured LLM planner", badJSON("/pipeline/run", `{"dataset_id": "`+dsID+`", "planner": "llm"}`), http.StatusBadRequest, CodeBadRequest},
		{"run with a bad task", badJSON("/pipeline/run", `{"dataset_id": "`+dsID+`", "options": {"task": "ranking"}}`), http.StatusBadRequest, CodeBadRequest},
		{"malformed predict JSON", badJSON("/predict", `{"model_id": "`+modelID+`", "records": [{]}`), http.StatusBadRequest, CodeInvalidJSON},
		{"predict records not objects", badJSON("/predict", `{"model_id": "`+modelID+`", "records": [1, 2]}`), http.StatusBadRequest, CodeInvalidJSON},
		{"predict without model", badJSON("/predict", `{"records": [{"Sepal.Length": 1}]}`), http.StatusBadRequest, CodeBadRequest},
		{"predict with an unknown model", badJSON("/predict", `{"model_id": "0123456789abcdef", "records": [{"Sepal.Length": 1}]}`), http.StatusNotFound, CodeNotFound},
		{"predict without records", records(), http.StatusBadRequest, CodeBadRequest},
		{"predict too many records", records(irisRecords[0], irisRecords[0], irisRecords[0], irisRecords[0], irisRecords[0], irisRecords[0]), http.StatusBadRequest, CodeTooManyRows},
		{"predict unknown columns", records(map[string]any{"sepal_length": 5.1, "petal_width": 0.2}), http.StatusBadRequest, CodeInvalidColumns},
		{"predict one unknown column", records(irisRecords[0], map[string]any{"Sepal.Length": 5.1, "colour": "blue"}), http.StatusBadRequest, CodeInvalidColumns},
		{"predict only the target", records(map[string]any{"Species": "setosa"}), http.StatusBadRequest, CodeInvalidColumns},
		{"predict a nested value", records(map[string]any{"Sepal.Length": map[string]any{"x": 1}}), http.StatusBadRequest, CodeBadRequest},
		{"predict file with wrong columns", func() (int, []byte) {
			return c.upload("/predict", "x.csv", []byte("a,b\n1,2\n"), "model_id", modelID)
		}, http.StatusBadRequest, CodeInvalidColumns},
		{"predict file with too many rows", func() (int, []byte) {
			return c.upload("/predict", "iris.csv", readFile(t, "testdata/iris.csv"), "model_id", modelID)
		}, http.StatusBadRequest, CodeTooManyRows},
		{"predict file without model", func() (int, []byte) { return c.upload("/predict", "iris.csv", []byte("a\n1\n")) }, http.StatusBadRequest, CodeBadRequest},
	}
	before := snapshot(t, srv, dir)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, b := tc.do()
			assert.Equal(t, tc.status, status, "%s", b)
			assert.Equal(t, tc.code, errCode(t, b), "%s", b)
			assert.NotContains(t, string(b), dir, "the message shows a server path")
			assert.Equal(t, before, snapshot(t, srv, dir), "the store or the files changed")
		})
	}

	// A file name with directories is stored under the dataset's id; the
	// name is kept for display only.
	for _, name := range []string{"../../evil.csv", `..\..\evil.csv`, "/etc/evil.csv"} {
		status, b := c.upload("/analyze", name, []byte("x,y\n1,a\n2,b\n3,a\n4,b\n"))
		require.Equal(t, http.StatusCreated, status, "%s", b)
		var got DatasetDetail
		require.NoError(t, json.Unmarshal(b, &got))
		assert.Equal(t, "evil.csv", got.Dataset.Name)
		assert.FileExists(t, filepath.Join(dir, "datasets", got.DatasetID+".csv"))
	}
	assert.NoFileExists(t, filepath.Join(root, "evil.csv"))
	assert.NoFileExists(t, filepath.Join(dir, "evil.csv"))
	_, err := os.Stat("/etc/evil.csv")
	assert.True(t, os.IsNotExist(err))

	// After all that, the model still predicts.
	status, b := c.json(http.MethodPost, "/predict", PredictRequest{ModelID: modelID, Records: irisRecords}, nil)
	assert.Equal(t, http.StatusOK, status, "%s", b)
}

// TestToken: with a token, everything but /health, the dashboard and
// the docs needs it; GET requests may pass it as access_token.
func TestToken(t *testing.T) {
	dir := t.TempDir()
	srv := start(t, Options{DataDir: dir, Token: "s3cret"})
	anon := &client{t: t, base: srv.ts.URL, hc: srv.ts.Client()}
	wrong := &client{t: t, base: srv.ts.URL, token: "guess", hc: srv.ts.Client()}
	before := snapshot(t, srv, dir)
	for _, c := range []*client{anon, wrong} {
		for _, rq := range [][2]string{{"GET", "/datasets"}, {"GET", "/ready"}, {"GET", "/models"}, {"GET", "/pipeline/jobs"},
			{"POST", "/predict"}, {"POST", "/pipeline/run"}, {"DELETE", "/datasets/0123456789abcdef"}, {"GET", "/pipeline/events/0123456789abcdef"}} {
			status, b, h := c.do(rq[0], rq[1], strings.NewReader("{}"), "application/json")
			assert.Equal(t, http.StatusUnauthorized, status, "%s %s", rq[0], rq[1])
			assert.Equal(t, CodeUnauthorized, errCode(t, b))
			assert.Contains(t, h.Get("WWW-Authenticate"), "Bearer")
		}
		status, b := c.upload("/analyze", "iris.csv", readFile(t, "testdata/iris.csv"))
		assert.Equal(t, http.StatusUnauthorized, status)
		assert.Equal(t, CodeUnauthorized, errCode(t, b))
	}
	assert.Equal(t, before, snapshot(t, srv, dir))
	for _, path := range []string{"/health", "/", "/openapi.json", "/docs"} {
		status, _, _ := anon.do(http.MethodGet, path, nil, "")
		assert.Equal(t, http.StatusOK, status, path)
	}
	status, _, _ := srv.c.do(http.MethodGet, "/datasets", nil, "")
	assert.Equal(t, http.StatusOK, status)
	status, _, _ = anon.do(http.MethodGet, "/datasets?access_token=s3cret", nil, "")
	assert.Equal(t, http.StatusOK, status)
	status, _, _ = anon.do(http.MethodGet, "/datasets?access_token=guess", nil, "")
	assert.Equal(t, http.StatusUnauthorized, status)
	status, _, _ = anon.do(http.MethodPost, "/pipeline/run?access_token=s3cret", strings.NewReader("{}"), "application/json")
	assert.Equal(t, http.StatusUnauthorized, status, "access_token is for GET only")
}

// TestCORS: allowed origins get the headers and preflight answers;
// others get neither.
func TestCORS(t *testing.T) {
	srv := start(t, Options{DataDir: t.TempDir(), CORSOrigins: []string{"http://localhost:5173"}})
	c := srv.c
	status, _, h := c.do(http.MethodOptions, "/pipeline/run", nil, "", "Origin", "http://localhost:5173",
		"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization,content-type")
	assert.Equal(t, http.StatusNoContent, status)
	assert.Equal(t, "http://localhost:5173", h.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, h.Get("Access-Control-Allow-Methods"), "POST")
	assert.Contains(t, strings.ToLower(h.Get("Access-Control-Allow-Headers")), "authorization")

	status, _, h = c.do(http.MethodGet, "/datasets", nil, "", "Origin", "http://localhost:5173")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "http://localhost:5173", h.Get("Access-Control-Allow-Origin"))

	status, _, h = c.do(http.MethodOptions, "/pipeline/run", nil, "", "Origin", "http://evil.example",
		"Access-Control-Request-Method", "POST")
	assert.Equal(t, http.StatusNoContent, status)
	assert.Empty(t, h.Get("Access-Control-Allow-Origin"))
	assert.Empty(t, h.Get("Access-Control-Allow-Methods"))
	_, _, h = c.do(http.MethodGet, "/datasets", nil, "", "Origin", "http://evil.example")
	assert.Empty(t, h.Get("Access-Control-Allow-Origin"))
}

// TestPanicIsInternalError: a panicking handler answers a 500 JSON error
// that says nothing of the panic.
func TestPanicIsInternalError(t *testing.T) {
	srv := start(t, Options{DataDir: t.TempDir()})
	h := srv.s.recoverAndLog(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("secret detail") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x", nil))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Equal(t, CodeInternal, errCode(t, rec.Body.Bytes()))
	assert.NotContains(t, rec.Body.String(), "secret")
}

// TestNewErrors: New refuses options it cannot use.
func TestNewErrors(t *testing.T) {
	_, err := New(Options{})
	assert.ErrorIs(t, err, ErrOptions)
	_, err = New(Options{DataDir: t.TempDir(), DefaultBudget: 2 * 3600e9, MaxBudget: 3600e9})
	assert.ErrorIs(t, err, ErrOptions)
}
