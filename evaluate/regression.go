package evaluate

import "math"

// RMSE is the root of the weighted mean squared error:
// sqrt(Σ w_i (y_i - ŷ_i)² / Σ w_i). Lower is better; regression only.
type RMSE struct{}

// MAE is the weighted mean absolute error: Σ w_i |y_i - ŷ_i| / Σ w_i.
// Lower is better; regression only.
type MAE struct{}

// R2 is the coefficient of determination, 1 - Σ w_i (y_i - ŷ_i)² /
// Σ w_i (y_i - ȳ)² with ȳ the weighted mean of y. When y is constant it is 1
// for a perfect prediction and 0 otherwise (sklearn's force_finite rule).
// Higher is better; regression only.
type R2 struct{}

// Name returns "rmse".
func (RMSE) Name() string { return NameRMSE }

// Name returns "mae".
func (MAE) Name() string { return NameMAE }

// Name returns "r2".
func (R2) Name() string { return NameR2 }

// Greater returns false.
func (RMSE) Greater() bool { return false }

// Greater returns false.
func (MAE) Greater() bool { return false }

// Greater returns true.
func (R2) Greater() bool { return true }

func (RMSE) tasks() taskKind { return taskRegression }
func (MAE) tasks() taskKind  { return taskRegression }
func (R2) tasks() taskKind   { return taskRegression }

// Score returns the RMSE of pred.
func (m RMSE) Score(y, pred []float64, numClasses int, w []float64) (float64, error) {
	sw, err := checkInput(m, y, pred, numClasses, w)
	if err != nil {
		return 0, err
	}
	s := 0.0
	for i, t := range y {
		d := t - pred[i]
		s += weight(w, i) * d * d
	}
	return math.Sqrt(s / sw), nil
}

// Score returns the MAE of pred.
func (m MAE) Score(y, pred []float64, numClasses int, w []float64) (float64, error) {
	sw, err := checkInput(m, y, pred, numClasses, w)
	if err != nil {
		return 0, err
	}
	s := 0.0
	for i, t := range y {
		s += weight(w, i) * math.Abs(t-pred[i])
	}
	return s / sw, nil
}

// Score returns the R² of pred.
func (m R2) Score(y, pred []float64, numClasses int, w []float64) (float64, error) {
	sw, err := checkInput(m, y, pred, numClasses, w)
	if err != nil {
		return 0, err
	}
	mean := 0.0
	for i, t := range y {
		mean += weight(w, i) * t
	}
	mean /= sw
	var res, tot float64
	for i, t := range y {
		wi := weight(w, i)
		d := t - pred[i]
		res += wi * d * d
		e := t - mean
		tot += wi * e * e
	}
	if tot == 0 {
		if res == 0 {
			return 1, nil
		}
		return 0, nil
	}
	return 1 - res/tot, nil
}
