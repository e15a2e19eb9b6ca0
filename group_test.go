package automl_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/evaluate"
)

// groupedCSV writes groups of rows that share an unobserved offset and an
// observed per-group covariate z, which lets a model recognise a group it
// has seen (and its offset) but says nothing about a new group.
func groupedCSV(groups, per int, seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 5))
	var b strings.Builder
	b.WriteString("customer,x,z,y\n")
	for g := range groups {
		offset, z := 2*rng.NormFloat64(), rng.Float64()
		for range per {
			x := rng.NormFloat64()
			y := x + offset + 0.3*rng.NormFloat64()
			fmt.Fprintf(&b, "c%d-%d,%.4f,%.6f,%.4f\n", seed, g, x, z, y)
		}
	}
	return b.String()
}

func TestGroupFoldsScoreNewGroupsHonestly(t *testing.T) {
	train := readCSV(t, groupedCSV(60, 10, 1))
	defer train.Release()
	test := readCSV(t, groupedCSV(60, 10, 2)) // groups never seen
	defer test.Release()
	ys, err := dataset.Floats(test.Column(test.ColumnIndex("y")))
	require.NoError(t, err)

	fit := func(group string) (cv, heldOut float64) {
		opts := automl.Options{
			TimeBudget: time.Minute, Seed: 1, MaxTrials: 6, Parallelism: 2, Repeats: 1,
			Include: []string{"gbdt", "random_forest"}, Group: group, DisableImportance: true,
		}
		if group == "" {
			opts.Drop = []string{"customer"}
		}
		res, err := automl.New(opts).Fit(context.Background(), train, "y")
		require.NoError(t, err)
		pred, err := res.Predictor.Predict(context.Background(), test)
		require.NoError(t, err)
		rmse, err := evaluate.RMSE{}.Score(ys, pred.Values, 0, nil)
		require.NoError(t, err)
		return res.Leaderboard.Rows[0].Score, rmse
	}
	cvGroup, outGroup := fit("customer")
	cvRows, outRows := fit("")
	t.Logf("group folds: CV RMSE %.3f, new groups %.3f; row folds: CV %.3f, new groups %.3f", cvGroup, outGroup, cvRows, outRows)
	assert.InDelta(t, 1, cvGroup/outGroup, 0.3, "group folds should score new groups honestly")
	assert.Less(t, cvRows/outRows, 0.6, "row folds are optimistic here: the test data is wrong if not")
}

func TestGroupBadInput(t *testing.T) {
	f := readCSV(t, groupedCSV(1, 20, 1))
	defer f.Release()
	_, err := automl.New(automl.Options{Group: "nope"}).Fit(context.Background(), f, "y")
	assert.ErrorIs(t, err, automl.ErrInput)
	_, err = automl.New(automl.Options{Group: "y"}).Fit(context.Background(), f, "y")
	assert.ErrorIs(t, err, automl.ErrInput)
	_, err = automl.New(automl.Options{Group: "customer", MaxTrials: 2}).Fit(context.Background(), f, "y")
	require.ErrorIs(t, err, automl.ErrInput)
	assert.Contains(t, err.Error(), "distinct")
}
