package automl_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/evaluate"
)

// missCost is a business metric: a missed "yes" (class 1) costs 5, a false
// alarm costs 1. Lower is better.
type missCost struct{}

func (missCost) Name() string  { return "miss_cost" }
func (missCost) Greater() bool { return false }
func (m missCost) Score(y, pred []float64, k int, w []float64) (float64, error) {
	labels := make([]float64, len(y))
	for i := range y {
		if pred[2*i+1] >= 0.5 {
			labels[i] = 1
		}
	}
	return m.ScoreLabels(y, labels, k, w)
}
func (missCost) ScoreLabels(y, labels []float64, _ int, _ []float64) (float64, error) {
	var c float64
	for i := range y {
		switch {
		case y[i] == 1 && labels[i] == 0:
			c += 5
		case y[i] == 0 && labels[i] == 1:
			c++
		}
	}
	return c / float64(len(y)), nil
}

func TestCustomMetricTunesThreshold(t *testing.T) {
	train := readCSV(t, synthCSV(400, "binary", 21))
	defer train.Release()
	plain, err := automl.New(automl.Options{MaxTrials: 8, Seed: 1}).Fit(t.Context(), train, "target")
	require.NoError(t, err)
	costly, err := automl.New(automl.Options{MaxTrials: 8, Seed: 1, CustomMetric: missCost{}}).Fit(t.Context(), train, "target")
	require.NoError(t, err)
	assert.Equal(t, "miss_cost", costly.Leaderboard.Metric)
	assert.False(t, costly.Leaderboard.Greater)

	count := func(res *automl.Result) int {
		p, err := res.Predictor.Predict(t.Context(), train)
		require.NoError(t, err)
		n := 0
		for _, l := range p.Labels {
			if l == "yes" {
				n++
			}
		}
		return n
	}
	// Misses cost five times more, so the tuned threshold says "yes" more often.
	assert.Greater(t, count(costly), count(plain))
}

func TestWeightColumn(t *testing.T) {
	base := synthCSV(300, "regression", 3)
	var b strings.Builder
	for i, line := range strings.Split(strings.TrimSpace(base), "\n") {
		if i == 0 {
			b.WriteString(line + ",w\n")
			continue
		}
		fmt.Fprintf(&b, "%s,%d\n", line, 1+i%3)
	}
	train := readCSV(t, b.String())
	defer train.Release()
	res, err := automl.New(automl.Options{MaxTrials: 6, Seed: 1, Weight: "w"}).Fit(t.Context(), train, "target")
	require.NoError(t, err)
	assert.NotContains(t, res.Predictor.Columns(), "w", "the weight column is never a feature")
	var _ evaluate.LabelMetric = missCost{}
}
