package ensemble

import (
	"fmt"
	"math"

	"github.com/automl-agent/automl/evaluate"
)

// width returns the number of prediction values per row: numClasses, or 1
// for regression.
func width(numClasses int) int { return max(numClasses, 1) }

// checkMembers validates out-of-fold member predictions against y and
// returns the number of rows.
func checkMembers(oof [][]float64, y []float64, numClasses int, m evaluate.Metric) (int, error) {
	if m == nil {
		return 0, fmt.Errorf("%w: no metric", ErrInput)
	}
	if err := evaluate.CheckTask(m, numClasses); err != nil {
		return 0, fmt.Errorf("%w: %w", ErrInput, err)
	}
	if len(oof) == 0 {
		return 0, fmt.Errorf("%w: no ensemble members", ErrInput)
	}
	n := len(y)
	if n == 0 {
		return 0, fmt.Errorf("%w: no rows", ErrInput)
	}
	want := n * width(numClasses)
	for j, p := range oof {
		if len(p) != want {
			return 0, fmt.Errorf("%w: member %d has %d predictions, want %d (%d rows × %d)",
				ErrInput, j, len(p), want, n, width(numClasses))
		}
		for i, v := range p {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, fmt.Errorf("%w: member %d: prediction %v at row %d", ErrInput, j, v, i/width(numClasses))
			}
		}
	}
	return n, nil
}

// checkTargets validates y (finite; class indices in range for
// classification) and w (nil, or n finite non-negative values with a
// positive sum).
func checkTargets(y, w []float64, numClasses int) error {
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: target %v at row %d", ErrInput, v, i)
		}
		if numClasses > 0 && (v < 0 || v >= float64(numClasses) || v != math.Trunc(v)) {
			return fmt.Errorf("%w: class %v at row %d is not in 0..%d", ErrInput, v, i, numClasses-1)
		}
	}
	if w == nil {
		return nil
	}
	if len(w) != len(y) {
		return fmt.Errorf("%w: %d weights for %d rows", ErrInput, len(w), len(y))
	}
	s := 0.0
	for i, v := range w {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: weight %v at row %d", ErrInput, v, i)
		}
		s += v
	}
	if !(s > 0) {
		return fmt.Errorf("%w: weights sum to %v", ErrInput, s)
	}
	return nil
}

// checkColumns validates optional column-major features for n rows.
func checkColumns(X [][]float64, n int) error {
	for j, c := range X {
		if len(c) != n {
			return fmt.Errorf("%w: feature %d has %d rows, want %d", ErrInput, j, len(c), n)
		}
	}
	return nil
}
