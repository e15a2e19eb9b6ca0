package evaluate

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Split is one train/test partition of rows 0..n-1. Both lists are sorted
// ascending and disjoint.
type Split struct {
	Train []int `json:"train"`
	Test  []int `json:"test"`
}

// splitStream is the PCG stream of every split function, so a split's
// shuffle does not depend on any other use of the seed.
const splitStream = 0x5eed_5711

func newRand(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream))
}

// KFold shuffles rows 0..n-1 with seed and cuts them into k folds whose
// sizes differ by at most one; split f tests on fold f and trains on the
// rest. The same (n, k, seed) always gives the same splits. k < 2 or k > n
// is an error wrapping ErrInput.
func KFold(n, k int, seed uint64) ([]Split, error) {
	if k < 2 || k > n {
		return nil, fmt.Errorf("%w: KFold: k = %d for %d rows (want 2 <= k <= n)", ErrInput, k, n)
	}
	perm := newRand(seed, splitStream).Perm(n)
	fold := make([]int, n)
	pos := 0
	for f := range k {
		size := n / k
		if f < n%k {
			size++
		}
		for _, i := range perm[pos : pos+size] {
			fold[i] = f
		}
		pos += size
	}
	return splitsFromFolds(fold, k), nil
}

// StratifiedKFold is KFold that keeps the target distribution in every fold.
// For classification (numClasses >= 2, y holds class indices) each class is
// shuffled and dealt round-robin across the folds, so a class's count in
// any two folds differs by at most one, fold sizes differ by at most one,
// and a class with fewer than k rows still lands in as many folds as it has
// rows. For regression (numClasses == 0) rows are dealt in order of y, so
// each fold spans the whole range of the target.
//
// k < 2, k > len(y), or a bad y (NaN, class index out of range) is an
// error wrapping ErrInput.
func StratifiedKFold(y []float64, numClasses, k int, seed uint64) ([]Split, error) {
	n := len(y)
	if k < 2 || k > n {
		return nil, fmt.Errorf("%w: StratifiedKFold: k = %d for %d rows (want 2 <= k <= n)", ErrInput, k, n)
	}
	r := newRand(seed, splitStream)
	order, err := strataOrder(r, y, numClasses, "StratifiedKFold")
	if err != nil {
		return nil, err
	}
	folds := r.Perm(k)
	fold := make([]int, n)
	for p, i := range order {
		fold[i] = folds[p%k]
	}
	return splitsFromFolds(fold, k), nil
}

// strataOrder returns the rows shuffled, then grouped by class (stable) for
// classification or sorted by y (stable) for regression.
func strataOrder(r *rand.Rand, y []float64, numClasses int, fn string) ([]int, error) {
	if numClasses < 0 || numClasses == 1 {
		return nil, fmt.Errorf("%w: %s: numClasses = %d", ErrInput, fn, numClasses)
	}
	if err := checkTarget(fn, y, numClasses); err != nil {
		return nil, err
	}
	order := r.Perm(len(y))
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(y[a], y[b]) })
	return order, nil
}

// Holdout shuffles rows 0..n-1 with seed and puts round(frac·n) of them
// (at least 1, at most n-1) in Test, the rest in Train. frac must be in
// (0, 1) and n at least 2; otherwise the error wraps ErrInput.
func Holdout(n int, frac float64, seed uint64) (Split, error) {
	if err := checkHoldout("Holdout", n, frac); err != nil {
		return Split{}, err
	}
	perm := newRand(seed, splitStream).Perm(n)
	nTest := min(max(int(math.Round(frac*float64(n))), 1), n-1)
	fold := make([]int, n)
	for _, i := range perm[:nTest] {
		fold[i] = 1
	}
	return splitsFromFolds(fold, 2)[1], nil
}

// StratifiedHoldout is Holdout that keeps the target distribution: each
// class (or, for regression with numClasses == 0, each stretch of sorted y)
// sends floor or ceil of frac times its size to Test, by systematic
// sampling from a random start. Test gets about frac·n rows, at least 1 and
// at most n-1. Errors as for Holdout and StratifiedKFold.
func StratifiedHoldout(y []float64, numClasses int, frac float64, seed uint64) (Split, error) {
	n := len(y)
	if err := checkHoldout("StratifiedHoldout", n, frac); err != nil {
		return Split{}, err
	}
	r := newRand(seed, splitStream)
	order, err := strataOrder(r, y, numClasses, "StratifiedHoldout")
	if err != nil {
		return Split{}, err
	}
	u := r.Float64()
	fold := make([]int, n)
	nTest := 0
	for p, i := range order {
		if math.Floor(float64(p+1)*frac+u) > math.Floor(float64(p)*frac+u) {
			fold[i] = 1
			nTest++
		}
	}
	switch {
	case nTest == 0:
		fold[order[r.IntN(n)]] = 1
	case nTest == n:
		fold[order[r.IntN(n)]] = 0
	}
	return splitsFromFolds(fold, 2)[1], nil
}

