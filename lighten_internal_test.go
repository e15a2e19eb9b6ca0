package automl

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/ensemble"
	"github.com/automl-agent/automl/evaluate"
	"github.com/automl-agent/automl/models"
)

// sizedTrial is a candidate with out-of-fold predictions oof whose models
// take modelBytes.
func sizedTrial(id int, name string, oof []float64, modelBytes int64) *trial {
	return &trial{id: id, spec: models.Spec{Name: name}, oof: oof, bytes: modelBytes + int64(len(oof))*8}
}

func TestLightenDropsHeavySliversTheFoldsCannotTell(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	y := noisy(rng, make([]float64, 2000), 10)
	r := tiedRun(t, y, 5)
	a, b := noisy(rng, y, 3), noisy(rng, y, 3)
	mid := make([]float64, len(y))
	for i := range mid {
		mid[i] = (a[i] + b[i]) / 2
	}
	sliver := noisy(rng, mid, 1) // close to the blend it joins: its 4% changes nothing the folds see

	cand := []*trial{sizedTrial(1, "linear", a, 1e3), sizedTrial(2, "linear", b, 1e3), sizedTrial(3, "random_forest", sliver, 1e8)}
	oofs := [][]float64{a, b, sliver}
	ens := &ensemble.Weighted{Weights: []float64{0.48, 0.48, 0.04}}
	notes := r.lighten(ens, cand, oofs, evaluate.RMSE{})
	require.Len(t, notes, 1)
	assert.Contains(t, notes[0], "dropped random_forest #3 (weight 0.04, 100% of the models' memory)")
	assert.Equal(t, []float64{0.5, 0.5, 0}, ens.Weights)

	// The same weights where the sliver is what the blend needs: it
	// knows y, the others are far off.
	exact := noisy(rng, y, 0.01)
	far1, far2 := noisy(rng, y, 30), noisy(rng, y, 30)
	cand = []*trial{sizedTrial(1, "linear", far1, 1e3), sizedTrial(2, "linear", far2, 1e3), sizedTrial(3, "random_forest", exact, 1e8)}
	ens = &ensemble.Weighted{Weights: []float64{0.45, 0.45, 0.1}}
	assert.Empty(t, r.lighten(ens, cand, [][]float64{far1, far2, exact}, evaluate.RMSE{}))
	assert.Equal(t, []float64{0.45, 0.45, 0.1}, ens.Weights)

	// More than a sliver of weight, or less than half of the memory: kept.
	cand = []*trial{sizedTrial(1, "linear", a, 1e3), sizedTrial(2, "linear", b, 1e3), sizedTrial(3, "random_forest", sliver, 1e8)}
	ens = &ensemble.Weighted{Weights: []float64{0.4, 0.4, 0.2}}
	assert.Empty(t, r.lighten(ens, cand, oofs, evaluate.RMSE{}))
	cand = []*trial{sizedTrial(1, "linear", a, 1e8), sizedTrial(2, "linear", b, 1e3), sizedTrial(3, "random_forest", sliver, 1e7)}
	ens = &ensemble.Weighted{Weights: []float64{0.48, 0.48, 0.04}}
	assert.Empty(t, r.lighten(ens, cand, oofs, evaluate.RMSE{}))

	// Two heavy slivers go one after the other, the heavier first.
	c, d := noisy(rng, a, 1), noisy(rng, a, 1)
	cand = []*trial{sizedTrial(1, "linear", a, 1e3), sizedTrial(2, "knn", c, 4e7), sizedTrial(3, "random_forest", d, 1e8)}
	ens = &ensemble.Weighted{Weights: []float64{0.92, 0.04, 0.04}}
	notes = r.lighten(ens, cand, [][]float64{a, c, d}, evaluate.RMSE{})
	require.Len(t, notes, 2)
	assert.Contains(t, notes[0], "random_forest #3")
	assert.Contains(t, notes[1], "knn #2")
	assert.Equal(t, []float64{1, 0, 0}, ens.Weights)

	// One fold (a holdout) has no standard error: nothing is dropped.
	one := &run{metric: evaluate.RMSE{}, oy: y, splits: r.splits[:1], foldY: r.foldY[:1], foldW: r.foldW[:1], nfolds: 1}
	ens = &ensemble.Weighted{Weights: []float64{0.48, 0.48, 0.04}}
	assert.Empty(t, one.lighten(ens, []*trial{sizedTrial(1, "linear", a, 1e3), sizedTrial(2, "linear", b, 1e3), sizedTrial(3, "random_forest", sliver, 1e8)}, oofs, evaluate.RMSE{}))
}
