package gbdt

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
)

// synth makes n rows of p features; task 0 regression, 2 binary, >2
// multiclass. Feature 0 has 10% NaN; if cat, feature 1 is categorical with
// 12 codes.
func synth(n, p, classes int, cat bool, seed uint64) *models.Data {
	rng := rand.New(rand.NewPCG(seed, 7))
	X := make([][]float64, p)
	for j := range X {
		X[j] = make([]float64, n)
		for i := range X[j] {
			X[j][i] = rng.NormFloat64()
		}
	}
	var cats []int
	if cat && p > 1 {
		cats = make([]int, p)
		cats[1] = 12
		for i := range n {
			X[1][i] = float64(rng.IntN(12))
		}
	}
	y := make([]float64, n)
	for i := range n {
		f := 2*math.Sin(X[0][i]) + X[min(2, p-1)][i]*X[min(3, p-1)][i] + 0.5*X[p-1][i]
		if cat && p > 1 {
			c := int(X[1][i])
			if c%3 == 0 || c == 7 {
				f += 1.5
			}
		}
		f += 0.3 * rng.NormFloat64()
		switch {
		case classes == 0:
			y[i] = f
		case classes == 2:
			if f > 0.3 {
				y[i] = 1
			}
		default:
			y[i] = float64(min(classes-1, max(0, int((f+3)/6*float64(classes)))))
		}
	}
	for i := range n {
		if rng.IntN(10) == 0 {
			X[0][i] = math.NaN()
		}
	}
	return &models.Data{X: X, Y: y, NumClasses: classes, Categories: cats}
}

func fit(t *testing.T, d *models.Data, p models.Params) *Model {
	t.Helper()
	m, err := New(p)
	require.NoError(t, err)
	require.NoError(t, m.Fit(t.Context(), d))
	return m
}

func predict(t *testing.T, m *Model, X [][]float64) []float64 {
	t.Helper()
	out := make([]float64, models.OutputLen(len(X[0]), m.numClasses))
	require.NoError(t, m.Predict(out, X))
	return out
}

func TestGradientsMatchLossDerivatives(t *testing.T) {
	y := []float64{0, 1, 2, 1}
	w := []float64{1, 2, 0.5, 1}
	cases := []struct {
		name string
		obj  uint8
		K    int
		y    []float64
	}{
		{"squared", objSquared, 1, []float64{0.3, -1, 2, 5}},
		{"huber", objHuber, 1, []float64{0.3, -1, 2, 5}},
		{"binary", objBinary, 1, []float64{0, 1, 1, 0}},
		{"multiclass", objMulticlass, 3, y},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := len(tc.y)
			score := make([]float64, n*tc.K)
			rng := rand.New(rand.NewPCG(1, 1))
			for i := range score {
				score[i] = rng.NormFloat64()
			}
			prob := make([]float64, n*tc.K)
			gh := make([]gpair, n)
			// total weighted loss as a function of the scores
			tot := 0.0
			for _, v := range w {
				tot += v
			}
			f := func(s []float64) float64 { return loss(tc.obj, s, tc.K, tc.y, w, 1) * tot }
			for k := range tc.K {
				gradients(tc.obj, gh, score, tc.K, k, tc.y, w, prob, 1)
				for i := range n {
					const eps = 1e-5
					s := append([]float64(nil), score...)
					s[i*tc.K+k] += eps
					up := f(s)
					s[i*tc.K+k] -= 2 * eps
					down := f(s)
					num := (up - down) / (2 * eps)
					scale := 1.0
					if tc.obj == objSquared {
						scale = 0.5 // loss is r², gradient convention r
					}
					assert.InDelta(t, num*scale, float64(gh[i].g), 1e-4, "row %d class %d", i, k)
					// Hessian: derivative of the gradient.
					if tc.obj == objBinary {
						p := sigmoid(score[i])
						assert.InDelta(t, w[i]*p*(1-p), float64(gh[i].h), 1e-6)
					}
				}
			}
		})
	}
}

func TestExactSplit(t *testing.T) {
	n := 100
	x := make([]float64, n)
	y := make([]float64, n)
	for i := range n {
		x[i] = float64(i)
		if i >= 40 {
			y[i] = 10
		}
	}
	d := &models.Data{X: [][]float64{x}, Y: y}
	m := fit(t, d, models.Params{"num_rounds": 1, "learning_rate": 1.0, "lambda_l2": 0.0, "max_leaves": 2, "min_data_in_leaf": 1, "early_stopping_rounds": 0})
	require.Len(t, m.trees, 1)
	tr := m.trees[0]
	require.Len(t, tr.nodes, 1)
	assert.Equal(t, 39.5, tr.nodes[0].thr)
	out := predict(t, m, [][]float64{{0, 39.4, 39.6, 99, math.Inf(1)}})
	assert.InDeltaSlice(t, []float64{0, 0, 10, 10, 10}, out, 1e-9)
}

