package automl_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/models"
)

// slowModel trains for a long time, checking ctx every few milliseconds
// the way the real learners check it between trees and epochs.
type slowModel struct {
	epochs int
	k      int
	mean   float64
}

func (m *slowModel) Fit(ctx context.Context, d *models.Data) error {
	for range m.epochs {
		if err := ctx.Err(); err != nil {
			return err
		}
		time.Sleep(5 * time.Millisecond)
	}
	m.k = d.NumClasses
	for _, y := range d.Y {
		m.mean += y / float64(len(d.Y))
	}
	return nil
}

func (m *slowModel) Predict(dst []float64, X [][]float64) error {
	n := len(X[0])
	if m.k == 0 {
		for i := range n {
			dst[i] = m.mean
		}
		return nil
	}
	for i := range n * m.k {
		dst[i] = 1 / float64(m.k)
	}
	return nil
}

func slowRegistry(t *testing.T, epochs int) *models.Registry {
	reg := models.NewRegistry()
	prior, err := models.Default().Spec("prior")
	require.NoError(t, err)
	require.NoError(t, reg.Register(prior))
	require.NoError(t, reg.Register(models.Spec{
		Name:      "slow",
		New:       func(models.Params) (models.Model, error) { return &slowModel{epochs: epochs}, nil },
		Tasks:     models.Regression | models.Classification,
		Portfolio: []models.Params{{}, {"a": 1}, {"a": 2}, {"a": 3}},
	}))
	return reg
}

func TestSlowModelDeadline(t *testing.T) {
	train := readCSV(t, synthCSV(300, "regression", 1))
	defer train.Release()
	before := runtime.NumGoroutine()
	budget := 1500 * time.Millisecond
	start := time.Now()
	// Each slow trial would take 5 folds × 2000 epochs × 5 ms = 50 s.
	res, err := automl.New(automl.Options{TimeBudget: budget, Registry: slowRegistry(t, 2000), Seed: 1}).
		Fit(t.Context(), train, "target")
	took := time.Since(start)
	require.NoError(t, err)
	assert.LessOrEqual(t, took, budget+time.Second, "overran the budget")
	best, ok := res.Leaderboard.Best()
	require.True(t, ok)
	assert.Equal(t, "prior", best.Model, "only the baseline can finish")
	statuses := map[string]int{}
	for _, row := range res.Leaderboard.Rows {
		statuses[row.Status]++
	}
	assert.Positive(t, statuses["timeout"], "the slow trials were cut: %v", statuses)
	preds, err := res.Predictor.Predict(t.Context(), train)
	require.NoError(t, err)
	assert.Len(t, preds.Values, train.NumRows())
	assertNoLeak(t, before)
}

// TestBudgetGoneBeforeTraining: a budget that ends before any model can
// train (here, before profiling is over) is a clear error that says so and
// wraps context.DeadlineExceeded, not ErrInput: the data was fine.
func TestBudgetGoneBeforeTraining(t *testing.T) {
	train := readCSV(t, synthCSV(200, "binary", 1))
	defer train.Release()
	res, err := automl.New(automl.Options{TimeBudget: time.Nanosecond, Seed: 1}).Fit(t.Context(), train, "target")
	require.Error(t, err)
	assert.Nil(t, res)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, automl.ErrInput)
	assert.Contains(t, err.Error(), "time budget ran out while")
}
