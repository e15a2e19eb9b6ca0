package linear_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/models/internal/reftest"
	"github.com/automl-agent/automl/models/linear"
)

func TestRegistered(t *testing.T) {
	for _, name := range []string{"logistic", "linear", "ridge"} {
		t.Run(name, func(t *testing.T) {
			s, err := models.Default().Spec(name)
			require.NoError(t, err)
			assert.Equal(t, models.InputDense, s.Input)
			require.NoError(t, s.Space.Validate())
			require.NotEmpty(t, s.Portfolio)
			for _, p := range s.Portfolio {
				_, err := s.New(p)
				require.NoError(t, err, "%v", p)
			}
			_, err = s.New(models.Params{"nope": 1.0})
			assert.ErrorIs(t, err, models.ErrParam)
			assert.Positive(t, s.Cost)
		})
	}
	s, _ := models.Default().Spec("logistic")
	assert.True(t, s.Supports(3))
	assert.False(t, s.Supports(0))
	s, _ = models.Default().Spec("ridge")
	assert.True(t, s.Supports(0))
	assert.False(t, s.Supports(2))
}

func TestFactoryParams(t *testing.T) {
	cases := []struct {
		name string
		p    models.Params
		ok   bool
	}{
		{"logistic", models.Params{}, true},
		{"logistic", models.Params{"C": 0.5, "max_iter": 50.0, "tol": 1e-6}, true},
		{"logistic", models.Params{"C": 0.0}, false},
		{"logistic", models.Params{"C": -1.0}, false},
		{"logistic", models.Params{"C": "big"}, false},
		{"logistic", models.Params{"max_iter": 0}, false},
		{"logistic", models.Params{"max_iter": 1.5}, false},
		{"logistic", models.Params{"c": 1.0}, false},
		{"linear", models.Params{}, true},
		{"linear", models.Params{"alpha": 1.0}, false},
		{"ridge", models.Params{"alpha": 0.0}, true},
		{"ridge", models.Params{"alpha": -1.0}, false},
		{"ridge", models.Params{"alpha": math.Inf(1)}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := models.Default().New(tc.name, tc.p)
			if tc.ok {
				require.NoError(t, err)
				assert.NotNil(t, m)
			} else {
				assert.ErrorIs(t, err, models.ErrParam)
			}
		})
	}
	m, err := linear.NewLogistic(models.Params{"C": 0.5, "max_iter": 50})
	require.NoError(t, err)
	assert.Equal(t, &linear.Logistic{C: 0.5, MaxIter: 50, Tol: linear.DefaultTol}, m)
	r, err := linear.NewRidge(nil)
	require.NoError(t, err)
	assert.Equal(t, &linear.LeastSquares{Alpha: 1}, r)
}

// allModels returns a fresh model of each kind with data it can fit.
func allModels() []struct {
	name string
	m    interface {
		models.Model
		models.Importancer
	}
	d *models.Data
} {
	return []struct {
		name string
		m    interface {
			models.Model
			models.Importancer
		}
		d *models.Data
	}{
		{"logistic3", &linear.Logistic{}, reftest.Synth(1, 200, 4, 3)},
		{"logistic2", &linear.Logistic{C: 0.1}, reftest.Synth(2, 200, 4, 2)},
		{"ols", &linear.LeastSquares{}, reftest.Synth(3, 200, 4, 0)},
		{"ridge", &linear.LeastSquares{Alpha: 3}, reftest.Synth(4, 200, 4, 0)},
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range allModels() {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.d
			k := d.NumClasses
			dst := make([]float64, models.OutputLen(d.Rows(), k))
			assert.ErrorIs(t, tc.m.Predict(dst, d.X), models.ErrNotFitted)
			assert.Nil(t, tc.m.Importances())

			// NaN in training data names the feature.
			bad := d.Subset(seq(d.Rows()))
			bad.X[2][7] = math.NaN()
			err := tc.m.Fit(t.Context(), bad)
			require.ErrorIs(t, err, models.ErrData)
			assert.Contains(t, err.Error(), "feature 2 row 7")

			// Wrong task.
			wrong := d.Subset(seq(d.Rows()))
			if k == 0 {
				wrong.NumClasses = 2
				for i := range wrong.Y {
					wrong.Y[i] = float64(i % 2)
				}
			} else {
				wrong.NumClasses = 0
			}
			assert.ErrorIs(t, tc.m.Fit(t.Context(), wrong), models.ErrTask)

			// Zero total weight.
			zw := d.Subset(seq(d.Rows()))
			zw.W = make([]float64, d.Rows())
			assert.ErrorIs(t, tc.m.Fit(t.Context(), zw), models.ErrData)

			require.NoError(t, tc.m.Fit(t.Context(), d))
			assert.ErrorIs(t, tc.m.Predict(dst[:1], d.X), models.ErrData)
			assert.ErrorIs(t, tc.m.Predict(dst, d.X[:2]), models.ErrData)
			q := d.Subset([]int{0, 1, 2}).X
			q[1][2] = math.Inf(1)
			err = tc.m.Predict(dst, q)
			require.ErrorIs(t, err, models.ErrData)
			assert.Contains(t, err.Error(), "feature 1 row 2")
			q[1][2] = math.NaN()
			require.ErrorIs(t, tc.m.Predict(dst, q), models.ErrData)

			imp := tc.m.Importances()
			require.Len(t, imp, len(d.X))
			for _, v := range imp {
				assert.GreaterOrEqual(t, v, 0.0)
			}
		})
	}
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// TestWeightsAreCounts checks that an integer weight equals repeating the row.
func TestWeightsAreCounts(t *testing.T) {
	for _, tc := range allModels() {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.d
			d.W = make([]float64, d.Rows())
			var rows []int
			for i := range d.W {
				d.W[i] = float64(i % 3) // 0, 1 or 2 copies
				for range i % 3 {
					rows = append(rows, i)
				}
			}
			rep := d.Subset(rows)
			rep.W = nil
			a := allModelsByName(tc.name)
			b := allModelsByName(tc.name)
			if l, ok := a.(*linear.Logistic); ok {
				l.Tol, b.(*linear.Logistic).Tol = 1e-10, 1e-10
			}
			require.NoError(t, a.Fit(t.Context(), d))
			require.NoError(t, b.Fit(t.Context(), rep))
			pa := make([]float64, models.OutputLen(d.Rows(), d.NumClasses))
			pb := make([]float64, len(pa))
			require.NoError(t, a.Predict(pa, d.X))
			require.NoError(t, b.Predict(pb, d.X))
			assert.InDeltaSlice(t, pa, pb, 1e-7)
		})
	}
}

