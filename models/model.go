package models

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// Sentinel errors of the models package.
var (
	// ErrUnknownModel reports a name that no factory is registered under.
	ErrUnknownModel = errors.New("models: unknown model")
	// ErrDuplicate reports a second registration under one name.
	ErrDuplicate = errors.New("models: duplicate model name")
	// ErrParam reports a hyperparameter of the wrong type or out of range.
	ErrParam = errors.New("models: bad hyperparameter")
	// ErrData reports training or prediction data a model cannot use.
	ErrData = errors.New("models: bad data")
	// ErrNotFitted reports a Predict before a successful Fit.
	ErrNotFitted = errors.New("models: model not fitted")
	// ErrTask reports a model asked for a task it does not support.
	ErrTask = errors.New("models: unsupported task")
)

// Model is a learner: it fits on Data and predicts into a caller's slice.
//
// Predict writes, for the n rows of X (column-major, as in Data.X):
//   - regression (NumClasses == 0 at Fit): n values into dst[:n];
//   - classification: n*K class probabilities, row-major (dst[i*K+c]), each
//     row summing to 1.
//
// dst must have room for that many values. X must have as many columns as the
// training data; NaN in X marks a missing value. Predict must be safe for
// concurrent use after Fit returns. Fit honours ctx between iterations,
// epochs or trees and returns ctx.Err() when it is done.
//
// Optional capabilities are found by type assertion: Importancer,
// encoding.BinaryMarshaler with encoding.BinaryUnmarshaler (needed to save a
// predictor; a model without them cannot be saved), Stager.
type Model interface {
	Fit(ctx context.Context, d *Data) error
	Predict(dst []float64, X [][]float64) error
}

// Importancer is implemented by models that measure feature importance.
// Importances returns one non-negative value per feature (for trees: total
// gain), in a new slice.
type Importancer interface {
	Importances() []float64
}

// Refitter is implemented by fitted models whose settings for a refit on
// all rows depend on what the fit learned, such as the number of rounds
// early stopping kept. RefitParams returns the parameters (over p, the
// ones the model was made with) for a model to fit once on all rows
// without a validation set. The orchestrator averages numeric values over
// the fold models.
type Refitter interface {
	RefitParams(p Params) Params
}

// Sizer is implemented by fitted models that can tell the memory they
// hold. SizeBytes returns the bytes of the fitted state (trees, stored
// training rows, coefficients), to within a few percent; 0 before Fit.
// The orchestrator adds it up over the models it keeps for blending, to
// hold them within its memory budget; a model without it counts as none.
type Sizer interface {
	SizeBytes() int64
}

// Data is a training set handed to Model.Fit. Models treat it as read-only
// and copy what they keep.
type Data struct {
	// X holds the features column-major: X[j][i] is feature j of row i.
	// NaN marks a missing value.
	X [][]float64
	// Y is the target: a real value for regression, a class index
	// 0..NumClasses-1 (as float64) for classification.
	Y []float64
	// W holds per-row sample weights; nil means every weight is 1.
	W []float64
	// NumClasses is 0 for regression and the number of classes (>= 2)
	// for classification.
	NumClasses int
	// Categories gives, per feature, 0 for a numeric feature or the number
	// of categories c for a categorical one whose values are codes 0..c-1
	// (NaN missing). Nil means every feature is numeric.
	Categories []int
	// Bins optionally holds X already quantized for tree learners; it must
	// describe the same rows. Nil means a tree learner bins X itself.
	// With Bins set, X may be nil for models that train from bins alone
	// (Spec.Binned).
	Bins *Binned
	// Valid is an optional held-out set for early stopping. Its X must have
	// the same columns; its Bins, if any, must use the same edges.
	Valid *Data
}

// Rows returns the number of rows in d.
func (d *Data) Rows() int { return len(d.Y) }

// NumFeatures returns the number of features: len(X), or the bins'
// columns when X is nil.
func (d *Data) NumFeatures() int {
	if d.X == nil && d.Bins != nil {
		return len(d.Bins.Codes)
	}
	return len(d.X)
}

// Weight returns the weight of row i (1 when W is nil).
func (d *Data) Weight(i int) float64 {
	if d.W == nil {
		return 1
	}
	return d.W[i]
}