func TestMissingDirection(t *testing.T) {
	for _, missHigh := range []bool{true, false} {
		t.Run(map[bool]string{true: "missing_right", false: "missing_left"}[missHigh], func(t *testing.T) {
			var x, y []float64
			for i := range 100 {
				x = append(x, float64(i))
				y = append(y, map[bool]float64{true: 10, false: 0}[i >= 50])
			}
			for range 30 {
				x = append(x, math.NaN())
				y = append(y, map[bool]float64{true: 10, false: 0}[missHigh])
			}
			d := &models.Data{X: [][]float64{x}, Y: y}
			m := fit(t, d, models.Params{"num_rounds": 1, "learning_rate": 1.0, "lambda_l2": 0.0, "max_leaves": 2, "min_data_in_leaf": 1, "early_stopping_rounds": 0})
			require.Len(t, m.trees[0].nodes, 1)
			assert.Equal(t, !missHigh, m.trees[0].nodes[0].defLeft)
			out := predict(t, m, [][]float64{{math.NaN(), 10, 90}})
			want := map[bool]float64{true: 10, false: 0}[missHigh]
			assert.InDeltaSlice(t, []float64{want, 0, 10}, out, 1e-5) // float32 gradients
		})
	}
}

func TestCategoricalSplit(t *testing.T) {
	// Codes {1, 4, 7, 8} are positive: not a contiguous range.
	rng := rand.New(rand.NewPCG(2, 2))
	n := 500
	x := make([]float64, n)
	noise := make([]float64, n)
	y := make([]float64, n)
	pos := map[int]bool{1: true, 4: true, 7: true, 8: true}
	for i := range n {
		c := rng.IntN(10)
		x[i] = float64(c)
		noise[i] = rng.Float64()
		if pos[c] {
			y[i] = 1
		}
	}
	d := &models.Data{X: [][]float64{noise, x}, Y: y, NumClasses: 2, Categories: []int{0, 10}}
	m := fit(t, d, models.Params{"num_rounds": 1, "learning_rate": 1.0, "max_leaves": 2, "min_data_in_leaf": 1, "cat_smooth": 1.0, "cat_l2": 0.0, "early_stopping_rounds": 0})
	require.Len(t, m.trees[0].nodes, 1)
	nd := m.trees[0].nodes[0]
	assert.Equal(t, int32(1), nd.feature)
	require.GreaterOrEqual(t, nd.cat, int32(0))
	codes := make([]float64, 10)
	for c := range codes {
		codes[c] = float64(c)
	}
	out := predict(t, m, [][]float64{make([]float64, 10), codes})
	for c := range 10 {
		if pos[c] {
			assert.Greater(t, out[2*c+1], 0.5, "code %d", c)
		} else {
			assert.Less(t, out[2*c+1], 0.5, "code %d", c)
		}
	}
	// Trained to convergence it separates perfectly.
	m = fit(t, d, models.Params{"num_rounds": 30, "max_leaves": 2, "min_data_in_leaf": 1})
	out = predict(t, m, [][]float64{make([]float64, 10), codes})
	for c := range 10 {
		assert.Equal(t, pos[c], out[2*c+1] > 0.9, "code %d p=%v", c, out[2*c+1])
	}
}

func TestDeterministicAcrossGOMAXPROCS(t *testing.T) {
	d := synth(40000, 12, 3, true, 5) // big enough for chunked partitions (16k+ rows)
	// Early stopping on (the default): the internal split is part of it.
	p := models.Params{"max_rounds": 8, "bagging_fraction": 0.7, "feature_fraction": 0.8, "seed": 3}
	old := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(old)
	m1 := fit(t, d, p)
	o1 := predict(t, m1, d.X)
	b1, _ := m1.MarshalBinary()
	// 2, 3 and 4 threads cut the 12 features into different tasks and the
	// big nodes' partitions into different chunks.
	for _, procs := range []int{2, 3, 4} {
		runtime.GOMAXPROCS(procs)
		m := fit(t, d, p)
		assert.Equal(t, o1, predict(t, m, d.X), "GOMAXPROCS %d", procs)
		b, _ := m.MarshalBinary()
		assert.Equal(t, b1, b, "GOMAXPROCS %d", procs)
	}
}

func TestContextCancel(t *testing.T) {
	d := synth(20000, 10, 0, false, 1)
	m, err := New(models.Params{"num_rounds": 100000, "early_stopping_rounds": 0})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = m.Fit(ctx, d)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 2*time.Second)
}

