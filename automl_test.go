package automl_test

import (
	"bytes"
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/evaluate"
	"github.com/automl-agent/automl/internal/testtable"
	"github.com/automl-agent/automl/models"
)

// The synthetic table and helpers shared with the server and temporal
// tests (internal/testtable).
var (
	synthCSV        = testtable.CSV
	readCSV         = testtable.Read
	leaderboardJSON = testtable.LeaderboardJSON
)

func TestFitPredictSaveLoad(t *testing.T) {
	for _, kind := range []string{"binary", "multiclass", "regression"} {
		t.Run(kind, func(t *testing.T) {
			train := readCSV(t, synthCSV(400, kind, 1))
			defer train.Release()
			test := readCSV(t, synthCSV(200, kind, 2))
			defer test.Release()

			res, err := automl.New(automl.Options{MaxTrials: 12, Seed: 3}).Fit(t.Context(), train, "target")
			require.NoError(t, err)
			require.NotNil(t, res.Predictor)
			assert.Equal(t, dataset.Task(kind), res.Profile.Task)
			best, ok := res.Leaderboard.Best()
			require.True(t, ok)
			assert.Equal(t, "ok", best.Status)
			assert.NotEmpty(t, res.Importance)

			preds, err := res.Predictor.Predict(t.Context(), test)
			require.NoError(t, err)
			require.Len(t, preds.Values, 200)

			// The saved predictor predicts bit-identically.
			var buf bytes.Buffer
			require.NoError(t, res.Predictor.Save(&buf))
			loaded, err := automl.Load(bytes.NewReader(buf.Bytes()))
			require.NoError(t, err)
			again, err := loaded.Predict(t.Context(), test)
			require.NoError(t, err)
			assert.Equal(t, preds, again)

			// And it clearly beats the baseline on held-out rows.
			truth := test.Column(test.ColumnIndex("target"))
			if kind == "regression" {
				y, err := dataset.Floats(truth)
				require.NoError(t, err)
				r2, err := evaluate.R2{}.Score(y, preds.Values, 0, nil)
				require.NoError(t, err)
				assert.Greater(t, r2, 0.8, "held-out R²")
			} else {
				labels, _ := dataset.Strings(truth)
				right := 0
				for i, l := range preds.Labels {
					if l == labels[i] {
						right++
					}
				}
				assert.Greater(t, float64(right)/200, 0.75, "held-out accuracy")
				for i := range 200 {
					var s float64
					for c := range preds.Classes {
						s += preds.Proba[i*len(preds.Classes)+c]
					}
					assert.InDelta(t, 1, s, 1e-9)
				}
			}
		})
	}
}

func TestDeterministicAcrossParallelism(t *testing.T) {
	train := readCSV(t, synthCSV(200, "binary", 5))
	defer train.Release()
	var got []string
	for _, par := range []int{1, 8} {
		opts := automl.Options{MaxTrials: 24, Seed: 11, Parallelism: par, MaxTunedPerModel: 8, Include: []string{"logistic", "gbdt", "random_forest", "knn"}}
		res, err := automl.New(opts).Fit(t.Context(), train, "target")
		require.NoError(t, err)
		got = append(got, leaderboardJSON(t, res.Leaderboard))
	}
	assert.Equal(t, got[0], got[1])
	assert.Contains(t, got[0], `"tuned"`, "the run reached the tuning phase")
}

func TestTimeBudgetIsHard(t *testing.T) {
	if testing.Short() {
		t.Skip("takes a few seconds")
	}
	train := readCSV(t, synthCSV(3000, "multiclass", 9))
	defer train.Release()
	before := runtime.NumGoroutine()
	budget := 3 * time.Second
	start := time.Now()
	res, err := automl.New(automl.Options{TimeBudget: budget, Seed: 1}).Fit(t.Context(), train, "target")
	took := time.Since(start)
	require.NoError(t, err)
	require.NotNil(t, res.Predictor)
	assert.LessOrEqual(t, took, budget+time.Second, "Fit overran its budget")
	assertNoLeak(t, before)
}

func TestCancelReturnsBestSoFar(t *testing.T) {
	train := readCSV(t, synthCSV(500, "binary", 4))
	defer train.Release()
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(t.Context())
	var once bool
	opts := automl.Options{Seed: 1, TimeBudget: time.Minute, OnEvent: func(e automl.Event) {
		if e.Kind == automl.EventTrialFinished && e.Trial >= 2 && !once {
			once = true
			cancel()
		}
	}}
	start := time.Now()
	res, err := automl.New(opts).Fit(ctx, train, "target")
	assert.Less(t, time.Since(start), 10*time.Second)
	require.ErrorIs(t, err, context.Canceled)
	require.NotNil(t, res)
	require.NotNil(t, res.Predictor)
	preds, err := res.Predictor.Predict(t.Context(), train)
	require.NoError(t, err)
	assert.Len(t, preds.Labels, train.NumRows())
	assertNoLeak(t, before)
}

// TestFitAlreadyCancelled checks Fit's contract for a context cancelled
// before the call: no trial can run, so Fit returns a nil Result and an
// error wrapping context.Canceled, at once and leaving no goroutine. (A
// context cancelled after the first trials gives the best Result so far:
// TestCancelReturnsBestSoFar.)
func TestFitAlreadyCancelled(t *testing.T) {
	train := readCSV(t, synthCSV(100, "regression", 4))
	defer train.Release()
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	start := time.Now()
	res, err := automl.New(automl.Options{Seed: 1}).Fit(ctx, train, "target")
	require.ErrorIs(t, err, context.Canceled)
	assert.Nil(t, res)
	assert.Less(t, time.Since(start), time.Second)
	assertNoLeak(t, before)
}