// Check reports inconsistent data: ragged columns, a target or weight of the
// wrong length, a class index out of range, a non-finite target or weight,
// or no rows.
//
// X may be nil when Bins is set (then Bins must describe the n rows): a
// model whose Spec.Binned is true trains from the bins alone, and the
// search then spares the copy of X.
func (d *Data) Check() error {
	n := len(d.Y)
	if n == 0 {
		return fmt.Errorf("%w: no rows", ErrData)
	}
	if d.X == nil && d.Bins != nil {
		if d.Bins.N != n {
			return fmt.Errorf("%w: bins have %d rows, target has %d", ErrData, d.Bins.N, n)
		}
	} else if len(d.X) == 0 {
		return fmt.Errorf("%w: no features", ErrData)
	}
	for j, c := range d.X {
		if len(c) != n {
			return fmt.Errorf("%w: feature %d has %d rows, target has %d", ErrData, j, len(c), n)
		}
	}
	if d.W != nil && len(d.W) != n {
		return fmt.Errorf("%w: %d weights for %d rows", ErrData, len(d.W), n)
	}
	if nf := d.NumFeatures(); nf == 0 {
		return fmt.Errorf("%w: no features", ErrData)
	} else if d.Categories != nil && len(d.Categories) != nf {
		return fmt.Errorf("%w: %d category counts for %d features", ErrData, len(d.Categories), nf)
	}
	if d.NumClasses == 1 || d.NumClasses < 0 {
		return fmt.Errorf("%w: NumClasses = %d", ErrData, d.NumClasses)
	}
	for i, y := range d.Y {
		if math.IsNaN(y) || math.IsInf(y, 0) {
			return fmt.Errorf("%w: target of row %d is %v", ErrData, i, y)
		}
		if d.NumClasses > 0 && (y < 0 || y >= float64(d.NumClasses) || y != math.Trunc(y)) {
			return fmt.Errorf("%w: class %v of row %d is not in 0..%d", ErrData, y, i, d.NumClasses-1)
		}
	}
	for i, w := range d.W {
		if !(w >= 0) || math.IsInf(w, 0) {
			return fmt.Errorf("%w: weight of row %d is %v", ErrData, i, w)
		}
	}
	return nil
}

// Subset returns the rows of d listed in rows, copied (Bins too, if set).
// Valid is not carried over.
func (d *Data) Subset(rows []int) *Data {
	s := &Data{NumClasses: d.NumClasses, Categories: d.Categories}
	if d.X != nil {
		s.X = make([][]float64, len(d.X))
	}
	for j, c := range d.X {
		col := make([]float64, len(rows))
		for k, i := range rows {
			col[k] = c[i]
		}
		s.X[j] = col
	}
	s.Y = make([]float64, len(rows))
	for k, i := range rows {
		s.Y[k] = d.Y[i]
	}
	if d.W != nil {
		s.W = make([]float64, len(rows))
		for k, i := range rows {
			s.W[k] = d.W[i]
		}
	}
	if d.Bins != nil {
		s.Bins = d.Bins.Subset(rows)
	}
	return s
}

// OutputLen returns how many values Predict writes for n rows of a model
// fitted with numClasses classes (0 for regression).
func OutputLen(n, numClasses int) int {
	if numClasses == 0 {
		return n
	}
	return n * numClasses
}

// CheckPredict reports a dst too short or an X with the wrong column count.
// Models call it at the top of Predict.
func CheckPredict(dst []float64, X [][]float64, features, numClasses int) error {
	if len(X) != features {
		return fmt.Errorf("%w: %d feature columns, model was fitted on %d", ErrData, len(X), features)
	}
	n := 0
	if len(X) > 0 {
		n = len(X[0])
	}
	for j, c := range X {
		if len(c) != n {
			return fmt.Errorf("%w: feature %d has %d rows, feature 0 has %d", ErrData, j, len(c), n)
		}
	}
	if want := OutputLen(n, numClasses); len(dst) < want {
		return fmt.Errorf("%w: dst has room for %d values, need %d", ErrData, len(dst), want)
	}
	return nil
}
