package automl_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/evaluate"
)

func selectedRow(t *testing.T, lb *evaluate.Leaderboard) evaluate.Row {
	t.Helper()
	for _, r := range lb.Rows {
		if r.Selected {
			return r
		}
	}
	t.Fatalf("no selected row:\n%s", lb.Table(0))
	return evaluate.Row{}
}

func TestMaxPredictPer1k(t *testing.T) {
	train := readCSV(t, synthCSV(400, "binary", 1))
	defer train.Release()
	fit := func(limit time.Duration) *automl.Result {
		opts := automl.Options{TimeBudget: time.Minute, Seed: 1, MaxTrials: 12, DisableImportance: true, MaxPredictPer1k: limit}
		res, err := automl.New(opts).Fit(context.Background(), train, "target")
		require.NoError(t, err)
		return res
	}
	free := fit(0)
	var times []float64
	for _, r := range free.Leaderboard.Rows {
		if r.Status == evaluate.StatusOK && len(r.Members) == 0 {
			times = append(times, r.PredictSecondsPer1k)
		}
	}
	slices.Sort(times)
	require.Greater(t, len(times), 4)

	// A limit no trial meets: the fastest trial alone.
	res := fit(time.Nanosecond)
	sel := selectedRow(t, res.Leaderboard)
	assert.Empty(t, sel.Members, "one trial, no blend:\n%s", res.Leaderboard.Table(0))
	for _, r := range res.Leaderboard.Rows {
		if r.Status == evaluate.StatusOK && len(r.Members) == 0 {
			assert.LessOrEqual(t, sel.PredictSecondsPer1k, r.PredictSecondsPer1k, "row %d is faster than the selected one", r.ID)
		}
	}
	assert.NotContains(t, res.Predictor.String(), "+")

	// A limit in the middle: whatever is selected fits it, as measured in
	// that run (the prior baseline always does).
	limit := time.Duration(times[len(times)/2] * float64(time.Second))
	res = fit(limit)
	sel = selectedRow(t, res.Leaderboard)
	assert.LessOrEqual(t, sel.PredictSecondsPer1k, limit.Seconds(), "\n%s", res.Leaderboard.Table(0))
}
