package evaluate

import "errors"

// Sentinel errors of the evaluate package; functions wrap them with detail
// (row, column, fold) using %w, so test them with errors.Is.
var (
	// ErrInput reports unusable input: no rows, mismatched lengths, a NaN
	// prediction or target, a class index out of range, bad weights, or a
	// metric asked for a task it does not support.
	ErrInput = errors.New("evaluate: bad input")
	// ErrUnknownMetric reports a metric name MetricByName does not know.
	ErrUnknownMetric = errors.New("evaluate: unknown metric")
	// ErrPanic reports a model that panicked during CrossValidate; the
	// panic value is in the error text.
	ErrPanic = errors.New("evaluate: model panicked")
)
