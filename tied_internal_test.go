package automl

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/evaluate"
)

// tiedRun is a run with n regression rows cross-validated in k folds.
func tiedRun(t *testing.T, y []float64, k int) *run {
	t.Helper()
	splits, err := evaluate.KFold(len(y), k, 1)
	require.NoError(t, err)
	r := &run{metric: evaluate.RMSE{}, oy: y, splits: splits, nfolds: k}
	foldTargets(r)
	return r
}

// foldTargets fills r.foldY (and nil r.foldW) from r.oy and r.splits, as
// the search does for unweighted rows.
func foldTargets(r *run) {
	for _, s := range r.splits {
		fy := make([]float64, len(s.Test))
		for j, i := range s.Test {
			fy[j] = r.oy[i]
		}
		r.foldY = append(r.foldY, fy)
		r.foldW = append(r.foldW, nil)
	}
}

// noisy returns y plus Gaussian noise of standard deviation sd.
func noisy(rng *rand.Rand, y []float64, sd float64) []float64 {
	out := make([]float64, len(y))
	for i, v := range y {
		out[i] = v + sd*rng.NormFloat64()
	}
	return out
}

func TestTiedStartsGreedyFromTheTrialsTheFoldsCannotTellApart(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	y := noisy(rng, make([]float64, 40), 10)
	r := tiedRun(t, y, 5)
	good := noisy(rng, y, 1)
	twin := noisy(rng, good, 0.05) // ties with good
	bad := noisy(rng, y, 8)        // clearly worse on every fold
	got := r.tied([][]float64{bad, twin, good}, evaluate.RMSE{})
	require.Len(t, got, 3)
	best := got[0]
	assert.Contains(t, []int{1, 2}, best, "the best by mean fold score")
	assert.Equal(t, best, got[1], "the best counts twice")
	assert.Equal(t, 3-best, got[2], "its twin ties with it")

	// Nothing ties with the best: plain greedy selection.
	assert.Nil(t, r.tied([][]float64{bad, good}, evaluate.RMSE{}))
	assert.Nil(t, r.tied([][]float64{good}, evaluate.RMSE{}), "one candidate")

	// One fold cannot tell anything apart: no standard error, no tie.
	one := &run{metric: evaluate.RMSE{}, oy: y, splits: r.splits[:1], foldY: r.foldY[:1], foldW: r.foldW[:1], nfolds: 1}
	assert.Nil(t, one.tied([][]float64{good, twin}, evaluate.RMSE{}))
}

// On a big table the same two kinds of model no longer tie: the standard
// error shrinks with the rows.
func TestTiedIsEmptyWhenRowsSeparateTheTrials(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	y := noisy(rng, make([]float64, 20_000), 10)
	r := tiedRun(t, y, 5)
	good := noisy(rng, y, 1)
	worse := noisy(rng, y, 1.1)
	assert.Nil(t, r.tied([][]float64{good, worse}, evaluate.RMSE{}))

	small := tiedRun(t, y[:40], 5)
	assert.Len(t, small.tied([][]float64{good[:40], worse[:40]}, evaluate.RMSE{}), 3, "on 40 rows they tie")
}
