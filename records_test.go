package automl_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl"
)

func TestPredictRecordsMatchesFrame(t *testing.T) {
	train := readCSV(t, synthCSV(300, "binary", 4))
	defer train.Release()
	res, err := automl.New(automl.Options{MaxTrials: 8, Seed: 1}).Fit(t.Context(), train, "target")
	require.NoError(t, err)

	rows := readCSV(t, "x1,x2,x3,color\n0.5,-1.2,2.5,red\n-1,0.3,,blue\n")
	defer rows.Release()
	want, err := res.Predictor.Predict(t.Context(), rows)
	require.NoError(t, err)

	got, err := res.Predictor.PredictRecords(t.Context(), []map[string]any{
		{"x1": 0.5, "x2": -1.2, "x3": 2.5, "color": "red", "unused": true},
		{"x1": -1, "x2": float32(0.3), "color": "blue"}, // x3 missing
	})
	require.NoError(t, err)
	assert.Equal(t, want.Labels, got.Labels)
	assert.InDeltaSlice(t, want.Proba, got.Proba, 1e-6)

	_, err = res.Predictor.PredictRecords(t.Context(), []map[string]any{{"x1": []int{1}}})
	require.ErrorIs(t, err, automl.ErrPredict)
	assert.Contains(t, err.Error(), `"x1"`)
	_, err = res.Predictor.PredictRecords(t.Context(), nil)
	require.ErrorIs(t, err, automl.ErrPredict)
}
