package evaluate

import (
	"fmt"
	"math"
	"strings"
)

// Metric scores predictions against targets.
//
// Score takes predictions in the models contract layout: for regression
// (numClasses == 0) one value per row, len(pred) == len(y); for
// classification numClasses probabilities per row, row-major
// (pred[i*numClasses+c]), and y holds class indices 0..numClasses-1 as
// float64. w holds per-row weights; nil means every row weighs 1.
//
// Score returns an error wrapping ErrInput for empty input, mismatched
// lengths, a non-finite prediction, target or weight, a negative weight,
// weights summing to zero, a class index out of range, or a task the metric
// does not support (e.g. RMSE on a classification). It never panics.
//
// Greater reports the direction: true when a higher score is better.
// Implementations must be safe for concurrent use.
type Metric interface {
	Name() string
	Greater() bool
	Score(y, pred []float64, numClasses int, w []float64) (float64, error)
}

// LabelMetric is a classification metric computed from hard labels. Its
// Score labels each row by the argmax of its probabilities (ties go to the
// lowest class index); ScoreLabels takes the labels directly (class indices
// as float64, one per row), which is how a tuned decision threshold is
// scored (see TuneThreshold and Thresholded).
type LabelMetric interface {
	Metric
	ScoreLabels(y, labels []float64, numClasses int, w []float64) (float64, error)
}

// Metric names accepted by MetricByName.
const (
	NameAccuracy         = "accuracy"
	NameBalancedAccuracy = "balanced_accuracy"
	NameF1               = "f1"
	NameF1Macro          = "f1_macro"
	NameLogLoss          = "log_loss"
	NameROCAUC           = "roc_auc"
	NameRMSE             = "rmse"
	NameMAE              = "mae"
	NameR2               = "r2"
)

// MetricNames returns the names MetricByName accepts, sorted.
func MetricNames() []string {
	return []string{NameAccuracy, NameBalancedAccuracy, NameF1, NameF1Macro,
		NameLogLoss, NameMAE, NameR2, NameRMSE, NameROCAUC}
}

// MetricByName returns the metric called name (case and surrounding space
// are ignored). An unknown name is an error wrapping ErrUnknownMetric that
// lists the known names.
func MetricByName(name string) (Metric, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case NameAccuracy:
		return Accuracy{}, nil
	case NameBalancedAccuracy:
		return BalancedAccuracy{}, nil
	case NameF1:
		return F1{}, nil
	case NameF1Macro:
		return F1Macro{}, nil
	case NameLogLoss:
		return LogLoss{}, nil
	case NameROCAUC:
		return ROCAUC{}, nil
	case NameRMSE:
		return RMSE{}, nil
	case NameMAE:
		return MAE{}, nil
	case NameR2:
		return R2{}, nil
	}
	return nil, fmt.Errorf("%w: %q (known: %s)", ErrUnknownMetric, name, strings.Join(MetricNames(), ", "))
}

// DefaultMetric returns the metric used when the caller names none:
// Accuracy for classification (numClasses >= 2) and RMSE for regression
// (numClasses == 0).
//
// Accuracy is what AutoGluon defaults to and what most users read first; it
// is coarse for model selection on small data, so callers who care about
// probabilities should ask for "log_loss" or "roc_auc" explicitly (the
// ensemble and stacking code works with any metric).
func DefaultMetric(numClasses int) Metric {
	if numClasses == 0 {
		return RMSE{}
	}
	return Accuracy{}
}

// Loss turns a score of m into a value where lower is better: score itself
// when m is a loss (Greater false), -score otherwise. NaN stays NaN.
func Loss(m Metric, score float64) float64 {
	if m.Greater() {
		return -score
	}
	return score
}

// Better reports whether score a is strictly better than b under m. A NaN
// is worse than any number, and two NaNs are equal.
func Better(m Metric, a, b float64) bool {
	switch {
	case math.IsNaN(a):
		return false
	case math.IsNaN(b):
		return true
	case m.Greater():
		return a > b
	}
	return a < b
}

// Worst returns the worst possible score of m: -Inf when higher is better,
// +Inf otherwise. It is a safe starting point for a running best.
func Worst(m Metric) float64 {
	if m.Greater() {
		return math.Inf(-1)
	}
	return math.Inf(1)
}

// task kinds a built-in metric supports.
type taskKind uint8

