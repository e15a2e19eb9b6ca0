package automl_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/models"
)

// A service shares one Predictor between request goroutines: every model
// family must predict concurrently without data races (run with -race) and
// give the same answers as one goroutine does.
func TestPredictorConcurrentUse(t *testing.T) {
	train := readCSV(t, synthCSV(300, "multiclass", 1))
	defer train.Release()
	test := readCSV(t, synthCSV(100, "multiclass", 2))
	defer test.Release()
	ctx := context.Background()
	for _, name := range models.Default().Names() {
		t.Run(name, func(t *testing.T) {
			opts := automl.Options{
				TimeBudget: time.Minute, Seed: 1, MaxTrials: 2, Folds: 2, Repeats: 1,
				Include: []string{name}, DisableEnsemble: true, DisableImportance: true,
			}
			res, err := automl.New(opts).Fit(ctx, train, "target")
			require.NoError(t, err)
			p := res.Predictor
			want, err := p.Predict(ctx, test)
			require.NoError(t, err)
			rec := []map[string]any{{"x1": 0.5, "x2": -0.2, "x3": nil, "color": "blue"}}
			wantRec, err := p.PredictRecords(ctx, rec)
			require.NoError(t, err)

			var wg sync.WaitGroup
			for range 6 {
				wg.Go(func() {
					for range 2 {
						got, err := p.Predict(ctx, test)
						if assert.NoError(t, err) {
							assert.Equal(t, want.Proba, got.Proba)
						}
						gotRec, err := p.PredictRecords(ctx, rec)
						if assert.NoError(t, err) {
							assert.Equal(t, wantRec.Proba, gotRec.Proba)
						}
					}
				})
			}
			wg.Wait()
		})
	}
}