func TestBadInput(t *testing.T) {
	good := readCSV(t, synthCSV(50, "binary", 1))
	defer good.Release()
	oneClass := readCSV(t, "x,y\n1,a\n2,a\n3,a\n")
	defer oneClass.Release()
	negWeight := readCSV(t, "x,w,y\n1,1,a\n2,-1,b\n3,1,a\n4,1,b\n5,1,a\n6,1,b\n")
	defer negWeight.Release()
	noTarget := readCSV(t, "x,y\n1,\n2,\n3,\n")
	defer noTarget.Release()
	onlyTarget := readCSV(t, "y\na\nb\na\nb\na\nb\n")
	defer onlyTarget.Release()
	oneRow := readCSV(t, "x,y\n1,2.5\n")
	defer oneRow.Release()
	oneGroup := readCSV(t, "x,g,y\n1,k,a\n2,k,b\n3,k,a\n4,k,b\n5,k,a\n6,k,b\n")
	defer oneGroup.Release()
	cases := []struct {
		name   string
		f      *dataset.Frame
		target string
		opts   automl.Options
	}{
		{"nil frame", nil, "target", automl.Options{}},
		{"missing target", good, "nope", automl.Options{}},
		{"one class", oneClass, "y", automl.Options{}},
		{"wrong metric", good, "target", automl.Options{Metric: "rmse"}},
		{"unknown metric", good, "target", automl.Options{Metric: "nope"}},
		{"unknown model", good, "target", automl.Options{Include: []string{"nope"}}},
		{"weight is target", good, "target", automl.Options{Weight: "target"}},
		{"unknown final fit", good, "target", automl.Options{FinalFit: "refitt"}},
		{"group is target", good, "target", automl.Options{Group: "target"}},
		{"missing group", good, "target", automl.Options{Group: "nope"}},
		{"missing weight", good, "target", automl.Options{Weight: "nope"}},
		{"negative weight", negWeight, "y", automl.Options{Weight: "w"}},
		{"misspelled drop", good, "target", automl.Options{Drop: []string{"x1", "nope"}}},
		{"drop the target", good, "target", automl.Options{Drop: []string{"target"}}},
		{"one group", oneGroup, "y", automl.Options{Group: "g"}},
		{"no usable target", noTarget, "y", automl.Options{}},
		{"no feature", onlyTarget, "y", automl.Options{}},
		{"too few rows", oneRow, "y", automl.Options{}},
		{"text regression", good, "target", automl.Options{Task: "regression"}},
		{"unknown task", good, "target", automl.Options{Task: "ranking"}},
		// Include and Exclude leaving only the prior is valid (the prior
		// is always a candidate); excluding the prior as well is not.
		{"everything excluded", good, "target", automl.Options{Exclude: models.Default().Names()}},
		{"memory cap", good, "target", automl.Options{MaxMemory: 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opts.MaxTrials = 3
			res, err := automl.New(c.opts).Fit(t.Context(), c.f, c.target)
			require.ErrorIs(t, err, automl.ErrInput)
			assert.Nil(t, res)
		})
	}
}

func TestPredictMissingColumn(t *testing.T) {
	train := readCSV(t, synthCSV(200, "binary", 1))
	defer train.Release()
	res, err := automl.New(automl.Options{MaxTrials: 4, Seed: 1}).Fit(t.Context(), train, "target")
	require.NoError(t, err)
	other := readCSV(t, "x1,x2\n1,2\n")
	defer other.Release()
	_, err = res.Predictor.Predict(t.Context(), other)
	require.ErrorIs(t, err, automl.ErrPredict)
	assert.Contains(t, err.Error(), "x3")
}

func TestLoadCorrupt(t *testing.T) {
	train := readCSV(t, synthCSV(200, "multiclass", 1))
	defer train.Release()
	res, err := automl.New(automl.Options{MaxTrials: 6, Seed: 1}).Fit(t.Context(), train, "target")
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, res.Predictor.Save(&buf))
	b := buf.Bytes()
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"magic only", []byte("AUTOMLPR")},
		{"truncated", b[:len(b)/2]},
		{"flipped byte", flip(b, len(b)/3)},
		{"wrong magic", append([]byte("NOTAMODEL"), b[9:]...)},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := automl.Load(bytes.NewReader(c.data))
			assert.ErrorIs(t, err, automl.ErrModelFile)
		})
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0x40
	return c
}

func assertNoLeak(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before, "goroutines outlived Fit")
}

func TestFinalRefit(t *testing.T) {
	train := readCSV(t, synthCSV(300, "regression", 8))
	defer train.Release()
	res, err := automl.New(automl.Options{MaxTrials: 10, Seed: 2, FinalFit: automl.FinalRefit}).Fit(t.Context(), train, "target")
	require.NoError(t, err)
	bagged, err := automl.New(automl.Options{MaxTrials: 10, Seed: 2}).Fit(t.Context(), train, "target")
	require.NoError(t, err)
	a, err := res.Predictor.Predict(t.Context(), train)
	require.NoError(t, err)
	b, err := bagged.Predictor.Predict(t.Context(), train)
	require.NoError(t, err)
	assert.NotEqual(t, a.Values, b.Values, "a refit differs from the fold-model average")
	var buf bytes.Buffer
	require.NoError(t, res.Predictor.Save(&buf))
	assert.Less(t, buf.Len(), func() int {
		var c bytes.Buffer
		require.NoError(t, bagged.Predictor.Save(&c))
		return c.Len()
	}(), "one model per member is smaller than a bag")
}
