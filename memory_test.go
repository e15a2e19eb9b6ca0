package automl_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/dataset"
)

// TestMaxMemoryBoundsKeptModels: deep forests on a 1,500-row table hold
// megabytes per trial; with a MaxMemory that fits only some of them the
// search drops the weaker candidates' models (their rows say so), still
// returns a predictor, and that predictor is smaller than the unbounded
// one and within the budget.
func TestMaxMemoryBoundsKeptModels(t *testing.T) {
	train := readCSV(t, synthCSV(1500, "regression", 4))
	defer train.Release()
	fit := func(maxMemory int64) (dropped, saved int) {
		dropped, _, saved = fitCounts(t, train, maxMemory)
		return dropped, saved
	}
	none, unbounded := fit(0)
	assert.Zero(t, none, "nothing is dropped under the default MaxMemory")
	const maxMemory = 24 << 20
	some, bounded := fit(maxMemory)
	t.Logf("predictor %d bytes unbounded, %d bounded", unbounded, bounded)
	assert.Positive(t, some, "some candidates' models dropped")
	assert.Less(t, bounded, unbounded)
	assert.Less(t, bounded, maxMemory/2)

	// Under a cap that one forest trial's models exceed on their own, the
	// family's later trials are left out before they train.
	// The best trial is kept whatever it holds: the predictor needs it.
	_, leftOut, _ := fitCounts(t, train, 6<<20)
	assert.Positive(t, leftOut, "trials left out by predicted memory")
}

// fitCounts fits forests under maxMemory and counts the rows whose models
// were dropped and the trials left out by predicted memory, and the bytes
// of the saved predictor.
func fitCounts(t *testing.T, train *dataset.Frame, maxMemory int64) (dropped, leftOut, saved int) {
	t.Helper()
	{
		opts := automl.Options{MaxTrials: 7, Seed: 1, Folds: 3, Repeats: 1, MaxMemory: maxMemory,
			Include: []string{"random_forest", "extra_trees"}, DisableImportance: true}
		res, err := automl.New(opts).Fit(t.Context(), train, "target")
		require.NoError(t, err)
		for _, row := range res.Leaderboard.Rows {
			t.Logf("%d %s %s %.4f %s", row.ID, row.Model, row.Status, row.Score, row.Note)
			if strings.Contains(row.Note, "dropped to keep the search within MaxMemory") {
				dropped++
			}
			if row.Status == "skipped" && strings.Contains(row.Error, "MaxMemory leaves for the models kept") {
				leftOut++
			}
		}
		var buf bytes.Buffer
		require.NoError(t, res.Predictor.Save(&buf))
		return dropped, leftOut, buf.Len()
	}
}
