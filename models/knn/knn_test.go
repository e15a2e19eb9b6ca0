package knn_test

import (
	"context"
	"math"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/models/internal/reftest"
	"github.com/automl-agent/automl/models/knn"
)

func TestRegistered(t *testing.T) {
	s, err := models.Default().Spec("knn")
	require.NoError(t, err)
	assert.Equal(t, models.InputDense, s.Input)
	assert.True(t, s.Supports(0))
	assert.True(t, s.Supports(4))
	require.NoError(t, s.Space.Validate())
	m, err := s.New(s.Portfolio[0])
	require.NoError(t, err)
	assert.Equal(t, &knn.KNN{Neighbors: 5, MaxTrainRows: knn.DefaultMaxTrainRows, Smoothing: 1}, m)
	for _, p := range s.Portfolio {
		_, err := s.New(p)
		require.NoError(t, err, "%v", p)
	}
}

func TestFactoryParams(t *testing.T) {
	cases := []struct {
		p  models.Params
		ok bool
	}{
		{models.Params{}, true},
		{models.Params{"k": 3.0, "weights": "distance", "max_train_rows": 100, "seed": 9}, true},
		{models.Params{"k": 0}, false},
		{models.Params{"k": 2.5}, false},
		{models.Params{"weights": "gaussian"}, false},
		{models.Params{"weights": 1.0}, false},
		{models.Params{"max_train_rows": 0}, false},
		{models.Params{"seed": -1}, false},
		{models.Params{"threads": 3}, true},
		{models.Params{"threads": -1}, false},
		{models.Params{"K": 3}, false},
	}
	for _, tc := range cases {
		_, err := knn.New(tc.p)
		if tc.ok {
			assert.NoError(t, err, "%v", tc.p)
		} else {
			assert.ErrorIs(t, err, models.ErrParam, "%v", tc.p)
		}
	}
}

