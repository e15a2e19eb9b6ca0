package linear

import "github.com/automl-agent/automl/models"

// logisticSeconds estimates "logistic" (models.SecondsFunc): L-BFGS takes
// some tens of iterations (up to max_iter), each a pass over rows ×
// features × classes for the loss and gradient.
func logisticSeconds(s models.Shape, p models.Params) float64 {
	iters, err := p.Int("max_iter", DefaultMaxIter)
	if err != nil || iters < 1 {
		iters = DefaultMaxIter
	}
	k := float64(max(s.Classes, 2))
	if s.Classes == 2 {
		k = 1
	}
	n, f := float64(max(s.Rows, 1)), float64(max(s.Features, 1))
	fit := float64(min(iters, 12)) * n * f * k * 4e-9
	return 1e-3 + fit + float64(s.Predict)*f*k*2e-9
}

// leastSquaresSeconds estimates "linear" and "ridge": the normal
// equations cost rows × features² and a features³ solve.
func leastSquaresSeconds(s models.Shape, _ models.Params) float64 {
	n, f := float64(max(s.Rows, 1)), float64(max(s.Features, 1))
	return 1e-3 + 0.5e-9*n*f*f + 1e-9*f*f*f + float64(s.Predict)*f*1e-9
}
