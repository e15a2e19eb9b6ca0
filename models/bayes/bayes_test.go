package bayes_test

import (
	"context"
	"encoding/binary"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/models/bayes"
	"github.com/automl-agent/automl/models/internal/reftest"
)

func TestRegistered(t *testing.T) {
	s, err := models.Default().Spec("gaussian_nb")
	require.NoError(t, err)
	assert.Equal(t, models.InputDense, s.Input)
	assert.True(t, s.Supports(2))
	assert.False(t, s.Supports(0))
	require.NoError(t, s.Space.Validate())
	m, err := s.New(s.Portfolio[0])
	require.NoError(t, err)
	assert.Equal(t, &bayes.GaussianNB{VarSmoothing: 1e-9}, m)
	for _, p := range s.Portfolio {
		_, err := s.New(p)
		require.NoError(t, err)
	}
	for _, p := range []models.Params{{"var_smoothing": 0.0}, {"var_smoothing": -1.0}, {"var_smoothing": "x"}, {"alpha": 1.0}} {
		_, err := s.New(p)
		assert.ErrorIs(t, err, models.ErrParam, "%v", p)
	}
}

func TestErrors(t *testing.T) {
	d := reftest.Synth(1, 60, 3, 3)
	m := &bayes.GaussianNB{}
	dst := make([]float64, 180)
	assert.ErrorIs(t, m.Predict(dst, d.X), models.ErrNotFitted)
	reg := reftest.Synth(1, 60, 3, 0)
	assert.ErrorIs(t, m.Fit(t.Context(), reg), models.ErrTask)
	bad := d.Subset(seq(60))
	bad.X[0][9] = math.NaN()
	err := m.Fit(t.Context(), bad)
	require.ErrorIs(t, err, models.ErrData)
	assert.Contains(t, err.Error(), "feature 0 row 9")
	zw := d.Subset(seq(60))
	zw.W = make([]float64, 60)
	assert.ErrorIs(t, m.Fit(t.Context(), zw), models.ErrData)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.ErrorIs(t, m.Fit(ctx, d), context.Canceled)

	require.NoError(t, m.Fit(t.Context(), d))
	assert.ErrorIs(t, m.Predict(dst[:5], d.X), models.ErrData)
	q := d.Subset([]int{3, 4}).X
	q[2][1] = math.NaN()
	err = m.Predict(dst, q)
	require.ErrorIs(t, err, models.ErrData)
	assert.Contains(t, err.Error(), "feature 2 row 1")
	q[2][1] = math.Inf(1)
	assert.ErrorIs(t, m.Predict(dst, q), models.ErrData)
	// Finite but far away: falls back to finite probabilities.
	q[2][1] = 1e300
	require.NoError(t, m.Predict(dst, q))
	for _, v := range dst[:6] {
		assert.False(t, math.IsNaN(v))
	}
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func TestHandComputed(t *testing.T) {
	// Class 0: x in {0, 2}; class 1: x in {4, 6, 8}. var_smoothing tiny.
	d := &models.Data{X: [][]float64{{0, 2, 4, 6, 8}}, Y: []float64{0, 0, 1, 1, 1}, NumClasses: 3}
	m := &bayes.GaussianNB{VarSmoothing: 1e-300}
	require.NoError(t, m.Fit(t.Context(), d))
	prior, mean, vars := m.Params()
	assert.InDeltaSlice(t, []float64{0.4, 0.6, 0}, prior, 1e-15)
	assert.InDeltaSlice(t, []float64{1, 6, 0}, mean[:3], 1e-15)
	assert.InDeltaSlice(t, []float64{1, 8.0 / 3}, vars[:2], 1e-15)
	p := make([]float64, 3)
	require.NoError(t, m.Predict(p, [][]float64{{3}}))
	g := func(x, mu, v float64) float64 { return math.Exp(-(x-mu)*(x-mu)/(2*v)) / math.Sqrt(2*math.Pi*v) }
	a, b := 0.4*g(3, 1, 1), 0.6*g(3, 6, 8.0/3)
	assert.InDeltaSlice(t, []float64{a / (a + b), b / (a + b), 0}, p, 1e-14)
}

func TestConstantFeatures(t *testing.T) {
	d := &models.Data{X: [][]float64{{1, 1, 1, 1}}, Y: []float64{0, 1, 1, 1}, NumClasses: 2}
	m := &bayes.GaussianNB{}
	require.NoError(t, m.Fit(t.Context(), d))
	p := make([]float64, 4)
	require.NoError(t, m.Predict(p, [][]float64{{1, 5}}))
	assert.InDeltaSlice(t, []float64{0.25, 0.75}, p[:2], 1e-12, "priors at the shared mean")
	for _, v := range p {
		assert.False(t, math.IsNaN(v))
	}
}

func TestWeightsAreCounts(t *testing.T) {
	d := reftest.Synth(3, 200, 4, 3)
	var rows []int
	for i := range d.W {
		d.W[i] = float64(i % 3)
		for range i % 3 {
			rows = append(rows, i)
		}
	}
	rep := d.Subset(rows)
	rep.W = nil
	// ε uses the unweighted variance of all rows (as scikit-learn), which
	// differs between the two: make it negligible.
	a, b := &bayes.GaussianNB{VarSmoothing: 1e-15}, &bayes.GaussianNB{VarSmoothing: 1e-15}
	require.NoError(t, a.Fit(t.Context(), d))
	require.NoError(t, b.Fit(t.Context(), rep))
	pa, ma, _ := a.Params()
	pb, mb, _ := b.Params()
	assert.InDeltaSlice(t, pa, pb, 1e-12)
	assert.InDeltaSlice(t, ma, mb, 1e-12)
	x, y := make([]float64, 600), make([]float64, 600)
	require.NoError(t, a.Predict(x, d.X))
	require.NoError(t, b.Predict(y, d.X))
	assert.InDeltaSlice(t, x, y, 1e-10)
}

func TestMarshalRoundTrip(t *testing.T) {
	d := reftest.Synth(4, 100, 3, 4)
	d.Y[0], d.Y[1] = 0, 0
	for i := range d.Y {
		if d.Y[i] == 2 {
			d.Y[i] = 1 // class 2 absent: prior 0
		}
	}
	m := &bayes.GaussianNB{VarSmoothing: 1e-6}
	require.NoError(t, m.Fit(t.Context(), d))
	b, err := m.MarshalBinary()
	require.NoError(t, err)
	var got bayes.GaussianNB
	require.NoError(t, got.UnmarshalBinary(b))
	assert.Equal(t, m, &got)
	x, y := make([]float64, 400), make([]float64, 400)
	require.NoError(t, m.Predict(x, d.X))
	require.NoError(t, got.Predict(y, d.X))
	assert.Equal(t, x, y)
	for i := 0; i < 100; i++ {
		assert.Zero(t, x[i*4+2], "absent class")
	}
	for n := range len(b) {
		assert.ErrorIs(t, got.UnmarshalBinary(b[:n]), bayes.ErrEncoding)
	}
	bad := append([]byte(nil), b...)
	hdr := len("automl/bayes.GaussianNB\x00")
	binary.LittleEndian.PutUint64(bad[hdr:], 2)
	err = got.UnmarshalBinary(bad)
	require.ErrorIs(t, err, bayes.ErrEncoding)
	assert.Contains(t, err.Error(), "version 2")
	// A negative variance (last value) is rejected.
	bad = append([]byte(nil), b...)
	binary.LittleEndian.PutUint64(bad[len(bad)-8:], math.Float64bits(-1))
	assert.ErrorIs(t, got.UnmarshalBinary(bad), bayes.ErrEncoding)
	require.NoError(t, got.Predict(y, d.X))
	assert.Equal(t, x, y, "failed loads leave the model alone")
}

func FuzzUnmarshal(f *testing.F) {
	m := &bayes.GaussianNB{}
	_ = m.Fit(f.Context(), reftest.Synth(1, 10, 2, 3))
	b, _ := m.MarshalBinary()
	f.Add(b)
	b, _ = (&bayes.GaussianNB{}).MarshalBinary()
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		var m bayes.GaussianNB
		if m.UnmarshalBinary(b) != nil {
			return
		}
		b2, err := m.MarshalBinary()
		require.NoError(t, err)
		assert.Equal(t, b, b2)
		for p := 1; p <= 3; p++ {
			X := make([][]float64, p)
			for j := range X {
				X[j] = []float64{0.5, -1e200}
			}
			dst := make([]float64, 2*100)
			if m.Predict(dst, X) == nil {
				for _, v := range dst {
					if math.IsNaN(v) {
						t.Fatal("NaN probability")
					}
				}
			}
		}
	})
}
