package evaluate

import (
	"context"
	"fmt"
	"math/rand/v2"
)

// Importance is the permutation importance of one column: the drop in
// score when the column's values are shuffled across rows, averaged over
// repeats (Mean) with its population standard deviation (Std). The sign is
// corrected for losses, so a positive Mean always means the model relies
// on the column and a value near zero (or negative) means it does not.
type Importance struct {
	Feature int     `json:"feature"`
	Mean    float64 `json:"mean"`
	Std     float64 `json:"std"`
}

// ColumnScorer scores a fitted model on held-out rows with column col
// replaced by a permutation of itself drawn from rng; col == -1 asks for
// the baseline score with nothing permuted. It is the hook for callers that
// permute something other than a [][]float64 feature matrix, e.g. a column
// of a data frame before preprocessing.
type ColumnScorer func(ctx context.Context, col int, rng *rand.Rand) (float64, error)

// DefaultImportanceRepeats is the number of shuffles per column when
// repeats is 0.
const DefaultImportanceRepeats = 5

// importanceStream is the first PCG stream of the permutation RNGs; column
// j uses stream importanceStream + j.
const importanceStream = 0x1a70_0000

// PermutationImportanceFunc computes the permutation importance of columns
// 0..numColumns-1 through score, which does the permuting and scoring; m
// gives the metric's direction. Each column gets repeats shuffles
// (DefaultImportanceRepeats when 0) from its own RNG,
// rand.New(rand.NewPCG(seed, importanceStream+col)), so a column's result
// does not depend on the others. Results are in column order. ctx is
// checked before every scoring call.
func PermutationImportanceFunc(ctx context.Context, numColumns int, score ColumnScorer, m Metric, repeats int, seed uint64) ([]Importance, error) {
	if score == nil || m == nil {
		return nil, fmt.Errorf("%w: PermutationImportance needs a scorer and a metric", ErrInput)
	}
	if numColumns < 0 || repeats < 0 {
		return nil, fmt.Errorf("%w: PermutationImportance: %d columns, %d repeats", ErrInput, numColumns, repeats)
	}
	if repeats == 0 {
		repeats = DefaultImportanceRepeats
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	base, err := score(ctx, -1, newRand(seed, importanceStream-1))
	if err != nil {
		return nil, fmt.Errorf("evaluate: baseline score: %w", err)
	}
	out := make([]Importance, numColumns)
	drops := make([]float64, repeats)
	for j := range numColumns {
		rng := newRand(seed, importanceStream+uint64(j))
		for r := range repeats {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			s, err := score(ctx, j, rng)
			if err != nil {
				return nil, fmt.Errorf("evaluate: column %d: %w", j, err)
			}
			drops[r] = Loss(m, s) - Loss(m, base)
		}
		mean, std := meanStd(drops)
		out[j] = Importance{Feature: j, Mean: mean, Std: std}
	}
	return out, nil
}

// PermutationImportance computes the permutation importance of each
// feature column of X (column-major, X[j][i] = feature j of row i) for the
// model behind predict, scored with m on targets y and weights w (nil =
// uniform). predict writes predictions in the models contract layout for
// numClasses; it is usually a closure over a fitted model or pipeline, and
// a panic inside it is recovered into an error wrapping ErrPanic.
//
// X is not modified: the permuted column is a scratch copy. Use held-out
// rows; importance measured on training rows rewards overfitting. See
// PermutationImportanceFunc for repeats, seeding and the sign convention.
func PermutationImportance(ctx context.Context, predict func(dst []float64, X [][]float64) error, X [][]float64, y, w []float64, numClasses int, m Metric, repeats int, seed uint64) ([]Importance, error) {
	if predict == nil {
		return nil, fmt.Errorf("%w: PermutationImportance needs a predict function", ErrInput)
	}
	n := len(y)
	for j, c := range X {
		if len(c) != n {
			return nil, fmt.Errorf("%w: PermutationImportance: feature %d has %d rows, y has %d", ErrInput, j, len(c), n)
		}
	}
	pred := make([]float64, n*max(numClasses, 1))
	Xp := append([][]float64(nil), X...)
	scratch := make([]float64, n)
	score := func(ctx context.Context, col int, rng *rand.Rand) (s float64, err error) {
		if col >= 0 {
			copy(scratch, X[col])
			rng.Shuffle(n, func(a, b int) { scratch[a], scratch[b] = scratch[b], scratch[a] })
			Xp[col] = scratch
			defer func() { Xp[col] = X[col] }()
		}
		if err := safePredict(predict, pred, Xp); err != nil {
			return 0, err
		}
		return m.Score(y, pred, numClasses, w)
	}
	return PermutationImportanceFunc(ctx, len(X), score, m, repeats, seed)
}

func safePredict(predict func(dst []float64, X [][]float64) error, dst []float64, X [][]float64) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: predict: %v", ErrPanic, r)
		}
	}()
	return predict(dst, X)
}
