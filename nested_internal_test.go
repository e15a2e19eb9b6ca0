package automl

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/ensemble"
	"github.com/automl-agent/automl/evaluate"
)

// A blend's weights chosen on the rows they are scored on flatter it: on
// members that are pure noise, the in-sample greedy blend scores better
// than the truth, and nestedBlend's weights, chosen without the scored
// rows, do not.
func TestNestedBlendIsNotFlattered(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, members = 200, 12
	y := make([]float64, n)
	for i := range y {
		y[i] = rng.NormFloat64()
	}
	oofs := make([][]float64, members)
	for j := range oofs {
		oofs[j] = make([]float64, n)
		for i := range oofs[j] {
			oofs[j][i] = 0.3 * rng.NormFloat64()
		}
	}
	m := evaluate.RMSE{}
	splits, err := evaluate.KFold(n, 5, 3)
	require.NoError(t, err)
	for _, holdout := range []bool{false, true} {
		r := &run{oy: y, splits: splits, nfolds: 5, holdout: holdout, metric: m}
		ens, err := ensemble.Greedy(oofs, y, nil, 0, m, 0)
		require.NoError(t, err)
		in := make([]float64, n)
		require.NoError(t, ens.Combine(in, oofs))
		honest, err := r.nestedBlend(oofs, m)
		require.NoError(t, err)
		sIn, err := m.Score(y, in, 0, nil)
		require.NoError(t, err)
		sHonest, err := m.Score(y, honest, 0, nil)
		require.NoError(t, err)
		assert.Greater(t, sHonest, sIn+0.005, "holdout %v: nested %.4f, in-sample %.4f", holdout, sHonest, sIn)
		for i, v := range honest {
			require.NotZero(t, v, "row %d is predicted", i)
		}
	}
}
