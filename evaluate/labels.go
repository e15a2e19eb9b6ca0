package evaluate

import (
	"fmt"
	"math"
)

// Accuracy is the weighted fraction of rows whose predicted class (argmax of
// the probability row) equals the true class: Σ w_i [ŷ_i = y_i] / Σ w_i.
// Higher is better. It matches sklearn.metrics.accuracy_score.
type Accuracy struct{}

// BalancedAccuracy is the mean over classes of the per-class recall
// (weighted true positives over weighted support). Classes with no weight
// in y are left out of the mean, as in
// sklearn.metrics.balanced_accuracy_score. Higher is better.
type BalancedAccuracy struct{}

// F1 is the binary F1 score of the positive class 1:
// 2·TP / (2·TP + FP + FN) with weighted counts, 0 when the denominator is 0
// (sklearn.metrics.f1_score, average="binary"). It applies only to two
// classes. Higher is better.
type F1 struct{}

// F1Macro is the unweighted mean over classes of the per-class F1 score.
// The classes averaged are those that occur in y or in the predictions, as
// in sklearn.metrics.f1_score(average="macro"); a class whose F1 has a zero
// denominator counts as 0. Higher is better.
type F1Macro struct{}

// Name returns "accuracy".
func (Accuracy) Name() string { return NameAccuracy }

// Name returns "balanced_accuracy".
func (BalancedAccuracy) Name() string { return NameBalancedAccuracy }

// Name returns "f1".
func (F1) Name() string { return NameF1 }

// Name returns "f1_macro".
func (F1Macro) Name() string { return NameF1Macro }

// Greater returns true.
func (Accuracy) Greater() bool { return true }

// Greater returns true.
func (BalancedAccuracy) Greater() bool { return true }

// Greater returns true.
func (F1) Greater() bool { return true }

// Greater returns true.
func (F1Macro) Greater() bool { return true }

func (Accuracy) tasks() taskKind         { return taskClassification }
func (BalancedAccuracy) tasks() taskKind { return taskClassification }
func (F1) tasks() taskKind               { return taskBinary }
func (F1Macro) tasks() taskKind          { return taskClassification }

// Score labels each row by argmax and returns the accuracy.
func (m Accuracy) Score(y, pred []float64, numClasses int, w []float64) (float64, error) {
	return scoreByArgmax(m, y, pred, numClasses, w)
}

// Score labels each row by argmax and returns the balanced accuracy.
func (m BalancedAccuracy) Score(y, pred []float64, numClasses int, w []float64) (float64, error) {
	return scoreByArgmax(m, y, pred, numClasses, w)
}

// Score labels each row by argmax and returns the F1 of class 1.
func (m F1) Score(y, pred []float64, numClasses int, w []float64) (float64, error) {
	return scoreByArgmax(m, y, pred, numClasses, w)
}

// Score labels each row by argmax and returns the macro F1.
func (m F1Macro) Score(y, pred []float64, numClasses int, w []float64) (float64, error) {
	return scoreByArgmax(m, y, pred, numClasses, w)
}

// ScoreLabels returns the accuracy of the given labels.
func (m Accuracy) ScoreLabels(y, labels []float64, numClasses int, w []float64) (float64, error) {
	return scoreLabels(m, y, labels, numClasses, w)
}

// ScoreLabels returns the balanced accuracy of the given labels.
func (m BalancedAccuracy) ScoreLabels(y, labels []float64, numClasses int, w []float64) (float64, error) {
	return scoreLabels(m, y, labels, numClasses, w)
}

// ScoreLabels returns the F1 of class 1 for the given labels.
func (m F1) ScoreLabels(y, labels []float64, numClasses int, w []float64) (float64, error) {
	return scoreLabels(m, y, labels, numClasses, w)
}

// ScoreLabels returns the macro F1 of the given labels.
func (m F1Macro) ScoreLabels(y, labels []float64, numClasses int, w []float64) (float64, error) {
	return scoreLabels(m, y, labels, numClasses, w)
}

// confusion is a weighted K×K confusion matrix, conf[t*K+p], plus which
// classes occur (unweighted) in the targets or the labels.
type confusion struct {
	k       int
	conf    []float64
	present []bool
}

func newConfusion(y, labels []float64, k int, w []float64) confusion {
	c := confusion{k: k, conf: make([]float64, k*k), present: make([]bool, k)}
	for i, t := range y {
		ti, pi := int(t), int(labels[i])
		c.conf[ti*k+pi] += weight(w, i)
		c.present[ti], c.present[pi] = true, true
	}
	return c
}

// fromConfusion computes a label metric from a confusion matrix.
func fromConfusion(m Metric, c confusion) float64 {
	k := c.k
	switch m.(type) {
	case Accuracy:
		diag, tot := 0.0, 0.0
		for t := range k {
			for p := range k {
				tot += c.conf[t*k+p]
			}
			diag += c.conf[t*k+t]
		}
		return diag / tot
	case BalancedAccuracy:
		sum, cnt := 0.0, 0
		for t := range k {
			row := 0.0
			for p := range k {
				row += c.conf[t*k+p]
			}
			if row > 0 {
				sum += c.conf[t*k+t] / row
				cnt++
			}
		}
		return sum / float64(cnt)
	case F1:
		return f1Of(c, 1)
	case F1Macro:
		sum, cnt := 0.0, 0
		for cl := range k {
			if c.present[cl] {
				sum += f1Of(c, cl)
				cnt++
			}
		}
		return sum / float64(cnt)
	}
	return math.NaN() // unreachable: only built-in label metrics get here
}

// f1Of returns the F1 of class cl, 0 on a zero denominator.
func f1Of(c confusion, cl int) float64 {
	k := c.k
	tp := c.conf[cl*k+cl]
	fp, fn := 0.0, 0.0
	for o := range k {
		if o != cl {
			fp += c.conf[o*k+cl]
			fn += c.conf[cl*k+o]
		}
	}
	d := 2*tp + fp + fn
	if d == 0 {
		return 0
	}
	return 2 * tp / d
}

func scoreByArgmax(m Metric, y, pred []float64, numClasses int, w []float64) (float64, error) {
	if _, err := checkInput(m, y, pred, numClasses, w); err != nil {
		return 0, err
	}
	labels := Labels(nil, pred, numClasses)
	return fromConfusion(m, newConfusion(y, labels, numClasses, w)), nil
}

func scoreLabels(m Metric, y, labels []float64, numClasses int, w []float64) (float64, error) {
	if err := CheckTask(m, numClasses); err != nil {
		return 0, err
	}
	if len(y) == 0 {
		return 0, fmt.Errorf("%w: %s: no rows", ErrInput, m.Name())
	}
	if len(labels) != len(y) {
		return 0, fmt.Errorf("%w: %s: %d labels for %d rows", ErrInput, m.Name(), len(labels), len(y))
	}
	if err := checkTarget(m.Name(), y, numClasses); err != nil {
		return 0, err
	}
	if err := checkTarget(m.Name()+" labels", labels, numClasses); err != nil {
		return 0, err
	}
	if _, err := checkWeights(m.Name(), w, len(y)); err != nil {
		return 0, err
	}
	return fromConfusion(m, newConfusion(y, labels, numClasses, w)), nil
}
