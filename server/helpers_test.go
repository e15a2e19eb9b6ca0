package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testServer is a Server behind a real loopback HTTP server.
type testServer struct {
	s  *Server
	ts *httptest.Server
	c  *client
}

// start opens a Server on o and serves it on loopback; both are closed
// when the test ends (or earlier by stop).
func start(t testing.TB, o Options) *testServer {
	t.Helper()
	s, err := New(o)
	require.NoError(t, err)
	ts := httptest.NewServer(s.Handler())
	srv := &testServer{s: s, ts: ts, c: &client{t: t, base: ts.URL, token: o.Token, hc: ts.Client()}}
	t.Cleanup(srv.stop)
	return srv
}

// stop closes the Server, then the HTTP server (idempotent), in the
// order an embedder should: Close ends the event streams that the HTTP
// server's Close would otherwise wait for.
func (srv *testServer) stop() {
	srv.s.Close()
	srv.ts.Close()
}

// client calls the service.
type client struct {
	t     testing.TB
	base  string
	token string
	hc    *http.Client
}

// do sends a request and returns the status, body and headers.
func (c *client) do(method, path string, body io.Reader, ctype string, hdr ...string) (int, []byte, http.Header) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	require.NoError(c.t, err)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.hc.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	return resp.StatusCode, b, resp.Header
}

// json sends in (if not nil) as JSON and decodes a 2xx body into out (if
// not nil); it returns the status and the raw body.
func (c *client) json(method, path string, in, out any) (int, []byte) {
	c.t.Helper()
	var body io.Reader
	ctype := ""
	if in != nil {
		b, err := json.Marshal(in)
		require.NoError(c.t, err)
		body, ctype = bytes.NewReader(b), "application/json"
	}
	status, b, _ := c.do(method, path, body, ctype)
	if out != nil && status/100 == 2 {
		require.NoError(c.t, json.Unmarshal(b, out), "%s", b)
	}
	return status, b
}

// upload posts a multipart form with fields (in order) and a file field.
func (c *client) upload(path, name string, data []byte, fields ...string) (int, []byte) {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for i := 0; i+1 < len(fields); i += 2 {
		require.NoError(c.t, mw.WriteField(fields[i], fields[i+1]))
	}
	fw, err := mw.CreateFormFile("file", name)
	require.NoError(c.t, err)
	_, err = fw.Write(data)
	require.NoError(c.t, err)
	require.NoError(c.t, mw.Close())
	status, b, _ := c.do(http.MethodPost, path, &buf, mw.FormDataContentType())
	return status, b
}

// errCode returns the error code of an error body ("" if it is not one).
func errCode(t testing.TB, b []byte) string {
	t.Helper()
	var e ErrorResponse
	require.NoError(t, json.Unmarshal(b, &e), "not JSON: %s", b)
	require.NotEmpty(t, e.Error.Message, "error without a message: %s", b)
	return e.Error.Code
}

// readFile reads a test fixture.
func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	return b
}

// sseEvent is one parsed server-sent event.
type sseEvent struct {
	id    int64
	event string
	data  JobEvent
}

// readSSE reads events from an event stream until it ends.
func readSSE(t testing.TB, r io.Reader) ([]sseEvent, int) {
	t.Helper()
	var out []sseEvent
	var cur sseEvent
	comments := 0
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.event != "" {
				out = append(out, cur)
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, ":"):
			comments++
		case strings.HasPrefix(line, "id: "):
			id, err := strconv.ParseInt(strings.TrimPrefix(line, "id: "), 10, 64)
			require.NoError(t, err)
			cur.id = id
		case strings.HasPrefix(line, "event: "):
			cur.event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &cur.data))
		}
	}
	return out, comments
}

// waitState polls a job until its state satisfies ok or the timeout.
func (c *client) waitState(id string, timeout time.Duration, ok func(JobState) bool) Job {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var j Job
		status, b := c.json(http.MethodGet, "/pipeline/status/"+id, nil, &j)
		require.Equal(c.t, http.StatusOK, status, "%s", b)
		if ok(j.State) || time.Now().After(deadline) {
			return j
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }

// dirFiles lists the names in dir.
func dirFiles(t testing.TB, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// longRun keeps a job on a small table busy until it is cancelled or its
// budget ends: below 2,000 rows the search stops after its portfolio
// (a second on iris) unless tuning is asked for.
var longRun = &RunOptions{MaxTunedPerModel: 100_000}
