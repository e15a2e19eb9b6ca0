package ensemble

import (
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/automl-agent/automl/evaluate"
)

// DefaultRounds is the number of Greedy selection rounds when rounds is 0.
const DefaultRounds = 25

// Weighted is a weighted average of member predictions, as found by Greedy.
//
// Weights has one entry per member, in the order the members were given,
// non-negative and summing to 1; most are usually 0. Score is the
// ensemble's metric on the out-of-fold predictions it was selected on.
type Weighted struct {
	Weights []float64 `json:"weights"`
	Score   float64   `json:"score"`
}

// Greedy builds an ensemble by forward selection with replacement (Caruana
// et al., "Ensemble selection from libraries of models", ICML 2004), as
// auto-sklearn and AutoGluon do: starting from an empty ensemble, each
// round adds the member whose inclusion gives the best metric on the
// blended out-of-fold predictions (a member may be added many times, which
// raises its weight); a tie goes to the lowest member index. After rounds
// rounds (DefaultRounds when 0) the ensemble is cut back to the earliest
// round with the best score, so the result is at least as good out of fold
// as the best single member (which round 1 picks).
//
// oof[j] holds member j's out-of-fold predictions in the models contract
// layout for numClasses (0 = regression); y and w (nil = uniform) are the
// rows' targets and weights. The blend is the weighted mean of the
// members' vectors, so any metric (labels, probabilities or values) scores
// it the same way. Greedy is deterministic. An error wraps ErrInput for bad
// input, or is the metric's error.
//
// Candidates of a round are scored on up to GOMAXPROCS goroutines (m must
// be safe for concurrent use, as every evaluate.Metric is); the result is
// the same at any GOMAXPROCS.
func Greedy(oof [][]float64, y, w []float64, numClasses int, m evaluate.Metric, rounds int) (*Weighted, error) {
	return GreedyFrom(oof, y, w, numClasses, m, rounds, nil)
}

// GreedyFrom is Greedy started from the ensemble that holds each member
// listed in init once (a member listed twice counts twice): the "sorted
// ensemble initialization" of Caruana et al. (2004), which they found to
// keep selection from overfitting a small hillclimb set. rounds more rounds
// follow (DefaultRounds when 0), and the cut back to the best round never
// goes below the initial ensemble, so the result keeps every initial
// member and may score worse out of fold than the best single member. An
// index in init out of range is an error wrapping ErrInput; an empty init
// is Greedy.
func GreedyFrom(oof [][]float64, y, w []float64, numClasses int, m evaluate.Metric, rounds int, init []int) (*Weighted, error) {
	if rounds < 0 {
		return nil, fmt.Errorf("%w: rounds = %d", ErrInput, rounds)
	}
	if rounds == 0 {
		rounds = DefaultRounds
	}
	n, err := checkMembers(oof, y, numClasses, m)
	if err != nil {
		return nil, err
	}
	size := n * width(numClasses)
	sum := make([]float64, size)
	workers := min(runtime.GOMAXPROCS(0), len(oof))
	cands := make([][]float64, workers)
	for i := range cands {
		cands[i] = make([]float64, size)
	}
	cand := make([]float64, len(oof)) // candidate scores of one round
	errs := make([]error, len(oof))
	// history[r] is the member added in round r; scores[r] the score after.
	history := make([]int, 0, rounds+len(init))
	scores := make([]float64, 0, rounds+len(init))
	for _, j := range init {
		if j < 0 || j >= len(oof) {
			return nil, fmt.Errorf("%w: initial member %d of %d", ErrInput, j, len(oof))
		}
		for i, v := range oof[j] {
			sum[i] += v
		}
		history = append(history, j)
	}
	// floor is the first round the cut back may stop at: the initial
	// ensemble's last member (its earlier rounds get its score too).
	floor := max(0, len(init)-1)
	if len(init) > 0 {
		buf := cands[0]
		for i := range buf {
			buf[i] = sum[i] / float64(len(init))
		}
		s, err := safeScore(m, y, buf, numClasses, w)
		if err != nil {
			return nil, fmt.Errorf("ensemble: initial members: %w", err)
		}
		for range init {
			scores = append(scores, s)
		}
	}
	for r := len(init); r < len(init)+rounds; r++ {
		inv := 1 / float64(r+1)
		// Score every candidate; worker g takes members g, g+workers, ...
		// Each score lands in its own slot, so the choice below does not
		// depend on scheduling.
		var wg sync.WaitGroup
		for g := range workers {
			wg.Add(1)
			go func(buf []float64) {
				defer wg.Done()
				for j := g; j < len(oof); j += workers {
					p := oof[j]
					for i := range buf {
						buf[i] = (sum[i] + p[i]) * inv
					}
					cand[j], errs[j] = safeScore(m, y, buf, numClasses, w)
				}
			}(cands[g])
		}
		wg.Wait()
		bestJ := -1
		for j := range oof {
			if errs[j] != nil {
				return nil, fmt.Errorf("ensemble: member %d: %w", j, errs[j])
			}
			if bestJ < 0 || evaluate.Better(m, cand[j], cand[bestJ]) {
				bestJ = j
			}
		}
		for i, v := range oof[bestJ] {
			sum[i] += v
		}
		history = append(history, bestJ)
		scores = append(scores, cand[bestJ])
	}
	best := floor
	for r := floor; r < len(scores); r++ {
		if s := scores[r]; evaluate.Better(m, s, scores[best]) {
			best = r
		}
	}
	weights := make([]float64, len(oof))
	for _, j := range history[:best+1] {
		weights[j]++
	}
	for j := range weights {
		weights[j] /= float64(best + 1)
	}
	return &Weighted{Weights: weights, Score: scores[best]}, nil
}

