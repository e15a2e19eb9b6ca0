package knn_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/models/internal/reftest"
	"github.com/automl-agent/automl/models/knn"
)

func TestMarshalRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		m    *knn.KNN
		d    *models.Data
	}{
		{"classification weighted", &knn.KNN{Neighbors: 4, Weights: knn.Distance, MaxTrainRows: 60, Seed: 3}, reftest.Synth(1, 100, 3, 3)},
		{"regression", &knn.KNN{}, func() *models.Data { d := reftest.Synth(2, 80, 2, 0); d.W = nil; return d }()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, tc.m.Fit(t.Context(), tc.d))
			b, err := tc.m.MarshalBinary()
			require.NoError(t, err)
			var loaded knn.KNN
			require.NoError(t, loaded.UnmarshalBinary(b))
			assert.Equal(t, tc.m, &loaded)
			want := make([]float64, models.OutputLen(tc.d.Rows(), tc.d.NumClasses))
			got := make([]float64, len(want))
			require.NoError(t, tc.m.Predict(want, tc.d.X))
			require.NoError(t, loaded.Predict(got, tc.d.X))
			assert.Equal(t, want, got, "bit-identical predictions")
			for n := 0; n < len(b); n += 1 + n/50 {
				assert.ErrorIs(t, loaded.UnmarshalBinary(b[:n]), knn.ErrEncoding, "truncated to %d", n)
			}
			assert.ErrorIs(t, loaded.UnmarshalBinary(append(b, 1)), knn.ErrEncoding)
			require.NoError(t, loaded.Predict(got, tc.d.X))
			assert.Equal(t, want, got, "failed loads leave the model alone")
		})
	}
}

func TestMarshalRejects(t *testing.T) {
	d := &models.Data{X: [][]float64{{0, 1}}, Y: []float64{0, 1}, NumClasses: 2}
	m := &knn.KNN{}
	require.NoError(t, m.Fit(t.Context(), d))
	b, err := m.MarshalBinary()
	require.NoError(t, err)
	// The last float is y of row 1: make it class 7 (out of range).
	bad := append([]byte(nil), b...)
	copy(bad[len(bad)-16:], []byte{0, 0, 0, 0, 0, 0, 0x1c, 0x40}) // 7.0
	assert.ErrorIs(t, (&knn.KNN{}).UnmarshalBinary(bad), knn.ErrEncoding)
	bad[len("automl/knn.KNN\x00")] = 9 // version
	err = (&knn.KNN{}).UnmarshalBinary(bad)
	require.ErrorIs(t, err, knn.ErrEncoding)
	assert.Contains(t, err.Error(), "version 9")
}

func FuzzUnmarshal(f *testing.F) {
	for _, k := range []int{0, 2, 3} {
		m := &knn.KNN{Neighbors: 2}
		_ = m.Fit(f.Context(), reftest.Synth(uint64(k), 6, 2, k))
		b, _ := m.MarshalBinary()
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var m knn.KNN
		if m.UnmarshalBinary(b) != nil {
			return
		}
		b2, err := m.MarshalBinary()
		require.NoError(t, err)
		assert.Equal(t, b, b2, "round trip")
		for p := 1; p <= 3; p++ {
			X := make([][]float64, p)
			for j := range X {
				X[j] = []float64{0.5, -1, 3}
			}
			_ = m.Predict(make([]float64, 3*70000), X)
		}
	})
}