func TestSaveLoadBitIdentical(t *testing.T) {
	cases := []struct {
		name    string
		classes int
		p       models.Params
	}{
		{"squared", 0, nil},
		{"huber", 0, models.Params{"objective": "huber"}},
		{"absolute", 0, models.Params{"objective": "absolute"}},
		{"binary", 2, models.Params{"bagging_fraction": 0.8}},
		{"multiclass", 4, models.Params{"feature_fraction": 0.5}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := synth(3000, 6, tc.classes, true, 9)
			// 3000 rows: early stopping applies, capped at 10 rounds.
			m := fit(t, d, models.Params{"max_rounds": 10}.Merge(tc.p))
			b, err := m.MarshalBinary()
			require.NoError(t, err)
			var m2 Model
			require.NoError(t, m2.UnmarshalBinary(b))
			assert.Equal(t, predict(t, m, d.X), predict(t, &m2, d.X))
			assert.Equal(t, m.Importances(), m2.Importances())
			// Every truncation is an error, not a panic.
			for cut := 0; cut < len(b); cut += max(1, len(b)/97) {
				var m3 Model
				assert.ErrorIs(t, m3.UnmarshalBinary(b[:cut]), ErrFormat)
			}
		})
	}
}

func TestEarlyStopping(t *testing.T) {
	train := synth(2000, 5, 2, false, 11)
	valid := synth(1000, 5, 2, false, 12)
	train.Valid = valid
	m := fit(t, train, models.Params{"num_rounds": 1000, "learning_rate": 0.3, "early_stopping_rounds": 10, "max_leaves": 63, "min_data_in_leaf": 2})
	assert.Less(t, m.NumTrees(), 300)
	assert.Greater(t, m.NumTrees(), 3)
	// The kept model is the best one on the validation set.
	best := loss(objBinary, m.rawScores(valid.X), 1, valid.Y, nil, 1)
	for _, r := range []int{m.NumTrees() + 5, m.NumTrees() + 10} {
		m2 := fit(t, &models.Data{X: train.X, Y: train.Y, NumClasses: 2}, models.Params{"num_rounds": r, "learning_rate": 0.3, "max_leaves": 63, "min_data_in_leaf": 2, "early_stopping_rounds": 0})
		assert.LessOrEqual(t, best, loss(objBinary, m2.rawScores(valid.X), 1, valid.Y, nil, 1))
	}
	// A refit on all rows runs the rounds that early stopping kept.
	rp := m.RefitParams(models.Params{"num_rounds": 1000, "early_stopping_rounds": 10})
	assert.Equal(t, m.NumTrees(), rp["num_rounds"])
	assert.Equal(t, 0, rp["early_stopping_rounds"])
}

func (m *Model) rawScores(X [][]float64) []float64 {
	out := make([]float64, len(X[0])*m.k)
	m.rawTo(out, X, len(X[0]))
	return out
}

func TestAccuracy(t *testing.T) {
	train := synth(8000, 8, 0, true, 21)
	test := synth(4000, 8, 0, true, 22)
	m := fit(t, train, nil)
	out := predict(t, m, test.X)
	mse, vy, mean := 0.0, 0.0, 0.0
	for _, v := range test.Y {
		mean += v / float64(len(test.Y))
	}
	for i, v := range test.Y {
		mse += (out[i] - v) * (out[i] - v)
		vy += (v - mean) * (v - mean)
	}
	r2 := 1 - mse/vy
	assert.Greater(t, r2, 0.85)
	imp := m.Importances()
	require.Len(t, imp, 8)
	// Features 4..6 are pure noise.
	assert.Greater(t, imp[0], 5*imp[5])
}

func TestWeightsEqualDuplicates(t *testing.T) {
	d := synth(1000, 4, 0, false, 31)
	w := make([]float64, 1000)
	var rows []int
	for i := range w {
		w[i] = float64(1 + i%2)
		rows = append(rows, i)
		if i%2 == 1 {
			rows = append(rows, i)
		}
	}
	// Same edges for both (quantiles of the duplicated rows would differ).
	d.Bins = mustBin(t, d.X)
	dup := d.Subset(rows)
	dw := &models.Data{X: d.X, Y: d.Y, W: w, Bins: d.Bins}
	p := models.Params{"num_rounds": 5, "min_data_in_leaf": 0, "early_stopping_rounds": 0}
	a := predict(t, fit(t, dup, p), d.X)
	b := predict(t, fit(t, dw, p), d.X)
	assert.InDeltaSlice(t, a, b, 1e-6)
}

