// Command embed mounts the automl service under /ml/ of an existing
// http.ServeMux, then acts as its own client: it uploads the bundled iris
// table, runs a five-second search, waits for the model, predicts two
// rows, prints what it got and exits.
//
//	go run ./examples/embed            # data in a temporary directory
//	go run ./examples/embed -keep DIR  # keep the data (and serve it later with automl serve --data-dir DIR)
//
// The dashboard is at /ml/ of the same server while it runs.
package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/automl-agent/automl/server"
)

// iris.csv is R's datasets::iris, as in examples/quickstart (see its DATA.md).
//
//go:embed iris.csv
var irisCSV []byte

func main() {
	keep := flag.String("keep", "", "data directory to keep (default: a temporary one, removed at exit)")
	flag.Parse()
	if err := run(context.Background(), *keep); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, dataDir string) error {
	if dataDir == "" {
		tmp, err := os.MkdirTemp("", "automl-embed-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dataDir = tmp
	}

	// The service, mounted under /ml/ beside the application's own routes.
	ml, err := server.New(server.Options{DataDir: dataDir, Jobs: 1})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "the application's own home page; the ML service is at /ml/")
	})
	mux.Handle("/ml/", http.StripPrefix("/ml", ml.Handler()))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ml.Close()
		return err
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer func() {
		ml.Close() // first: it ends the jobs and their event streams
		hs.Shutdown(context.Background())
	}()
	base := "http://" + ln.Addr().String() + "/ml"
	fmt.Println("serving on", base+"/")

	// Upload and profile.
	var d server.DatasetDetail
	if err := upload(ctx, base+"/analyze", "iris.csv", irisCSV, &d); err != nil {
		return err
	}
	fmt.Printf("dataset %s: %d rows, %d columns, suggested target %q (%s)\n",
		d.DatasetID, d.Dataset.Rows, d.Dataset.Cols, d.Dataset.SuggestedTarget, d.Dataset.SuggestedTask)

	// Run a five-second search.
	var run server.RunResponse
	if err := call(ctx, http.MethodPost, base+"/pipeline/run", server.RunRequest{DatasetID: d.DatasetID, Budget: "5s", Seed: 1}, &run); err != nil {
		return err
	}
	fmt.Println("job", run.JobID, run.Job.State)
	var job server.Job
	for {
		if err := call(ctx, http.MethodGet, base+"/pipeline/status/"+run.JobID, nil, &job); err != nil {
			return err
		}
		if job.State.Final() {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if job.State != server.JobDone {
		return fmt.Errorf("job %s ended %s: %s", job.ID, job.State, job.Message)
	}
	fmt.Printf("job %s: %d trials, best %s %.4f, model %s\n", job.State, job.Progress.TrialsDone,
		job.Metric, *job.Progress.BestScore, job.ModelID)

	// Predict two rows.
	req := server.PredictRequest{ModelID: job.ModelID, Records: []map[string]any{
		{"Sepal.Length": 5.0, "Sepal.Width": 3.4, "Petal.Length": 1.5, "Petal.Width": 0.2},
		{"Sepal.Length": 6.7, "Sepal.Width": 3.0, "Petal.Length": 5.2, "Petal.Width": 2.3},
	}}
	var pr server.PredictResponse
	if err := call(ctx, http.MethodPost, base+"/predict", req, &pr); err != nil {
		return err
	}
	for i, p := range pr.Predictions {
		fmt.Printf("row %d: %v  (P = %.3f)\n", i, p, maxOf(pr.Probabilities[i]))
	}
	return nil
}

// call sends in as JSON (when not nil) and decodes the JSON answer into
// out; an error answer becomes an error with its code and message.
func call(ctx context.Context, method, url string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return do(req, out)
}

// upload posts data as the multipart field "file".
func upload(ctx context.Context, url, name string, data []byte, out any) error {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		return err
	}
	fw.Write(data)
	mw.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, &buf)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return do(req, out)
}

func do(req *http.Request, out any) error {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		var e server.ErrorResponse
		json.NewDecoder(resp.Body).Decode(&e)
		return fmt.Errorf("%s %s: %d %s: %s", req.Method, req.URL.Path, resp.StatusCode, e.Error.Code, e.Error.Message)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func maxOf(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}