const (
	taskRegression taskKind = 1 << iota
	taskBinary
	taskMulticlass
	taskClassification = taskBinary | taskMulticlass
)

type tasker interface{ tasks() taskKind }

// CheckTask reports, with an error wrapping ErrInput, a built-in metric that
// does not apply to numClasses (0 = regression): e.g. RMSE on a
// classification or "f1" on three classes. Metrics defined outside this
// package are assumed to apply to every task.
func CheckTask(m Metric, numClasses int) error {
	if numClasses < 0 || numClasses == 1 {
		return fmt.Errorf("%w: numClasses = %d (want 0 for regression or >= 2)", ErrInput, numClasses)
	}
	t, ok := m.(tasker)
	if !ok {
		return nil
	}
	var need taskKind
	var what string
	switch {
	case numClasses == 0:
		need, what = taskRegression, "regression"
	case numClasses == 2:
		need, what = taskBinary, "binary classification"
	default:
		need, what = taskMulticlass, fmt.Sprintf("%d-class classification", numClasses)
	}
	if t.tasks()&need == 0 {
		return fmt.Errorf("%w: metric %q does not apply to %s", ErrInput, m.Name(), what)
	}
	return nil
}

// checkInput validates the arguments of Score and returns the total weight.
func checkInput(m Metric, y, pred []float64, numClasses int, w []float64) (float64, error) {
	if err := CheckTask(m, numClasses); err != nil {
		return 0, err
	}
	n := len(y)
	if n == 0 {
		return 0, fmt.Errorf("%w: %s: no rows", ErrInput, m.Name())
	}
	want := n
	if numClasses > 0 {
		want = n * numClasses
	}
	if len(pred) != want {
		return 0, fmt.Errorf("%w: %s: %d predictions for %d rows and %d classes, want %d",
			ErrInput, m.Name(), len(pred), n, numClasses, want)
	}
	for i, p := range pred {
		if math.IsNaN(p) || math.IsInf(p, 0) {
			row := i
			if numClasses > 0 {
				row = i / numClasses
			}
			return 0, fmt.Errorf("%w: %s: prediction %v at row %d", ErrInput, m.Name(), p, row)
		}
	}
	if err := checkTarget(m.Name(), y, numClasses); err != nil {
		return 0, err
	}
	return checkWeights(m.Name(), w, n)
}

// checkTarget validates y: finite, and a class index in range for
// classification.
func checkTarget(name string, y []float64, numClasses int) error {
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: %s: target %v at row %d", ErrInput, name, v, i)
		}
		if numClasses > 0 && (v < 0 || v >= float64(numClasses) || v != math.Trunc(v)) {
			return fmt.Errorf("%w: %s: class %v at row %d is not in 0..%d", ErrInput, name, v, i, numClasses-1)
		}
	}
	return nil
}

// checkWeights validates w (nil = uniform) for n rows and returns its sum.
func checkWeights(name string, w []float64, n int) (float64, error) {
	if w == nil {
		return float64(n), nil
	}
	if len(w) != n {
		return 0, fmt.Errorf("%w: %s: %d weights for %d rows", ErrInput, name, len(w), n)
	}
	s := 0.0
	for i, v := range w {
		if !(v >= 0) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("%w: %s: weight %v at row %d", ErrInput, name, v, i)
		}
		s += v
	}
	if !(s > 0) || math.IsInf(s, 0) {
		return 0, fmt.Errorf("%w: %s: weights sum to %v", ErrInput, name, s)
	}
	return s, nil
}

// weight returns w[i], or 1 when w is nil.
func weight(w []float64, i int) float64 {
	if w == nil {
		return 1
	}
	return w[i]
}

// Labels writes into dst the argmax class of each row of the n*numClasses
// probabilities pred (ties go to the lowest index) and returns dst, grown
// if it is short. It is how label metrics turn probabilities into classes.
func Labels(dst, pred []float64, numClasses int) []float64 {
	if numClasses < 1 {
		return dst[:0]
	}
	n := len(pred) / numClasses
	if cap(dst) < n {
		dst = make([]float64, n)
	}
	dst = dst[:n]
	for i := range n {
		row := pred[i*numClasses : (i+1)*numClasses]
		best := 0
		for c := 1; c < numClasses; c++ {
			if row[c] > row[best] {
				best = c
			}
		}
		dst[i] = float64(best)
	}
	return dst
}
