package knn

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
)

// A panic inside Predict's worker goroutines (here: fitted state broken on
// purpose, so searchBlock indexes past the norms) must come back as an
// error; before, it ended the process.
func TestPredictWorkerPanicIsAnError(t *testing.T) {
	spec, err := models.Default().Spec("knn")
	require.NoError(t, err)
	mm, err := spec.New(spec.Portfolio[0])
	require.NoError(t, err)
	n := 500
	X := [][]float64{make([]float64, n), make([]float64, n)}
	y := make([]float64, n)
	for i := range n {
		X[0][i], X[1][i] = float64(i%17), float64(i%5)
		y[i] = float64(i % 2)
	}
	require.NoError(t, mm.Fit(t.Context(), &models.Data{X: X, Y: y, NumClasses: 2}))
	dst := make([]float64, 2*n)
	require.NoError(t, mm.Predict(dst, X))

	m := mm.(*KNN)
	m.norms = m.norms[:1] // corrupt: every query block now panics in a worker
	err = m.Predict(dst, X)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "panic")
}
