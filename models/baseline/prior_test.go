package baseline_test

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/models/baseline"
)

func TestRegistered(t *testing.T) {
	s, err := models.Default().Spec("prior")
	require.NoError(t, err)
	assert.True(t, s.Supports(0))
	assert.True(t, s.Supports(7))
	m, err := s.New(nil)
	require.NoError(t, err)
	assert.Equal(t, &baseline.Prior{}, m)
	_, err = s.New(models.Params{"x": 1})
	assert.ErrorIs(t, err, models.ErrParam)
}

func TestPrior(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name string
		d    *models.Data
		q    [][]float64
		want []float64
	}{
		{"classes", &models.Data{X: [][]float64{{1, 2, 3, 4}}, Y: []float64{0, 2, 2, 2}, NumClasses: 3},
			[][]float64{{9, nan}}, []float64{0.25, 0, 0.75, 0.25, 0, 0.75}},
		{"weighted classes", &models.Data{X: [][]float64{{1, 2}}, Y: []float64{0, 1}, W: []float64{1, 3}, NumClasses: 2},
			[][]float64{{0}}, []float64{0.25, 0.75}},
		{"zero weights count rows", &models.Data{X: [][]float64{{1, 2}}, Y: []float64{0, 1}, W: []float64{0, 0}, NumClasses: 2},
			[][]float64{{0}}, []float64{0.5, 0.5}},
		{"one row", &models.Data{X: [][]float64{{nan}}, Y: []float64{1}, NumClasses: 2},
			[][]float64{{0, 1}}, []float64{0, 1, 0, 1}},
		{"mean", &models.Data{X: [][]float64{{nan, nan, nan}}, Y: []float64{1, 2, 6}},
			[][]float64{{0, 1}}, []float64{3, 3}},
		{"weighted mean", &models.Data{X: [][]float64{{0, 0}}, Y: []float64{1, 5}, W: []float64{3, 1}},
			[][]float64{{0}}, []float64{2}},
		{"huge targets", &models.Data{X: [][]float64{{0, 0}}, Y: []float64{1.5e308, 1.5e308}},
			[][]float64{{0}}, []float64{1.5e308}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := &baseline.Prior{}
			require.NoError(t, m.Fit(t.Context(), tc.d))
			got := make([]float64, len(tc.want))
			require.NoError(t, m.Predict(got, tc.q))
			assert.InDeltaSlice(t, tc.want, got, 1e-15)
		})
	}
}

func TestNoFeatures(t *testing.T) {
	m := &baseline.Prior{}
	require.NoError(t, m.Fit(t.Context(), &models.Data{Y: []float64{0, 1, 1}, NumClasses: 2}))
	p, _ := m.Priors()
	assert.InDeltaSlice(t, []float64{1.0 / 3, 2.0 / 3}, p, 1e-15)
	require.NoError(t, m.Predict(nil, nil))
	assert.ErrorIs(t, m.Predict(make([]float64, 4), [][]float64{{1, 2}}), models.ErrData, "column count")
}

func TestErrors(t *testing.T) {
	m := &baseline.Prior{}
	assert.ErrorIs(t, m.Predict(make([]float64, 1), [][]float64{{0}}), models.ErrNotFitted)
	assert.ErrorIs(t, m.Fit(t.Context(), nil), models.ErrData)
	assert.ErrorIs(t, m.Fit(t.Context(), &models.Data{}), models.ErrData, "no rows")
	assert.ErrorIs(t, m.Fit(t.Context(), &models.Data{Y: []float64{2}, NumClasses: 2}), models.ErrData)
	assert.ErrorIs(t, m.Fit(t.Context(), &models.Data{Y: []float64{math.Inf(1)}}), models.ErrData)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.ErrorIs(t, m.Fit(ctx, &models.Data{Y: []float64{1}}), context.Canceled)
	require.NoError(t, m.Fit(t.Context(), &models.Data{X: [][]float64{{1}}, Y: []float64{1}}))
	assert.ErrorIs(t, m.Predict(make([]float64, 1), [][]float64{{1, 2}}), models.ErrData, "dst too short")
}

func TestMarshal(t *testing.T) {
	for _, d := range []*models.Data{
		{X: [][]float64{{1, 2, 3}}, Y: []float64{0, 1, 2}, NumClasses: 4},
		{X: [][]float64{{1, 2, 3}, {0, 0, 0}}, Y: []float64{0.1, 0.2, 0.4}},
	} {
		m := &baseline.Prior{}
		require.NoError(t, m.Fit(t.Context(), d))
		b, err := m.MarshalBinary()
		require.NoError(t, err)
		var got baseline.Prior
		require.NoError(t, got.UnmarshalBinary(b))
		assert.Equal(t, m, &got)
		x := make([]float64, models.OutputLen(3, d.NumClasses))
		y := make([]float64, len(x))
		require.NoError(t, m.Predict(x, d.X))
		require.NoError(t, got.Predict(y, d.X))
		assert.Equal(t, x, y)
		for n := range len(b) {
			assert.ErrorIs(t, got.UnmarshalBinary(b[:n]), baseline.ErrEncoding)
		}
		assert.ErrorIs(t, got.UnmarshalBinary(append(b, 0)), baseline.ErrEncoding)
	}
	var u baseline.Prior
	b, err := u.MarshalBinary()
	require.NoError(t, err)
	require.NoError(t, u.UnmarshalBinary(b))
	assert.ErrorIs(t, u.Predict(nil, nil), models.ErrNotFitted)
}

func FuzzUnmarshal(f *testing.F) {
	for _, d := range []*models.Data{
		{X: [][]float64{{1, 2}}, Y: []float64{0, 1}, NumClasses: 2},
		{X: [][]float64{{1, 2}}, Y: []float64{3, 4}},
	} {
		m := &baseline.Prior{}
		_ = m.Fit(f.Context(), d)
		b, _ := m.MarshalBinary()
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var m baseline.Prior
		if m.UnmarshalBinary(b) != nil {
			return
		}
		b2, err := m.MarshalBinary()
		require.NoError(t, err)
		assert.Equal(t, b, b2)
		_ = m.Predict(make([]float64, 10), [][]float64{{1, 2}})
	})
}

func BenchmarkFit10kx20(b *testing.B) {
	d := &models.Data{X: make([][]float64, 20), Y: make([]float64, 10000), NumClasses: 5}
	for j := range d.X {
		d.X[j] = make([]float64, 10000)
	}
	for i := range d.Y {
		d.Y[i] = float64(i % 5)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := (&baseline.Prior{}).Fit(b.Context(), d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPredict10kx20(b *testing.B) {
	d := &models.Data{X: make([][]float64, 20), Y: make([]float64, 10000), NumClasses: 5}
	for j := range d.X {
		d.X[j] = make([]float64, 10000)
	}
	m := &baseline.Prior{}
	if err := m.Fit(b.Context(), d); err != nil {
		b.Fatal(err)
	}
	dst := make([]float64, 50000)
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Predict(dst, d.X); err != nil {
			b.Fatal(err)
		}
	}
}
