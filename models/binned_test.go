package models_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
	_ "github.com/automl-agent/automl/models/forest"
	_ "github.com/automl-agent/automl/models/gbdt"
)

// Every spec that says Binned trains from Data.Bins with X nil and
// predicts exactly as when it also gets X; without bins, X nil is an
// error, not a panic.
func TestBinnedSpecsTrainWithoutX(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	n, p := 600, 4
	X := make([][]float64, p)
	for j := range X {
		X[j] = make([]float64, n)
		for i := range X[j] {
			X[j][i] = rng.NormFloat64()
		}
	}
	for _, classes := range []int{0, 2, 3} {
		y := make([]float64, n)
		for i := range y {
			v := X[0][i] - X[1][i]*X[2][i] + 0.2*rng.NormFloat64()
			y[i] = v
			if classes > 0 {
				y[i] = float64(min(classes-1, max(0, int(v+float64(classes)/2))))
			}
		}
		bins, err := models.NewBinned(X, nil, 0)
		require.NoError(t, err)
		reg := models.Default()
		var binned int
		for _, name := range reg.Names() {
			s, _ := reg.Spec(name)
			if !s.Binned || !s.Supports(classes) {
				continue
			}
			binned++
			withX, err := s.New(models.Params{"seed": 1})
			require.NoError(t, err)
			require.NoError(t, withX.Fit(context.Background(), &models.Data{X: X, Y: y, NumClasses: classes, Bins: bins}), name)
			noX, err := s.New(models.Params{"seed": 1})
			require.NoError(t, err)
			require.NoError(t, noX.Fit(context.Background(), &models.Data{Y: y, NumClasses: classes, Bins: bins}), name)
			a := make([]float64, models.OutputLen(n, classes))
			b := make([]float64, len(a))
			require.NoError(t, withX.Predict(a, X))
			require.NoError(t, noX.Predict(b, X))
			assert.Equal(t, a, b, "%s, %d classes", name, classes)
			bad, _ := s.New(nil)
			assert.ErrorIs(t, bad.Fit(context.Background(), &models.Data{Y: y, NumClasses: classes}), models.ErrData, name)
		}
		assert.GreaterOrEqual(t, binned, 3)
	}
}