// Members returns the indices of the members with a non-zero weight, in
// increasing order: the models a caller must keep and predict with.
func (e *Weighted) Members() []int {
	var out []int
	for j, wt := range e.Weights {
		if wt != 0 {
			out = append(out, j)
		}
	}
	return out
}

// Combine writes the weighted mean of the member predictions into dst:
// dst[i] = Σ_j Weights[j]·preds[j][i]. preds has one entry per member;
// members with zero weight are skipped and may be nil. All used members
// must have the same length L and dst room for L values; for
// classification the result is again a probability row per row. A length
// mismatch is an error wrapping ErrInput.
func (e *Weighted) Combine(dst []float64, preds [][]float64) error {
	if len(preds) != len(e.Weights) {
		return fmt.Errorf("%w: %d member predictions for %d weights", ErrInput, len(preds), len(e.Weights))
	}
	size := -1
	for j, wt := range e.Weights {
		if wt == 0 {
			continue
		}
		if size < 0 {
			size = len(preds[j])
		} else if len(preds[j]) != size {
			return fmt.Errorf("%w: member %d has %d predictions, others %d", ErrInput, j, len(preds[j]), size)
		}
	}
	if size < 0 {
		return fmt.Errorf("%w: every weight is zero", ErrInput)
	}
	if len(dst) < size {
		return fmt.Errorf("%w: dst has room for %d values, need %d", ErrInput, len(dst), size)
	}
	dst = dst[:size]
	clear(dst)
	for j, wt := range e.Weights {
		if wt == 0 {
			continue
		}
		for i, v := range preds[j] {
			dst[i] += wt * v
		}
	}
	return nil
}

// MarshalBinary encodes the ensemble as JSON:
// {"weights":[...],"score":s}, with a non-finite score as null.
func (e *Weighted) MarshalBinary() ([]byte, error) {
	var score *float64
	if !math.IsNaN(e.Score) && !math.IsInf(e.Score, 0) {
		score = &e.Score
	}
	return json.Marshal(struct {
		Weights []float64 `json:"weights"`
		Score   *float64  `json:"score"`
	}{e.Weights, score})
}

// UnmarshalBinary decodes what MarshalBinary wrote. Negative or non-finite
// weights, or weights that do not sum to 1 (within 1e-9), are an error
// wrapping ErrInput.
func (e *Weighted) UnmarshalBinary(b []byte) error {
	var j struct {
		Weights []float64 `json:"weights"`
		Score   *float64  `json:"score"`
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("%w: weighted ensemble: %w", ErrInput, err)
	}
	s := 0.0
	for i, wt := range j.Weights {
		if !(wt >= 0) || math.IsInf(wt, 0) {
			return fmt.Errorf("%w: weighted ensemble: weight %d is %v", ErrInput, i, wt)
		}
		s += wt
	}
	if math.Abs(s-1) > 1e-9 {
		return fmt.Errorf("%w: weighted ensemble: weights sum to %v", ErrInput, s)
	}
	e.Weights = j.Weights
	e.Score = math.NaN()
	if j.Score != nil {
		e.Score = *j.Score
	}
	return nil
}

// safeScore calls m.Score, turning a panic in a caller's metric into an
// error (it runs on a worker goroutine, where a panic would kill the
// process).
func safeScore(m evaluate.Metric, y, pred []float64, numClasses int, w []float64) (s float64, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: metric %s panicked: %v", ErrInput, m.Name(), r)
		}
	}()
	return m.Score(y, pred, numClasses, w)
}
