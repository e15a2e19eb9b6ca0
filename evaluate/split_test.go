package evaluate

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkPartition asserts that splits are sorted, disjoint, cover 0..n-1
// within each split, and that the test sets partition the rows.
func checkPartition(t *testing.T, splits []Split, n int) {
	t.Helper()
	seen := make([]int, n)
	for s, sp := range splits {
		assert.True(t, slices.IsSorted(sp.Train), "split %d train sorted", s)
		assert.True(t, slices.IsSorted(sp.Test), "split %d test sorted", s)
		assert.Equal(t, n, len(sp.Train)+len(sp.Test), "split %d covers all rows", s)
		all := append(append([]int{}, sp.Train...), sp.Test...)
		slices.Sort(all)
		for i, v := range all {
			require.Equal(t, i, v, "split %d: rows not a partition", s)
		}
		for _, i := range sp.Test {
			seen[i]++
		}
	}
	for i, c := range seen {
		assert.Equal(t, 1, c, "row %d is in %d test sets", i, c)
	}
}

func TestKFold(t *testing.T) {
	splits, err := KFold(23, 5, 42)
	require.NoError(t, err)
	require.Len(t, splits, 5)
	checkPartition(t, splits, 23)
	for _, sp := range splits {
		assert.Contains(t, []int{4, 5}, len(sp.Test))
	}
	again, err := KFold(23, 5, 42)
	require.NoError(t, err)
	assert.Equal(t, splits, again, "same seed, same splits")
	other, err := KFold(23, 5, 43)
	require.NoError(t, err)
	assert.NotEqual(t, splits, other, "another seed shuffles differently")
	// Shuffled: the first fold is not just the first rows.
	assert.NotEqual(t, []int{0, 1, 2, 3, 4}, splits[0].Test)

	for _, c := range []struct{ n, k int }{{10, 1}, {10, 0}, {3, 4}, {0, 2}} {
		_, err := KFold(c.n, c.k, 1)
		assert.ErrorIs(t, err, ErrInput, "n=%d k=%d", c.n, c.k)
	}
}

func TestStratifiedKFold(t *testing.T) {
	// 60 of class 0, 30 of class 1, 3 of class 2 (fewer than k).
	var y []float64
	for i := range 93 {
		switch {
		case i%31 == 0:
			y = append(y, 2)
		case i%3 == 0:
			y = append(y, 1)
		default:
			y = append(y, 0)
		}
	}
	count := [3]int{}
	for _, v := range y {
		count[int(v)]++
	}
	k := 5
	splits, err := StratifiedKFold(y, 3, k, 9)
	require.NoError(t, err)
	require.Len(t, splits, k)
	checkPartition(t, splits, len(y))
	rare := 0
	for _, sp := range splits {
		per := [3]int{}
		for _, i := range sp.Test {
			per[int(y[i])]++
		}
		for c := range 3 {
			lo := count[c] / k
			assert.True(t, per[c] == lo || per[c] == lo+1, "class %d: %d in a fold, want %d or %d", c, per[c], lo, lo+1)
		}
		if per[2] > 0 {
			rare++
		}
		assert.Contains(t, []int{18, 19}, len(sp.Test))
	}
	assert.Equal(t, count[2], rare, "the rare class is spread over distinct folds")
	again, _ := StratifiedKFold(y, 3, k, 9)
	assert.Equal(t, splits, again)

	_, err = StratifiedKFold([]float64{0, 1, 5}, 2, 2, 1)
	assert.ErrorIs(t, err, ErrInput)
	_, err = StratifiedKFold([]float64{0, 1}, 2, 3, 1)
	assert.ErrorIs(t, err, ErrInput)
}

func TestStratifiedKFoldRegression(t *testing.T) {
	n, k := 50, 5
	y := make([]float64, n)
	for i := range y {
		y[i] = float64((i * 37) % n) // a permutation of 0..49
	}
	splits, err := StratifiedKFold(y, 0, k, 3)
	require.NoError(t, err)
	checkPartition(t, splits, n)
	for _, sp := range splits {
		// Each fold has exactly one row in every block of k sorted values.
		blocks := map[int]int{}
		for _, i := range sp.Test {
			blocks[int(y[i])/k]++
		}
		assert.Len(t, blocks, n/k)
	}
}

