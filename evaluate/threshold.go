package evaluate

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Thresholded scores binary probabilities with a decision threshold other
// than argmax: a row is labelled 1 when its class-1 probability is at least
// Threshold, and the labels go to Metric.ScoreLabels. Its Name and Greater
// are those of Metric. Score requires numClasses == 2.
//
// Use it to report the score of a threshold found by TuneThreshold.
type Thresholded struct {
	Metric    LabelMetric
	Threshold float64
}

// Name returns the inner metric's name.
func (t Thresholded) Name() string { return t.Metric.Name() }

// Greater returns the inner metric's direction.
func (t Thresholded) Greater() bool { return t.Metric.Greater() }

// Score labels row i as 1 when pred[2i+1] >= t.Threshold and scores the
// labels with t.Metric.
func (t Thresholded) Score(y, pred []float64, numClasses int, w []float64) (float64, error) {
	if t.Metric == nil {
		return 0, fmt.Errorf("%w: Thresholded has no metric", ErrInput)
	}
	if numClasses != 2 {
		return 0, fmt.Errorf("%w: %s: a threshold needs 2 classes, got %d", ErrInput, t.Name(), numClasses)
	}
	if _, err := checkInput(t.Metric, y, pred, numClasses, w); err != nil {
		return 0, err
	}
	labels := ThresholdLabels(nil, pred, t.Threshold)
	return t.Metric.ScoreLabels(y, labels, numClasses, w)
}

// ThresholdLabels writes into dst, for each row of the n*2 binary
// probabilities pred, 1 if pred[2i+1] >= threshold and 0 otherwise, and
// returns dst (grown if short).
func ThresholdLabels(dst, pred []float64, threshold float64) []float64 {
	n := len(pred) / 2
	if cap(dst) < n {
		dst = make([]float64, n)
	}
	dst = dst[:n]
	for i := range n {
		dst[i] = 0
		if pred[2*i+1] >= threshold {
			dst[i] = 1
		}
	}
	return dst
}

// maxGenericCandidates bounds the thresholds TuneThreshold tries for label
// metrics defined outside this package (each try costs a full ScoreLabels).
const maxGenericCandidates = 256

