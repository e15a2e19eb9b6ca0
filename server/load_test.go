package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/dataset"
)

// The load test: 50 clients predicting one record at a time against one
// predictor, a blend of boosted trees and forests fitted on a
// titanic-shaped table (numbers, categories, missing values).
//
//	AUTOML_LATENCY=1 go test ./server -run TestPredictLatency -v   # library level
//	go test ./server -run '^$' -bench PredictConcurrent   # through HTTP

const loadClients = 50

// loadRows is the training table's size, the Titanic's.
const loadRows = 891

// titanicCSV returns a synthetic table shaped like the Titanic passenger
// list, with a survived target that depends on sex, class, age and fare.
func titanicCSV(n int, seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 11))
	var b strings.Builder
	b.WriteString("pclass,sex,age,sibsp,parch,fare,embarked,survived\n")
	for range n {
		pclass := 1 + rng.IntN(3)
		sex := []string{"male", "female"}[rng.IntN(2)]
		age := ""
		a := 2 + rng.Float64()*70
		if rng.Float64() > 0.2 {
			age = fmt.Sprintf("%.0f", a)
		}
		sibsp, parch := rng.IntN(4), rng.IntN(3)
		fare := math.Exp(rng.NormFloat64()*0.8+3.5-0.6*float64(pclass-1)) + 5
		embarked := []string{"S", "C", "Q", ""}[rng.IntN(4)]
		logit := -1.0 + 2.4*b2f(sex == "female") - 0.8*float64(pclass-1) - 0.02*(a-30) + 0.004*fare - 0.3*float64(sibsp)
		survived := b2f(rng.Float64() < 1/(1+math.Exp(-logit)))
		fmt.Fprintf(&b, "%d,%s,%s,%d,%d,%.2f,%s,%.0f\n", pclass, sex, age, sibsp, parch, fare, embarked, survived)
	}
	return b.String()
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// loadRecord is one passenger to predict.
var loadRecord = map[string]any{"pclass": 3.0, "sex": "male", "age": 22.0, "sibsp": 1.0, "parch": 0.0, "fare": 7.25, "embarked": "S"}

// loadModel fits the load test's predictor once per process.
var loadModel = sync.OnceValues(func() (*automl.Result, error) {
	f, err := dataset.ReadCSV(context.Background(), strings.NewReader(titanicCSV(loadRows, 1)), dataset.CSVOptions{})
	if err != nil {
		return nil, err
	}
	defer f.Release()
	// No time budget: the trial count alone ends the search, so the
	// predictor is the same however busy the machine is.
	return automl.New(automl.Options{
		Seed: 1, MaxTrials: 10, DisableImportance: true,
		Include: []string{"gbdt", "random_forest", "extra_trees"},
	}).Fit(context.Background(), f, "survived")
})

// latencies summarises a load run.
type latencies struct {
	n                   int
	mean, p50, p99, max time.Duration
	perSecond           float64
}

func (l latencies) String() string {
	return fmt.Sprintf("%d calls, %.0f/s, mean %v, p50 %v, p99 %v, max %v (p99/mean %.2f)",
		l.n, l.perSecond, l.mean.Round(time.Microsecond), l.p50.Round(time.Microsecond),
		l.p99.Round(time.Microsecond), l.max.Round(time.Microsecond), float64(l.p99)/float64(l.mean))
}

// hammer runs call from clients goroutines, each calling it calls times
// in a closed loop, and returns the latencies and the first error.
func hammer(clients, calls int, call func() error) (latencies, error) {
	all := make([][]time.Duration, clients)
	errs := make([]error, clients)
	var wg sync.WaitGroup
	t0 := time.Now()
	for c := range clients {
		wg.Go(func() {
			ds := make([]time.Duration, 0, calls)
			for range calls {
				s := time.Now()
				if err := call(); err != nil {
					errs[c] = err
					return
				}
				ds = append(ds, time.Since(s))
			}
			all[c] = ds
		})
	}
	wg.Wait()
	wall := time.Since(t0)
	var ds []time.Duration
	for _, d := range all {
		ds = append(ds, d...)
	}
	for _, err := range errs {
		if err != nil {
			return latencies{}, err
		}
	}
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	n := len(ds)
	return latencies{
		n: n, mean: sum / time.Duration(n), p50: ds[n/2], p99: ds[n*99/100], max: ds[n-1],
		perSecond: float64(n) / wall.Seconds(),
	}, nil
}