func checkHoldout(fn string, n int, frac float64) error {
	if n < 2 {
		return fmt.Errorf("%w: %s: %d rows, need at least 2", ErrInput, fn, n)
	}
	if !(frac > 0 && frac < 1) {
		return fmt.Errorf("%w: %s: test fraction %v, want 0 < frac < 1", ErrInput, fn, frac)
	}
	return nil
}

// GroupKFold splits rows so that all rows of a group are in the same fold
// (no group is in both Train and Test of a split), as
// sklearn.model_selection.GroupKFold does: groups are taken largest first
// (ties by first appearance) and each goes to the fold with the fewest rows
// so far (ties to the lowest fold). It is deterministic and takes no seed.
// k < 2 or fewer than k distinct groups is an error wrapping ErrInput.
func GroupKFold[G comparable](groups []G, k int) ([]Split, error) {
	gid, size, err := indexGroups("GroupKFold", groups, k)
	if err != nil {
		return nil, err
	}
	order := make([]int, len(size))
	for j := range order {
		order[j] = j
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(size[b], size[a]) })
	return assignGroups(gid, size, order, k), nil
}

// ShuffledGroupKFold splits rows so that all rows of a group are in the
// same fold, like GroupKFold, but visits the groups in an order shuffled
// with seed (each to the fold with the fewest rows so far), so that
// repeated cross-validation can redraw group folds. Fold sizes differ by at
// most the largest group. The same (groups, k, seed) always gives the same
// splits. k < 2 or fewer than k distinct groups is an error wrapping
// ErrInput.
func ShuffledGroupKFold[G comparable](groups []G, k int, seed uint64) ([]Split, error) {
	gid, size, err := indexGroups("ShuffledGroupKFold", groups, k)
	if err != nil {
		return nil, err
	}
	order := newRand(seed, splitStream).Perm(len(size))
	return assignGroups(gid, size, order, k), nil
}

// indexGroups numbers the distinct groups in order of first appearance,
// returning each row's group number and each group's row count.
func indexGroups[G comparable](fn string, groups []G, k int) (gid, size []int, err error) {
	if k < 2 {
		return nil, nil, fmt.Errorf("%w: %s: k = %d (want >= 2)", ErrInput, fn, k)
	}
	id := make(map[G]int)
	gid = make([]int, len(groups))
	for i, g := range groups {
		j, ok := id[g]
		if !ok {
			j = len(size)
			id[g] = j
			size = append(size, 0)
		}
		gid[i] = j
		size[j]++
	}
	if len(size) < k {
		return nil, nil, fmt.Errorf("%w: %s: %d distinct groups for k = %d folds", ErrInput, fn, len(size), k)
	}
	return gid, size, nil
}

// assignGroups gives each group, in the given order, to the fold with the
// fewest rows so far (ties to the lowest fold) and returns the splits.
func assignGroups(gid, size, order []int, k int) []Split {
	foldOf := make([]int, len(size))
	load := make([]int, k)
	for _, j := range order {
		f := 0
		for c := 1; c < k; c++ {
			if load[c] < load[f] {
				f = c
			}
		}
		foldOf[j] = f
		load[f] += size[j]
	}
	fold := make([]int, len(gid))
	for i, j := range gid {
		fold[i] = foldOf[j]
	}
	return splitsFromFolds(fold, k)
}

// splitsFromFolds turns a fold assignment into k splits with sorted lists.
func splitsFromFolds(fold []int, k int) []Split {
	size := make([]int, k)
	for _, f := range fold {
		size[f]++
	}
	out := make([]Split, k)
	for f := range out {
		out[f] = Split{Train: make([]int, 0, len(fold)-size[f]), Test: make([]int, 0, size[f])}
	}
	for i, fi := range fold {
		for f := range out {
			if f == fi {
				out[f].Test = append(out[f].Test, i)
			} else {
				out[f].Train = append(out[f].Train, i)
			}
		}
	}
	return out
}

// checkSplits reports a split with an index outside 0..n-1, an empty Train
// or Test, or a row in both lists.
func checkSplits(splits []Split, n int) error {
	if len(splits) == 0 {
		return fmt.Errorf("%w: no splits", ErrInput)
	}
	mark := make([]int, n) // split number + 1 that last marked the row as train
	for s, sp := range splits {
		if len(sp.Train) == 0 || len(sp.Test) == 0 {
			return fmt.Errorf("%w: split %d has %d train and %d test rows", ErrInput, s, len(sp.Train), len(sp.Test))
		}
		for _, i := range sp.Train {
			if i < 0 || i >= n {
				return fmt.Errorf("%w: split %d: train row %d not in 0..%d", ErrInput, s, i, n-1)
			}
			mark[i] = s + 1
		}
		for _, i := range sp.Test {
			if i < 0 || i >= n {
				return fmt.Errorf("%w: split %d: test row %d not in 0..%d", ErrInput, s, i, n-1)
			}
			if mark[i] == s+1 {
				return fmt.Errorf("%w: split %d: row %d is in both train and test", ErrInput, s, i)
			}
		}
	}
	return nil
}
