package knn

import "github.com/automl-agent/automl/models"

// Seconds is the "knn" spec's cost estimate (models.SecondsFunc): fitting
// stores at most max_train_rows rows; predicting compares each predicted
// row with every stored one, so the cost is quadratic in rows until the
// cap: Predict × stored × features.
func Seconds(s models.Shape, p models.Params) float64 {
	limit, err := p.Int("max_train_rows", DefaultMaxTrainRows)
	if err != nil || limit < 1 {
		limit = DefaultMaxTrainRows
	}
	stored := float64(min(max(s.Rows, 1), limit))
	f := float64(max(s.Features, 1))
	fit := 2e-9 * float64(max(s.Rows, 1)) * f
	pred := 4e-9 * float64(s.Predict) * stored * f / models.ParallelSpeedup(max(s.Threads, 2))
	return 1e-3 + fit + pred
}
