package automl_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl"
)

// Below 2,000 rows Fit runs the baseline, the portfolio and the ensemble,
// then stops: when the time budget is not what ends the run, a wall-clock
// budget gives the same leaderboard and importances every time, at any
// parallelism, without MaxTrials.
func TestSmallTableTimeBudgetRepeats(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("two full portfolio runs (minutes under the race detector)")
	}
	train := readCSV(t, synthCSV(300, "binary", 9))
	defer train.Release()
	var boards []string
	var imps [][]automl.ColumnImportance
	for _, par := range []int{1, 2} {
		opts := automl.Options{TimeBudget: 5 * time.Minute, Seed: 4, Parallelism: par}
		res, err := automl.New(opts).Fit(t.Context(), train, "target")
		require.NoError(t, err)
		require.Less(t, res.Duration, time.Minute, "the budget must not be what ends the run")
		boards = append(boards, leaderboardJSON(t, res.Leaderboard))
		imps = append(imps, res.Importance)
	}
	assert.Equal(t, boards[0], boards[1])
	assert.Equal(t, imps[0], imps[1])
	assert.NotEmpty(t, imps[0])
}