// TuneThreshold finds the decision threshold on the class-1 probability
// proba1 (one value per row; y holds 0/1) that maximizes the label metric m
// (Accuracy, BalancedAccuracy, F1, F1Macro, or any LabelMetric), and returns
// it with the score it reaches on these rows. Rows are labelled 1 when
// proba1 >= threshold.
//
// For the built-in metrics the search is exact: every cut between two
// distinct probabilities is tried in one sorted sweep (O(n log n)), and the
// threshold returned is the midpoint between the two probabilities around
// the cut, so it generalizes better than a value that sits on a training
// row. Among cuts with the same score the one closest to 0.5 wins. Other
// label metrics are tried on at most 256 cuts at quantiles of proba1.
//
// Tune on out-of-fold probabilities, never on the rows the model trained
// on. An error wraps ErrInput for bad input, a metric that is not a
// LabelMetric, or a y without both classes.
func TuneThreshold(y, proba1, w []float64, m Metric) (threshold, score float64, err error) {
	lm, ok := m.(LabelMetric)
	if !ok {
		return 0, 0, fmt.Errorf("%w: %s is not a label metric; only label metrics have a threshold", ErrInput, m.Name())
	}
	if err := CheckTask(m, 2); err != nil {
		return 0, 0, err
	}
	n := len(y)
	if n == 0 {
		return 0, 0, fmt.Errorf("%w: TuneThreshold: no rows", ErrInput)
	}
	if len(proba1) != n {
		return 0, 0, fmt.Errorf("%w: TuneThreshold: %d probabilities for %d rows", ErrInput, len(proba1), n)
	}
	for i, p := range proba1 {
		if math.IsNaN(p) || math.IsInf(p, 0) {
			return 0, 0, fmt.Errorf("%w: TuneThreshold: probability %v at row %d", ErrInput, p, i)
		}
	}
	if err := checkTarget(m.Name(), y, 2); err != nil {
		return 0, 0, err
	}
	if _, err := checkWeights(m.Name(), w, n); err != nil {
		return 0, 0, err
	}
	var wPos, wNeg float64
	for i, t := range y {
		if t == 1 {
			wPos += weight(w, i)
		} else {
			wNeg += weight(w, i)
		}
	}
	if wPos == 0 || wNeg == 0 {
		return 0, 0, fmt.Errorf("%w: TuneThreshold: y needs both classes with positive weight", ErrInput)
	}

	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(proba1[a], proba1[b]) })
	// cuts[j] is the threshold that labels 1 the rows from the j-th distinct
	// value upward; the last cut labels everything 0.
	var cuts []float64
	var starts []int // first position in idx of each distinct value
	for g := 0; g < n; {
		starts = append(starts, g)
		e := g
		for e < n && proba1[idx[e]] == proba1[idx[g]] {
			e++
		}
		g = e
	}
	lo := proba1[idx[0]]
	if lo > 0 {
		cuts = append(cuts, lo/2)
	} else {
		cuts = append(cuts, lo)
	}
	for j := 1; j < len(starts); j++ {
		a, b := proba1[idx[starts[j]-1]], proba1[idx[starts[j]]]
		c := a + (b-a)/2
		if !(c > a) { // adjacent floats: the upper one is the only cut
			c = b
		}
		cuts = append(cuts, c)
	}
	hi := proba1[idx[n-1]]
	if hi < 1 {
		cuts = append(cuts, hi+(1-hi)/2)
	} else {
		cuts = append(cuts, math.Nextafter(hi, math.Inf(1)))
	}

	better := func(s, t, bestS, bestT float64) bool {
		if s != bestS {
			return s > bestS == lm.Greater()
		}
		return math.Abs(t-0.5) < math.Abs(bestT-0.5)
	}
	bestS, bestT := math.NaN(), 0.0
	if builtinLabel(m) {
		// Sweep: start with everything labelled 1, then move each group of
		// equal probabilities to label 0.
		c := confusion{k: 2, conf: make([]float64, 4), present: []bool{true, true}}
		c.conf[0*2+1], c.conf[1*2+1] = wNeg, wPos // all predicted 1
		for j, t := range cuts {
			if j > 0 {
				for e := starts[j-1]; e < n && (j == len(starts) || e < starts[j]); e++ {
					i := idx[e]
					wi := weight(w, i)
					if y[i] == 1 {
						c.conf[1*2+1] -= wi
						c.conf[1*2+0] += wi
					} else {
						c.conf[0*2+1] -= wi
						c.conf[0*2+0] += wi
					}
				}
			}
			s := fromConfusion(m, c)
			if math.IsNaN(bestS) || better(s, t, bestS, bestT) {
				bestS, bestT = s, t
			}
		}
		return bestT, bestS, nil
	}
	step := 1
	if len(cuts) > maxGenericCandidates {
		step = (len(cuts) + maxGenericCandidates - 1) / maxGenericCandidates
	}
	labels := make([]float64, n)
	for j := 0; j < len(cuts); j += step {
		t := cuts[j]
		for i, p := range proba1 {
			labels[i] = 0
			if p >= t {
				labels[i] = 1
			}
		}
		s, err := lm.ScoreLabels(y, labels, 2, w)
		if err != nil {
			return 0, 0, err
		}
		if math.IsNaN(bestS) || better(s, t, bestS, bestT) {
			bestS, bestT = s, t
		}
	}
	return bestT, bestS, nil
}

// builtinLabel reports whether fromConfusion can score m.
func builtinLabel(m Metric) bool {
	switch m.(type) {
	case Accuracy, BalancedAccuracy, F1, F1Macro:
		return true
	}
	return false
}