func allModelsByName(name string) models.Model {
	for _, tc := range allModels() {
		if tc.name == name {
			return tc.m
		}
	}
	return nil
}

func TestLogisticProbabilities(t *testing.T) {
	for _, k := range []int{2, 3, 5} {
		d := reftest.Synth(uint64(k), 300, 3, k)
		m := &linear.Logistic{}
		require.NoError(t, m.Fit(t.Context(), d))
		p := make([]float64, d.Rows()*k)
		require.NoError(t, m.Predict(p, d.X))
		correct := 0
		for i := range d.Rows() {
			s, best := 0.0, 0
			for c := range k {
				s += p[i*k+c]
				if p[i*k+c] > p[i*k+best] {
					best = c
				}
			}
			assert.InDelta(t, 1, s, 1e-12)
			if best == int(d.Y[i]) {
				correct++
			}
		}
		assert.Greater(t, float64(correct)/float64(d.Rows()), 1.5/float64(k), "k=%d accuracy well above chance", k)
	}
}

func TestLogisticHardCases(t *testing.T) {
	t.Run("separable", func(t *testing.T) {
		d := &models.Data{X: [][]float64{{-2, -1, 1, 2}}, Y: []float64{0, 0, 1, 1}, NumClasses: 2}
		m := &linear.Logistic{C: 1e6}
		require.NoError(t, m.Fit(t.Context(), d))
		p := make([]float64, 8)
		require.NoError(t, m.Predict(p, d.X))
		assert.Greater(t, p[7], 0.99)
		assert.Less(t, p[1], 0.01)
	})
	t.Run("absent class and constant feature", func(t *testing.T) {
		d := &models.Data{X: [][]float64{{1, 2, 3, 4, 5}, {7, 7, 7, 7, 7}}, Y: []float64{0, 0, 1, 1, 1}, NumClasses: 3}
		m := &linear.Logistic{}
		require.NoError(t, m.Fit(t.Context(), d))
		p := make([]float64, 15)
		require.NoError(t, m.Predict(p, d.X))
		for i := range 5 {
			assert.Less(t, p[i*3+2], p[i*3], "absent class is least likely")
		}
		assert.Equal(t, 0.0, m.Importances()[1])
	})
	t.Run("one row", func(t *testing.T) {
		d := &models.Data{X: [][]float64{{1}}, Y: []float64{1}, NumClasses: 2}
		m := &linear.Logistic{}
		require.NoError(t, m.Fit(t.Context(), d))
		p := make([]float64, 2)
		require.NoError(t, m.Predict(p, d.X))
		assert.Greater(t, p[1], 0.5)
	})
	t.Run("huge values", func(t *testing.T) {
		d := &models.Data{X: [][]float64{{1e300, -1e300, 1e300, -1e300}}, Y: []float64{1, 0, 1, 0}, NumClasses: 2}
		m := &linear.Logistic{}
		err := m.Fit(t.Context(), d)
		if err == nil {
			p := make([]float64, 8)
			if err := m.Predict(p, d.X); err == nil {
				for _, v := range p {
					assert.False(t, math.IsNaN(v))
				}
			}
		}
	})
}

func TestLogisticContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	m := &linear.Logistic{}
	err := m.Fit(ctx, reftest.Synth(1, 100, 3, 3))
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, m.Predict(make([]float64, 3), [][]float64{{0}, {0}, {0}}), models.ErrNotFitted)
	assert.ErrorIs(t, (&linear.LeastSquares{}).Fit(ctx, reftest.Synth(1, 100, 3, 0)), context.Canceled)

	// A deadline during the optimisation stops it promptly.
	d := reftest.Synth(2, 5000, 20, 5)
	ctx, cancel = context.WithTimeout(t.Context(), 5*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = (&linear.Logistic{Tol: 1e-300, MaxIter: 1e6}).Fit(ctx, d)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), time.Second)
}

func TestLeastSquaresExact(t *testing.T) {
	// y = 1 + 2 x0 - 3 x1 exactly: OLS recovers it.
	x0 := []float64{0, 1, 2, 3, 4, 5}
	x1 := []float64{1, 0, 1, 0, 2, 1}
	y := make([]float64, 6)
	for i := range y {
		y[i] = 1 + 2*x0[i] - 3*x1[i]
	}
	m := &linear.LeastSquares{}
	require.NoError(t, m.Fit(t.Context(), &models.Data{X: [][]float64{x0, x1}, Y: y}))
	coef, b := m.Coef()
	assert.InDeltaSlice(t, []float64{2, -3}, coef, 1e-12)
	assert.InDelta(t, 1, b, 1e-12)

	t.Run("collinear", func(t *testing.T) {
		// x2 = 2 x0: rank deficient; predictions still the least-squares fit.
		x2 := make([]float64, 6)
		for i := range x2 {
			x2[i] = 2 * x0[i]
		}
		m := &linear.LeastSquares{}
		d := &models.Data{X: [][]float64{x0, x1, x2}, Y: y}
		require.NoError(t, m.Fit(t.Context(), d))
		p := make([]float64, 6)
		require.NoError(t, m.Predict(p, d.X))
		assert.InDeltaSlice(t, y, p, 1e-6)
	})
	t.Run("constant feature", func(t *testing.T) {
		c := []float64{4, 4, 4, 4, 4, 4}
		m := &linear.LeastSquares{}
		require.NoError(t, m.Fit(t.Context(), &models.Data{X: [][]float64{c, x0, x1}, Y: y}))
		coef, b := m.Coef()
		assert.InDeltaSlice(t, []float64{0, 2, -3}, coef, 1e-12)
		assert.InDelta(t, 1, b, 1e-12)
	})
	t.Run("one row", func(t *testing.T) {
		m := &linear.LeastSquares{Alpha: 1}
		require.NoError(t, m.Fit(t.Context(), &models.Data{X: [][]float64{{3}}, Y: []float64{5}}))
		p := make([]float64, 2)
		require.NoError(t, m.Predict(p, [][]float64{{3, 10}}))
		assert.Equal(t, []float64{5, 5}, p)
	})
	t.Run("ridge shrinks", func(t *testing.T) {
		big := &linear.LeastSquares{Alpha: 1e6}
		require.NoError(t, big.Fit(t.Context(), &models.Data{X: [][]float64{x0, x1}, Y: y}))
		coef, _ := big.Coef()
		assert.Less(t, math.Abs(coef[0]), 0.01)
	})
}

func TestPredictConcurrent(t *testing.T) {
	for _, tc := range allModels() {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, tc.m.Fit(t.Context(), tc.d))
			want := make([]float64, models.OutputLen(tc.d.Rows(), tc.d.NumClasses))
			require.NoError(t, tc.m.Predict(want, tc.d.X))
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for g := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got := make([]float64, len(want))
					if err := tc.m.Predict(got, tc.d.X); err != nil {
						errs[g] = err
						return
					}
					for i := range got {
						if got[i] != want[i] {
							errs[g] = errors.New("concurrent prediction differs")
							return
						}
					}
				}()
			}
			wg.Wait()
			for _, err := range errs {
				assert.NoError(t, err)
			}
		})
	}
}

// More features than rows (a 32-row table after one-hot encoding, or a
// fold of it) is rank deficient by construction: OLS picks a solution
// through the jitter, as for collinear features, instead of panicking in
// the QR.
func TestLeastSquaresWiderThanTall(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n, p = 6, 10
	X := make([][]float64, p)
	for j := range X {
		X[j] = make([]float64, n)
		for i := range X[j] {
			X[j][i] = rng.NormFloat64()
		}
	}
	y := make([]float64, n)
	for i := range y {
		y[i] = 2*X[0][i] - X[3][i] + 0.1*rng.NormFloat64()
	}
	for _, alpha := range []float64{0, 1} {
		m := &linear.LeastSquares{Alpha: alpha}
		require.NoError(t, m.Fit(t.Context(), &models.Data{X: X, Y: y}))
		pred := make([]float64, n)
		require.NoError(t, m.Predict(pred, X))
		for i, v := range pred {
			require.False(t, math.IsNaN(v))
			if alpha == 0 {
				assert.InDelta(t, y[i], v, 1e-3, "OLS interpolates the training rows")
			}
		}
	}
}