func TestHoldout(t *testing.T) {
	sp, err := Holdout(100, 0.2, 5)
	require.NoError(t, err)
	assert.Len(t, sp.Test, 20)
	assert.Len(t, sp.Train, 80)
	assert.True(t, slices.IsSorted(sp.Test))
	again, _ := Holdout(100, 0.2, 5)
	assert.Equal(t, sp, again)
	sp, err = Holdout(3, 0.01, 5)
	require.NoError(t, err)
	assert.Len(t, sp.Test, 1, "at least one test row")
	for _, c := range []struct {
		n    int
		frac float64
	}{{1, 0.5}, {10, 0}, {10, 1}, {10, -0.1}} {
		_, err := Holdout(c.n, c.frac, 1)
		assert.ErrorIs(t, err, ErrInput)
	}
}

func TestStratifiedHoldout(t *testing.T) {
	var y []float64
	for i := range 200 {
		y = append(y, float64(i%4/3)) // 150 zeros, 50 ones
	}
	sp, err := StratifiedHoldout(y, 2, 0.2, 11)
	require.NoError(t, err)
	per := [2]int{}
	for _, i := range sp.Test {
		per[int(y[i])]++
	}
	assert.Equal(t, [2]int{30, 10}, per)
	assert.Len(t, sp.Train, 160)
	checkPartition(t, []Split{sp, {Train: sp.Test, Test: sp.Train}}, 200)

	sp, err = StratifiedHoldout([]float64{0, 1}, 2, 0.1, 1)
	require.NoError(t, err)
	assert.Len(t, sp.Test, 1)
	sp, err = StratifiedHoldout([]float64{3, 1, 2, 5}, 0, 0.5, 1)
	require.NoError(t, err)
	assert.Len(t, sp.Test, 2)
}

func TestGroupKFold(t *testing.T) {
	groups := []string{"a", "a", "a", "b", "b", "c", "d", "d", "e", "a"}
	splits, err := GroupKFold(groups, 3)
	require.NoError(t, err)
	checkPartition(t, splits, len(groups))
	// Largest first to the lightest fold: a(4)->0, b(2)->1, d(2)->2, c(1)->1, e(1)->2.
	assert.Equal(t, []int{0, 1, 2, 9}, splits[0].Test)
	assert.Equal(t, []int{3, 4, 5}, splits[1].Test)
	assert.Equal(t, []int{6, 7, 8}, splits[2].Test)
	for _, sp := range splits {
		train := map[string]bool{}
		for _, i := range sp.Train {
			train[groups[i]] = true
		}
		for _, i := range sp.Test {
			assert.False(t, train[groups[i]], "group %s on both sides", groups[i])
		}
	}
	ints, err := GroupKFold([]int{7, 7, 8, 9}, 2)
	require.NoError(t, err)
	checkPartition(t, ints, 4)
	_, err = GroupKFold([]int{1, 1, 2}, 3)
	assert.ErrorIs(t, err, ErrInput)
	_, err = GroupKFold([]int{1, 2}, 1)
	assert.ErrorIs(t, err, ErrInput)
}

func TestShuffledGroupKFold(t *testing.T) {
	groups := make([]int, 300)
	for i := range groups {
		groups[i] = (i * 7919) % 41 // 41 groups of 7 or 8 rows, interleaved
	}
	a, err := ShuffledGroupKFold(groups, 5, 1)
	require.NoError(t, err)
	checkPartition(t, a, len(groups))
	for _, sp := range a {
		train := map[int]bool{}
		for _, i := range sp.Train {
			train[groups[i]] = true
		}
		for _, i := range sp.Test {
			assert.False(t, train[groups[i]], "group %d on both sides", groups[i])
		}
		assert.InDelta(t, 60, len(sp.Test), 8, "fold sizes differ by at most one group")
	}
	again, err := ShuffledGroupKFold(groups, 5, 1)
	require.NoError(t, err)
	assert.Equal(t, a, again, "same seed, same folds")
	other, err := ShuffledGroupKFold(groups, 5, 2)
	require.NoError(t, err)
	assert.NotEqual(t, a, other, "another seed redraws the folds")

	_, err = ShuffledGroupKFold([]string{"x", "y"}, 3, 1)
	assert.ErrorIs(t, err, ErrInput)
	_, err = ShuffledGroupKFold([]string{"x", "y"}, 1, 1)
	assert.ErrorIs(t, err, ErrInput)
}

func TestCheckSplits(t *testing.T) {
	assert.ErrorIs(t, checkSplits(nil, 3), ErrInput)
	assert.ErrorIs(t, checkSplits([]Split{{Train: []int{0}, Test: []int{3}}}, 3), ErrInput)
	assert.ErrorIs(t, checkSplits([]Split{{Train: []int{0, 1}, Test: []int{1}}}, 3), ErrInput)
	assert.ErrorIs(t, checkSplits([]Split{{Train: []int{0, 1}}}, 3), ErrInput)
	assert.NoError(t, checkSplits([]Split{{Train: []int{0, 1}, Test: []int{2}}}, 3))
}
