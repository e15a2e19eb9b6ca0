package linear

import (
	"fmt"
	"math"

	"github.com/automl-agent/automl/models"
)

// checkFinite reports the first NaN or infinite value of X, naming its
// feature and row.
func checkFinite(X [][]float64) error {
	for j, col := range X {
		for i, v := range col {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: feature %d row %d is %v (this model needs the dense, imputed view)", models.ErrData, j, i, v)
			}
		}
	}
	return nil
}

// rowError finds the non-finite value behind a non-finite output of row i.
func rowError(X [][]float64, i int) error {
	for j, col := range X {
		if v := col[i]; math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: feature %d row %d is %v (this model needs the dense, imputed view)", models.ErrData, j, i, v)
		}
	}
	return fmt.Errorf("%w: row %d gives a non-finite output (feature values too large)", models.ErrData, i)
}

// weightSum returns the total weight of d, an error if it is not positive.
func weightSum(d *models.Data) (float64, error) {
	if d.W == nil {
		return float64(d.Rows()), nil
	}
	s := 0.0
	for _, w := range d.W {
		s += w
	}
	if !(s > 0) || math.IsInf(s, 0) {
		return 0, fmt.Errorf("%w: total sample weight is %v", models.ErrData, s)
	}
	return s, nil
}

// moments returns the weighted mean and standard deviation of col
// (population form, sum of weights sw).
func moments(col, w []float64, sw float64) (mean, std float64) {
	if w == nil {
		for _, v := range col {
			mean += v
		}
		mean /= sw
		for _, v := range col {
			std += (v - mean) * (v - mean)
		}
		return mean, math.Sqrt(std / sw)
	}
	for i, v := range col {
		mean += w[i] * v
	}
	mean /= sw
	for i, v := range col {
		std += w[i] * (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(std / sw)
}
