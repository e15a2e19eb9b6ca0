package linear_test

import (
	"encoding"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/models/linear"
)

type codecModel interface {
	models.Model
	encoding.BinaryMarshaler
	encoding.BinaryUnmarshaler
}

func TestMarshalRoundTrip(t *testing.T) {
	for _, tc := range allModels() {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.m.(codecModel)
			require.NoError(t, m.Fit(t.Context(), tc.d))
			b, err := m.MarshalBinary()
			require.NoError(t, err)

			var loaded codecModel
			switch tc.m.(type) {
			case *linear.Logistic:
				loaded = &linear.Logistic{}
			default:
				loaded = &linear.LeastSquares{}
			}
			require.NoError(t, loaded.UnmarshalBinary(b))
			assert.Equal(t, m, loaded)
			want := make([]float64, models.OutputLen(tc.d.Rows(), tc.d.NumClasses))
			got := make([]float64, len(want))
			require.NoError(t, m.Predict(want, tc.d.X))
			require.NoError(t, loaded.Predict(got, tc.d.X))
			assert.Equal(t, want, got, "bit-identical predictions")

			// Every truncation and a flipped version fail cleanly.
			for n := range len(b) {
				assert.ErrorIs(t, loaded.UnmarshalBinary(b[:n]), linear.ErrEncoding, "truncated to %d", n)
			}
			bad := append([]byte(nil), b...)
			bad[len(bad)-len(b)+len("automl/linear.")+20] ^= 0xff
			_ = loaded.UnmarshalBinary(bad) // must not panic
			assert.ErrorIs(t, loaded.UnmarshalBinary(append(b, 0)), linear.ErrEncoding, "trailing byte")
			// The loaded model is unchanged by failed loads.
			require.NoError(t, loaded.Predict(got, tc.d.X))
			assert.Equal(t, want, got)
		})
	}
}

func TestMarshalVersion(t *testing.T) {
	b, err := (&linear.Logistic{}).MarshalBinary()
	require.NoError(t, err)
	i := len("automl/linear.Logistic\x00")
	b[i] = 2
	err = (&linear.Logistic{}).UnmarshalBinary(b)
	require.ErrorIs(t, err, linear.ErrEncoding)
	assert.Contains(t, err.Error(), "version 2")
	assert.ErrorIs(t, (&linear.LeastSquares{}).UnmarshalBinary(b), linear.ErrEncoding, "wrong magic")
}

func TestMarshalUnfitted(t *testing.T) {
	m := &linear.Logistic{C: 0.3, MaxIter: 7}
	b, err := m.MarshalBinary()
	require.NoError(t, err)
	var got linear.Logistic
	require.NoError(t, got.UnmarshalBinary(b))
	assert.Equal(t, *m, got)
	assert.ErrorIs(t, got.Predict(make([]float64, 2), [][]float64{{1}}), models.ErrNotFitted)
}

func FuzzUnmarshal(f *testing.F) {
	for _, tc := range allModels() {
		_ = tc.m.Fit(f.Context(), tc.d)
		b, _ := tc.m.(codecModel).MarshalBinary()
		f.Add(b)
	}
	f.Add([]byte("automl/linear.Logistic\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, m := range []codecModel{&linear.Logistic{}, &linear.LeastSquares{}} {
			if m.UnmarshalBinary(b) != nil {
				continue
			}
			// A model that loads must predict without panicking.
			b2, err := m.MarshalBinary()
			require.NoError(t, err)
			assert.Equal(t, b, b2, "round trip")
			for p := 1; p <= 3; p++ {
				X := make([][]float64, p)
				for j := range X {
					X[j] = []float64{0.5, -1}
				}
				_ = m.Predict(make([]float64, 2*300), X)
			}
		}
	})
}
