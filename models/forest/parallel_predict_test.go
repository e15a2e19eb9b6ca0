package forest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
)

// A batch large enough to fan out gives the same predictions as the same
// rows predicted in small batches on the caller's goroutine.
func TestPredictSameAcrossParallelThreshold(t *testing.T) {
	train := xorData(1000, 4, 3)
	m, err := NewRandomForest(models.Params{"n_estimators": 20, "n_jobs": 2})
	require.NoError(t, err)
	require.NoError(t, m.Fit(t.Context(), train))
	test := xorData(parallelRows+333, 4, 4)
	all := predict(t, m, test, 2)
	n := len(test.Y)
	for lo := 0; lo < n; lo += 250 {
		hi := min(n, lo+250)
		part := &models.Data{X: make([][]float64, len(test.X)), Y: test.Y[lo:hi], NumClasses: 2}
		for j := range test.X {
			part.X[j] = test.X[j][lo:hi]
		}
		assert.Equal(t, all[2*lo:2*hi], predict(t, m, part, 2), "rows %d..%d", lo, hi)
	}
}