// TestPredictLatency measures, at the library level, 50 goroutines
// predicting one record each through the server's prediction gate
// (Options.MaxPredictions slots), and checks that the tail stays within
// 3x of the mean (the mean is 50/throughput in a closed loop): nobody
// waits long behind other callers. The same without the gate is logged
// for comparison. On a shared machine other processes stretch the tail,
// so the check passes if one of three rounds meets it, and it runs only
// when AUTOML_LATENCY is set (on a machine with other heavy processes even
// one client sees p99 at 10x its mean):
//
//	AUTOML_LATENCY=1 go test ./server -run TestPredictLatency -v
func TestPredictLatency(t *testing.T) {
	if testing.Short() || raceEnabled || os.Getenv("AUTOML_LATENCY") == "" {
		t.Skip("a latency measurement: set AUTOML_LATENCY=1 to run it")
	}
	res, err := loadModel()
	require.NoError(t, err)
	p := res.Predictor
	var file bytes.Buffer
	require.NoError(t, p.Save(&file))
	t.Logf("predictor: %s, %.1f MB", p, float64(file.Len())/1e6)
	recs := []map[string]any{loadRecord}
	predict := func() error {
		_, err := p.PredictRecords(context.Background(), recs)
		return err
	}
	_, err = hammer(4, 50, predict) // warm up
	require.NoError(t, err)

	one, err := hammer(1, 2000, predict)
	require.NoError(t, err)
	t.Logf("1 client:                 %s", one)

	free, err := hammer(loadClients, 400, predict)
	require.NoError(t, err)
	t.Logf("%d clients, no gate:    %s", loadClients, free)

	gate := make(chan struct{}, 2*runtime.GOMAXPROCS(0))
	var best latencies
	for round := range 3 {
		gated, err := hammer(loadClients, 400, func() error {
			gate <- struct{}{}
			defer func() { <-gate }()
			return predict()
		})
		require.NoError(t, err)
		t.Logf("%d clients, gate of %d: %s", loadClients, cap(gate), gated)
		if round == 0 || float64(gated.p99)/float64(gated.mean) < float64(best.p99)/float64(best.mean) {
			best = gated
		}
		if best.p99 <= 3*best.mean {
			break
		}
	}
	assert.LessOrEqual(t, best.p99, 3*best.mean, "p99 within 3x of the mean with the gate")
}

// BenchmarkPredictConcurrent: 50 clients POST /predict with one record
// each, over real HTTP on loopback, against one model; it reports the
// latency percentiles and the throughput. Every request must succeed.
func BenchmarkPredictConcurrent(b *testing.B) {
	res, err := loadModel()
	require.NoError(b, err)
	srv := start(b, Options{DataDir: b.TempDir()})
	id := newID()
	file := id + ".automl"
	size, err := savePredictor(filepath.Join(srv.s.dirs.models, file), srv.s.dirs.tmp, res.Predictor)
	require.NoError(b, err)
	require.NoError(b, srv.s.store.insertModel(b.Context(), modelRow{
		Detail: modelDetail(id, Job{ID: newID()}, res, size), File: file}))

	body, err := json.Marshal(PredictRequest{ModelID: id, Records: []map[string]any{loadRecord}})
	require.NoError(b, err)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * loadClients}}
	defer hc.CloseIdleConnections()
	predict := func() error {
		resp, err := hc.Post(srv.ts.URL+"/predict", "application/json", bytes.NewReader(body))
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var pr PredictResponse
		if err := json.NewDecoder(resp.Body).Decode(&pr); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK || len(pr.Predictions) != 1 {
			return fmt.Errorf("status %d, %d predictions", resp.StatusCode, len(pr.Predictions))
		}
		return nil
	}
	_, err = hammer(4, 50, predict) // warm up: load the model, open connections
	require.NoError(b, err)
	b.ReportAllocs()
	b.ResetTimer()
	var l latencies
	for b.Loop() {
		if l, err = hammer(loadClients, 100, predict); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(l.p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(l.p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(l.max.Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(l.mean.Microseconds())/1000, "mean-ms")
	b.ReportMetric(l.perSecond, "req/s")
	if os.Getenv("AUTOML_LOAD_LOG") != "" {
		b.Logf("%d clients over HTTP: %s", loadClients, l)
	}
}