func TestErrors(t *testing.T) {
	_, err := New(models.Params{"max_leaves": 1})
	assert.ErrorIs(t, err, models.ErrParam)
	_, err = New(models.Params{"no_such": 1})
	assert.ErrorIs(t, err, models.ErrParam)
	m, err := New(nil)
	require.NoError(t, err)
	assert.ErrorIs(t, m.Predict(make([]float64, 1), [][]float64{{1}}), models.ErrNotFitted)
	_, err = m.MarshalBinary()
	assert.ErrorIs(t, err, models.ErrNotFitted)
	m2, _ := New(models.Params{"objective": "binary"})
	assert.ErrorIs(t, m2.Fit(t.Context(), synth(100, 2, 0, false, 1)), models.ErrTask)
	d := synth(100, 3, 2, false, 1)
	d.Bins = mustBin(t, d.X[:2])
	assert.ErrorIs(t, m.Fit(t.Context(), d), models.ErrData)
	d.Bins = nil
	require.NoError(t, m.Fit(t.Context(), d))
	assert.ErrorIs(t, m.Predict(make([]float64, 200), d.X[:2]), models.ErrData)
	assert.ErrorIs(t, m.Predict(make([]float64, 10), d.X), models.ErrData)
}

func TestRegistered(t *testing.T) {
	s, err := models.Default().Spec("gbdt")
	require.NoError(t, err)
	assert.True(t, s.Supports(0) && s.Supports(3))
	for _, p := range s.Portfolio {
		_, err := s.New(p)
		assert.NoError(t, err)
	}
	_, err = s.New(models.Params{"learning_rate": -1.0})
	assert.ErrorIs(t, err, models.ErrParam)
}

func FuzzUnmarshal(f *testing.F) {
	for _, classes := range []int{0, 2, 3} {
		d := synth(300, 3, classes, true, 4)
		m, _ := New(models.Params{"num_rounds": 3, "max_leaves": 4})
		if err := m.Fit(context.Background(), d); err != nil {
			f.Fatal(err)
		}
		b, _ := m.MarshalBinary()
		f.Add(b)
	}
	X := [][]float64{{0, math.NaN(), 1e9}, {1, 2, math.NaN()}, {3, -1, 400}}
	f.Fuzz(func(t *testing.T, b []byte) {
		var m Model
		if err := m.UnmarshalBinary(b); err != nil {
			return
		}
		out := make([]float64, models.OutputLen(3, m.numClasses))
		if m.nf == 3 {
			_ = m.Predict(out, X)
		}
		b2, err := m.MarshalBinary()
		require.NoError(t, err)
		assert.Equal(t, b, b2)
	})
}

// Rare categories (filtered by min_data_per_group) must not corrupt the
// child sums: this diverged to NaN once.
func TestCategoricalRareCodesStable(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	n := 5000
	x, z, y := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		c := rng.IntN(20)
		if i%50 == 0 {
			c = 20 + rng.IntN(10) // rare codes 20..29
		}
		x[i], z[i] = float64(c), rng.NormFloat64()
		y[i] = 1e4*float64(c%7) + 3e3*z[i] + 100*rng.NormFloat64()
	}
	d := &models.Data{X: [][]float64{x, z}, Y: y, Categories: []int{30, 0}}
	m := fit(t, d, nil)
	out := predict(t, m, d.X)
	mse, vy, mean := 0.0, 0.0, 0.0
	for _, v := range y {
		mean += v / float64(n)
	}
	for i, v := range y {
		require.False(t, math.IsNaN(out[i]))
		mse += (out[i] - v) * (out[i] - v)
		vy += (v - mean) * (v - mean)
	}
	assert.Less(t, mse/vy, 0.01)
}

// TestSizeBytes: nothing before Fit; twice the rounds hold about twice
// the memory; a model read back from its encoding holds as much.
func TestSizeBytes(t *testing.T) {
	d := synth(1000, 5, 0, true, 3)
	var zero Model
	assert.Zero(t, zero.SizeBytes())
	m20 := fit(t, d, models.Params{"num_rounds": 20})
	m40 := fit(t, d, models.Params{"num_rounds": 40})
	assert.Greater(t, m20.SizeBytes(), int64(20*31*40), "20 trees of 31 leaves")
	assert.InDelta(t, 2, float64(m40.SizeBytes())/float64(m20.SizeBytes()), 0.1)
	b, err := m40.MarshalBinary()
	require.NoError(t, err)
	var back Model
	require.NoError(t, back.UnmarshalBinary(b))
	assert.InDelta(t, 1, float64(back.SizeBytes())/float64(m40.SizeBytes()), 0.05)
}