func TestErrors(t *testing.T) {
	d := reftest.Synth(1, 50, 3, 2)
	m := &knn.KNN{}
	dst := make([]float64, 100)
	assert.ErrorIs(t, m.Predict(dst, d.X), models.ErrNotFitted)
	_, _, _, err := m.Query(d.X)
	assert.ErrorIs(t, err, models.ErrNotFitted)

	bad := d.Subset(seq(50))
	bad.X[1][4] = math.NaN()
	err = m.Fit(t.Context(), bad)
	require.ErrorIs(t, err, models.ErrData)
	assert.Contains(t, err.Error(), "feature 1 row 4")

	zw := d.Subset(seq(50))
	zw.W = make([]float64, 50)
	assert.ErrorIs(t, m.Fit(t.Context(), zw), models.ErrData)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.ErrorIs(t, m.Fit(ctx, d), context.Canceled)

	require.NoError(t, m.Fit(t.Context(), d))
	assert.ErrorIs(t, m.Predict(dst[:3], d.X), models.ErrData)
	assert.ErrorIs(t, m.Predict(dst, d.X[:2]), models.ErrData)
	q := d.Subset([]int{0, 1}).X
	q[2][1] = math.Inf(-1)
	err = m.Predict(dst, q)
	require.ErrorIs(t, err, models.ErrData)
	assert.Contains(t, err.Error(), "feature 2 row 1")
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func TestSmallExact(t *testing.T) {
	// 1-D points 0, 1, 2, 10, 11 with classes 0 0 0 1 1.
	d := &models.Data{
		X:          [][]float64{{0, 1, 2, 10, 11}},
		Y:          []float64{0, 0, 0, 1, 1},
		NumClasses: 2,
	}
	t.Run("uniform", func(t *testing.T) {
		m := &knn.KNN{Neighbors: 3}
		require.NoError(t, m.Fit(t.Context(), d))
		p := make([]float64, 4)
		require.NoError(t, m.Predict(p, [][]float64{{0.4, 10.4}}))
		assert.Equal(t, []float64{1, 0, 1.0 / 3, 2.0 / 3}, p)
	})
	t.Run("distance", func(t *testing.T) {
		m := &knn.KNN{Neighbors: 2, Weights: knn.Distance}
		require.NoError(t, m.Fit(t.Context(), d))
		p := make([]float64, 4)
		require.NoError(t, m.Predict(p, [][]float64{{6, 10}}))
		// x=6: neighbours 2 (d=4, class 0) and 10 (d=4, class 1).
		assert.InDeltaSlice(t, []float64{0.5, 0.5, 0, 1}, p, 1e-15)
	})
	t.Run("ties by index", func(t *testing.T) {
		// x=6 is at distance 4 from rows 2 and 3, x=10.5 at 0.5 from rows
		// 3 and 4: with k=1 the lower row wins.
		m := &knn.KNN{Neighbors: 1}
		require.NoError(t, m.Fit(t.Context(), d))
		idx, dist, k, err := m.Query([][]float64{{6, 10.5}})
		require.NoError(t, err)
		assert.Equal(t, 1, k)
		assert.Equal(t, []int{2, 3}, idx)
		assert.Equal(t, []float64{4, 0.5}, dist)
	})
	t.Run("k larger than rows", func(t *testing.T) {
		m := &knn.KNN{Neighbors: 50}
		require.NoError(t, m.Fit(t.Context(), d))
		p := make([]float64, 2)
		require.NoError(t, m.Predict(p, [][]float64{{100}}))
		assert.Equal(t, []float64{0.6, 0.4}, p)
	})
	t.Run("weights", func(t *testing.T) {
		w := d.Subset(seq(5))
		w.W = []float64{1, 1, 0, 3, 1} // row 2 dropped, row 3 counts 3
		m := &knn.KNN{Neighbors: 3}
		require.NoError(t, m.Fit(t.Context(), w))
		p := make([]float64, 2)
		require.NoError(t, m.Predict(p, [][]float64{{2}}))
		// neighbours 1 (w 1), 0 (w 1), 10 (w 3)
		assert.Equal(t, []float64{0.4, 0.6}, p)
	})
	t.Run("regression", func(t *testing.T) {
		r := &models.Data{X: d.X, Y: []float64{1, 2, 3, 4, 5}}
		m := &knn.KNN{Neighbors: 2}
		require.NoError(t, m.Fit(t.Context(), r))
		p := make([]float64, 2)
		require.NoError(t, m.Predict(p, [][]float64{{0.4, 12}}))
		assert.Equal(t, []float64{1.5, 4.5}, p)
	})
}

// TestDuplicateDistanceZero guards the exact-zero self distance, which
// relies on sqNorm summing like gonum's Dgemm (64-wide chunks).
func TestDuplicateDistanceZero(t *testing.T) {
	for _, p := range []int{1, 7, 64, 65, 150} {
		d := reftest.Synth(uint64(p), 40, p, 0)
		m := &knn.KNN{Neighbors: 1}
		require.NoError(t, m.Fit(t.Context(), d))
		_, dist, _, err := m.Query(d.X)
		require.NoError(t, err)
		for i, v := range dist {
			assert.Zero(t, v, "p=%d row %d", p, i)
		}
	}
}

func TestDeterministic(t *testing.T) {
	d := reftest.Synth(5, 3000, 6, 3)
	q := reftest.Synth(6, 500, 6, 3).X
	fit := func(seed uint64) []float64 {
		m := &knn.KNN{Neighbors: 7, Weights: knn.Distance, MaxTrainRows: 1000, Seed: seed}
		require.NoError(t, m.Fit(t.Context(), d))
		p := make([]float64, 500*3)
		require.NoError(t, m.Predict(p, q))
		return p
	}
	a := fit(1)
	prev := runtime.GOMAXPROCS(1)
	b := fit(1)
	runtime.GOMAXPROCS(prev)
	assert.Equal(t, a, b, "same seed, any GOMAXPROCS")
	assert.NotEqual(t, a, fit(2), "another seed keeps another sample")
	for _, threads := range []int{1, 3, 8} {
		m := &knn.KNN{Neighbors: 7, Weights: knn.Distance, MaxTrainRows: 1000, Seed: 1, Threads: threads}
		require.NoError(t, m.Fit(t.Context(), d))
		p := make([]float64, 500*3)
		require.NoError(t, m.Predict(p, q))
		assert.Equal(t, a, p, "threads %d", threads)
	}

	// Predict (two goroutines) agrees with a serial Query + vote.
	m := &knn.KNN{Neighbors: 1}
	require.NoError(t, m.Fit(t.Context(), d))
	idx, _, _, err := m.Query(q)
	require.NoError(t, err)
	p := make([]float64, 500*3)
	require.NoError(t, m.Predict(p, q))
	for i, j := range idx {
		assert.Equal(t, 1.0, p[i*3+int(d.Y[j])])
	}
}

func TestPredictConcurrent(t *testing.T) {
	d := reftest.Synth(8, 400, 4, 0)
	m := &knn.KNN{}
	require.NoError(t, m.Fit(t.Context(), d))
	want := make([]float64, 400)
	require.NoError(t, m.Predict(want, d.X))
	done := make(chan []float64, 4)
	for range 4 {
		go func() {
			got := make([]float64, 400)
			if err := m.Predict(got, d.X); err != nil {
				got = nil
			}
			done <- got
		}()
	}
	for range 4 {
		assert.Equal(t, want, <-done)
	}
}

// Smoothing keeps every class's probability above zero, in proportion to
// the training classes, without changing the predicted class.
func TestSmoothingNeverGivesZero(t *testing.T) {
	// Class 0 far left (3 rows), class 1 right (1 row): a query at the far
	// left has only class-0 neighbours with k = 2.
	d := &models.Data{X: [][]float64{{-10, -9, -8, 10}}, Y: []float64{0, 0, 0, 1}, NumClasses: 2}
	plain := &knn.KNN{Neighbors: 2}
	require.NoError(t, plain.Fit(t.Context(), d))
	smooth := &knn.KNN{Neighbors: 2, Smoothing: 1}
	require.NoError(t, smooth.Fit(t.Context(), d))
	q := [][]float64{{-9.5, 9.9}}
	p0 := make([]float64, 4)
	p1 := make([]float64, 4)
	require.NoError(t, plain.Predict(p0, q))
	require.NoError(t, smooth.Predict(p1, q))
	assert.Equal(t, []float64{1, 0, 0.5, 0.5}, p0, "vote fractions")
	// (2 + 1·0.75) / 3 and (0 + 1·0.25) / 3; at 9.9 the tied vote now
	// leans to the more frequent class.
	assert.InDeltaSlice(t, []float64{2.75 / 3, 0.25 / 3, (1 + 0.75) / 3, (1 + 0.25) / 3}, p1, 1e-12)
	b, err := smooth.MarshalBinary()
	require.NoError(t, err)
	var back knn.KNN
	require.NoError(t, back.UnmarshalBinary(b))
	p2 := make([]float64, 4)
	require.NoError(t, back.Predict(p2, q))
	assert.Equal(t, p1, p2, "smoothing and the prior survive a round trip")
	_, err = knn.New(models.Params{"smoothing": -1})
	assert.ErrorIs(t, err, models.ErrParam)
}

// TestSizeBytes: a fitted k-NN holds its kept rows (8 bytes a cell, plus
// norms and targets), and no more than MaxTrainRows of them.
func TestSizeBytes(t *testing.T) {
	d := &models.Data{X: [][]float64{make([]float64, 500), make([]float64, 500)}, Y: make([]float64, 500)}
	for i := range 500 {
		d.X[0][i], d.X[1][i], d.Y[i] = float64(i), float64(i%7), float64(i%3)
	}
	m := &knn.KNN{}
	assert.Zero(t, m.SizeBytes())
	require.NoError(t, m.Fit(context.Background(), d))
	assert.InDelta(t, 500*4*8, m.SizeBytes(), 500*8, "two features, norms and targets")
	capped := &knn.KNN{MaxTrainRows: 100}
	require.NoError(t, capped.Fit(context.Background(), d))
	assert.InDelta(t, 100*4*8, capped.SizeBytes(), 100*8)
}
