package evaluate

import (
	"fmt"
	"math"
	"slices"
)

// LogLossEps is the clipping bound of LogLoss: probabilities are clipped to
// [LogLossEps, 1-LogLossEps] (sklearn's long-standing default).
const LogLossEps = 1e-15

// LogLoss is the weighted mean negative log-likelihood of the true class
// (cross-entropy): -Σ w_i log p̃_{i,y_i} / Σ w_i, where each probability is
// clipped to [LogLossEps, 1-LogLossEps] and the clipped row is renormalized
// to sum to 1, as sklearn.metrics.log_loss does with eps=1e-15. Lower is
// better; it applies to classification only.
type LogLoss struct{}

// ROCAUC is the area under the ROC curve. For two classes it scores the
// probability of class 1 and equals the weighted Mann–Whitney statistic:
// the weighted fraction of (positive, negative) pairs ranked correctly, a
// tie counting one half. For more classes it is the unweighted mean of the
// one-vs-rest AUCs of each class's probability column
// (sklearn roc_auc_score with multi_class="ovr", average="macro").
//
// A binary target with only one class (by weight) is an error wrapping
// ErrInput. In the multiclass case a class absent from y (or present in
// every row) is left out of the mean instead — sklearn raises there — so
// that a cross-validation fold missing a rare class still gets a score; it
// is an error only when no class is usable. Higher is better.
type ROCAUC struct{}

// Name returns "log_loss".
func (LogLoss) Name() string { return NameLogLoss }

// Name returns "roc_auc".
func (ROCAUC) Name() string { return NameROCAUC }

// Greater returns false: a lower log loss is better.
func (LogLoss) Greater() bool { return false }

// Greater returns true.
func (ROCAUC) Greater() bool { return true }

func (LogLoss) tasks() taskKind { return taskClassification }
func (ROCAUC) tasks() taskKind  { return taskClassification }

// Score returns the log loss of the probabilities pred.
func (m LogLoss) Score(y, pred []float64, numClasses int, w []float64) (float64, error) {
	sw, err := checkInput(m, y, pred, numClasses, w)
	if err != nil {
		return 0, err
	}
	k := numClasses
	loss := 0.0
	for i, t := range y {
		row := pred[i*k : (i+1)*k]
		s := 0.0
		for _, p := range row {
			s += clipProb(p)
		}
		loss -= weight(w, i) * math.Log(clipProb(row[int(t)])/s)
	}
	return loss / sw, nil
}

func clipProb(p float64) float64 {
	return min(max(p, LogLossEps), 1-LogLossEps)
}

// Score returns the ROC AUC of the probabilities pred.
func (m ROCAUC) Score(y, pred []float64, numClasses int, w []float64) (float64, error) {
	if _, err := checkInput(m, y, pred, numClasses, w); err != nil {
		return 0, err
	}
	n, k := len(y), numClasses
	items := make([]aucItem, n)
	if k == 2 {
		for i := range n {
			items[i] = newAUCItem(pred[i*2+1], y[i] == 1, weight(w, i))
		}
		auc, ok := binaryAUC(items)
		if !ok {
			return 0, fmt.Errorf("%w: roc_auc: y holds only one class", ErrInput)
		}
		return auc, nil
	}
	sum, cnt := 0.0, 0
	for c := range k {
		for i := range n {
			items[i] = newAUCItem(pred[i*k+c], y[i] == float64(c), weight(w, i))
		}
		if auc, ok := binaryAUC(items); ok {
			sum += auc
			cnt++
		}
	}
	if cnt == 0 {
		return 0, fmt.Errorf("%w: roc_auc: no class has both positive and negative rows", ErrInput)
	}
	return sum / float64(cnt), nil
}

// aucItem is one row for binaryAUC: its score and its weight on the
// positive or the negative side.
type aucItem struct{ s, pos, neg float64 }

func newAUCItem(s float64, positive bool, w float64) aucItem {
	if positive {
		return aucItem{s: s, pos: w}
	}
	return aucItem{s: s, neg: w}
}

// binaryAUC sorts items by score and returns the weighted AUC of the
// positive side against the negative side: Σ over pairs of w⁺w⁻ times 1 if
// the positive scores higher, ½ on a tie, over W⁺W⁻. ok is false when
// either side has zero weight.
func binaryAUC(items []aucItem) (auc float64, ok bool) {
	slices.SortFunc(items, func(a, b aucItem) int {
		switch {
		case a.s < b.s:
			return -1
		case a.s > b.s:
			return 1
		}
		return 0
	})
	var negBelow, total, wPos float64
	for g := 0; g < len(items); {
		var gp, gn float64
		e := g
		for ; e < len(items) && items[e].s == items[g].s; e++ {
			gp += items[e].pos
			gn += items[e].neg
		}
		total += gp * (negBelow + gn/2)
		negBelow += gn
		wPos += gp
		g = e
	}
	if wPos == 0 || negBelow == 0 {
		return 0, false
	}
	return total / (wPos * negBelow), true
}
