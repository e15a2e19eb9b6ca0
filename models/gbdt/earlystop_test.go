package gbdt

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
)

func TestValidationRowsStratifiedAndSeeded(t *testing.T) {
	// 900 rows of class 0, 90 of class 1, 10 of class 2, 1 of class 3.
	var y []float64
	for c, cnt := range []int{900, 90, 10, 1} {
		for range cnt {
			y = append(y, float64(c))
		}
	}
	v := validationRows(y, 4, 0.1, 7)
	require.NotNil(t, v)
	counts := make([]int, 4)
	for k, i := range v {
		if k > 0 {
			require.Less(t, v[k-1], i, "sorted, no duplicates")
		}
		counts[int(y[i])]++
	}
	assert.Equal(t, []int{90, 9, 1, 0}, counts, "each class gives its share; a single-row class stays in training")
	assert.Equal(t, v, validationRows(y, 4, 0.1, 7), "same seed, same rows")
	assert.NotEqual(t, v, validationRows(y, 4, 0.1, 8), "another seed, other rows")

	// Regression: 10% of 3000 rows; the 50-row floor; the 10,000-row cap.
	assert.Len(t, validationRows(make([]float64, 3000), 0, 0.1, 1), 300)
	assert.Len(t, validationRows(make([]float64, 300), 0, 0.1, 1), 50)
	assert.Len(t, validationRows(make([]float64, 120), 0, 0.1, 1), 30, "at most a quarter")
	assert.Nil(t, validationRows(make([]float64, 60), 0, 0.1, 1), "under 20 rows: no split")
	assert.Len(t, validationRows(make([]float64, 200_000), 0, 0.2, 1), maxValidRows)
}

// Without Data.Valid, early stopping holds out part of the training rows:
// it stops before max_rounds, keeps the best round, is reproducible from
// the seed, and a refit runs the rounds kept.
func TestInternalEarlyStopping(t *testing.T) {
	d := synth(3000, 5, 2, false, 11)
	p := models.Params{"learning_rate": 0.3, "max_leaves": 63, "min_data_in_leaf": 2, "seed": 4, "early_stopping_min_rows": 500}
	m := fit(t, d, p)
	assert.Less(t, m.NumTrees(), defaultMaxRounds/4)
	assert.Greater(t, m.NumTrees(), 3)
	again := fit(t, d, p)
	assert.Equal(t, predict(t, m, d.X), predict(t, again, d.X), "same seed, same model")
	other := fit(t, d, p.Merge(models.Params{"seed": 5}))
	assert.NotEqual(t, predict(t, m, d.X), predict(t, other, d.X), "another seed holds out other rows")

	// The kept round is the best on the held-out rows: recompute them.
	vr := validationRows(d.Y, 2, defaultValidFraction, 4)
	d.Bins = mustBin(t, d.X)
	all := rowSet{bins: d.Bins, y: d.Y}
	tr, _ := all.split(vr)
	rest := &models.Data{X: d.X[:0], Y: tr.y, NumClasses: 2, Bins: tr.bins}
	rest.X = make([][]float64, len(d.X))
	for j := range rest.X {
		rest.X[j] = make([]float64, tr.bins.N) // unused: Bins is set
	}
	held := d.Subset(vr)
	best := loss(objBinary, m.rawScores(held.X), 1, held.Y, nil, 1)
	for _, more := range []int{-5, 5, 20} {
		other := fit(t, rest, p.Merge(models.Params{"num_rounds": m.NumTrees() + more, "early_stopping_rounds": 0}))
		require.Equal(t, m.NumTrees()+more, other.NumTrees())
		assert.LessOrEqual(t, best, loss(objBinary, other.rawScores(held.X), 1, held.Y, nil, 1), "%+d rounds", more)
	}
	d.Bins = nil

	rp := m.RefitParams(p)
	assert.Equal(t, m.NumTrees(), rp["num_rounds"])
	assert.Equal(t, 0, rp["early_stopping_rounds"])
	refit := fit(t, d, rp)
	assert.Equal(t, m.NumTrees(), refit.NumTrees(), "the refit runs the kept rounds on all rows")
}

func TestEarlyStoppingWhenItApplies(t *testing.T) {
	small := synth(400, 4, 0, false, 2) // under early_stopping_min_rows
	m := fit(t, small, nil)
	assert.Equal(t, defaultRounds, m.NumTrees(), "too few rows: num_rounds on all rows")
	m = fit(t, small, models.Params{"num_rounds": 37})
	assert.Equal(t, 37, m.NumTrees())

	// An explicit Data.Valid is honoured even on few rows...
	withValid := *small
	withValid.Valid = synth(300, 4, 0, false, 3)
	m = fit(t, &withValid, models.Params{"learning_rate": 0.5, "early_stopping_rounds": 5})
	assert.Less(t, m.NumTrees(), defaultMaxRounds)
	// ...and ignored with early stopping off: every round runs.
	m = fit(t, &withValid, models.Params{"learning_rate": 0.5, "early_stopping_rounds": 0, "num_rounds": 60})
	assert.Equal(t, 60, m.NumTrees())

	// A lower threshold turns the internal split on.
	m = fit(t, small, models.Params{"early_stopping_min_rows": 100, "learning_rate": 0.5})
	assert.Less(t, m.NumTrees(), defaultMaxRounds)
	assert.NotEqual(t, defaultRounds, m.NumTrees())
}

// Weights travel with their rows into both sides of the split: a weight-0
// row influences neither the trees nor the stopping loss, so zeroing a
// row's weight equals dropping... here checked directly on rowSet.split.
func TestSplitCarriesWeights(t *testing.T) {
	d := synth(10, 2, 2, false, 1)
	bins := mustBin(t, d.X)
	w := make([]float64, 10)
	for i := range w {
		w[i] = float64(i)
	}
	s := rowSet{bins: bins, y: d.Y, w: w}
	tr, va := s.split([]int{2, 5})
	assert.Equal(t, []float64{2, 5}, va.w)
	assert.Equal(t, []float64{0, 1, 3, 4, 6, 7, 8, 9}, tr.w)
	assert.Equal(t, []float64{d.Y[2], d.Y[5]}, va.y)
	assert.Equal(t, 8, tr.bins.N)
	assert.Equal(t, bins.Codes[1][5], va.bins.Codes[1][1])
}

func TestEarlyStoppingParams(t *testing.T) {
	for _, p := range []models.Params{
		{"validation_fraction": 0.0}, {"validation_fraction": 1.0}, {"validation_fraction": math.NaN()},
		{"max_rounds": 0}, {"early_stopping_min_rows": -1}, {"early_stopping_rounds": -1}, {"seed": -1},
	} {
		_, err := New(p)
		assert.ErrorIs(t, err, models.ErrParam, "%v", p)
	}
}
