package preprocess_test

import (
	"math"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/preprocess"
)

// teFrame is a 260-level categorical column (too many for Native codes),
// with some missing values, and a regression target.
func teFrame(t *testing.T, mem memory.Allocator) (cols []string, y []float64) {
	t.Helper()
	const levels, reps = 260, 4
	n := levels * reps
	cols = make([]string, n)
	y = make([]float64, n)
	for i := range cols {
		l := (i * 7) % levels
		cols[i] = "L" + string(rune('A'+l/26)) + string(rune('A'+l%26))
		if i%31 == 0 {
			cols[i] = null
		}
		y[i] = float64(l%7) + float64(i%5)*0.25
	}
	return cols, y
}

// A split's encodings never read the targets of its held-out rows: not
// for the held-out rows themselves, not through the training rows'.
func TestFoldEncodingsNeverSeeHeldOutTargets(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	vals, y := teFrame(t, mem)
	n := len(y)
	f := frame(t, str(mem, "c", vals...), f64(mem, "x", y...))
	defer f.Release()
	var train, test []int
	for i := range n {
		if i%3 == 1 {
			test = append(test, i)
		} else {
			train = append(train, i)
		}
	}
	opts := preprocess.Options{MaxCategories: 300, MinCategoryCount: 1, Seed: 3, Drop: []string{"x"}}
	p, err := preprocess.Fit(t.Context(), f, "", y, 0, opts)
	require.NoError(t, err)
	assert.Equal(t, []string{"c:te"}, p.TargetEncoded(preprocess.Native))
	base, err := p.FoldEncodings(preprocess.Native, train, test)
	require.NoError(t, err)
	require.Equal(t, []string{"c:te"}, base.Names)
	require.Len(t, base.Train[0], len(train))
	require.Len(t, base.Test[0], len(test))

	// Move every held-out target: nothing changes.
	y2 := slices.Clone(y)
	for _, i := range test {
		y2[i] += 1000
	}
	p2, err := preprocess.Fit(t.Context(), f, "", y2, 0, opts)
	require.NoError(t, err)
	got, err := p2.FoldEncodings(preprocess.Native, train, test)
	require.NoError(t, err)
	assertSameNaN(t, base.Train, got.Train, "training rows' encodings read no held-out target")
	assertSameNaN(t, base.Test, got.Test, "held-out rows' encodings read no held-out target")
	// TransformTrain's whole-frame out-of-fold encodings do read them.
	tt1, err := p.TransformTrain(f, preprocess.Native)
	require.NoError(t, err)
	tt2, err := p2.TransformTrain(f, preprocess.Native)
	require.NoError(t, err)
	assert.False(t, sameNaN(tt1.X[1], tt2.X[1]), "TransformTrain reads every target")

	// Move one training row's target: its own encoding stays, the
	// held-out rows of its level move.
	y3 := slices.Clone(y)
	i := train[10]
	y3[i] += 1000
	p3, err := preprocess.Fit(t.Context(), f, "", y3, 0, opts)
	require.NoError(t, err)
	got3, err := p3.FoldEncodings(preprocess.Native, train, test)
	require.NoError(t, err)
	assert.Equal(t, base.Train[0][10], got3.Train[0][10], "a training row never reads its own target")
	moved := false
	for j, r := range test {
		if vals[r] == vals[i] && got3.Test[0][j] != base.Test[0][j] {
			moved = true
		}
	}
	assert.True(t, moved, "held-out rows are encoded from the training rows' targets")

	// Missing values are NaN in Native (as TransformTrain has them), and
	// Dense holds the same encodings with the Dense scaling.
	for j, r := range test {
		if vals[r] == null {
			assert.True(t, math.IsNaN(base.Test[0][j]))
		}
	}
	dense, err := p.FoldEncodings(preprocess.Dense, train, test)
	require.NoError(t, err)
	tr, err := p.TransformTrain(f, preprocess.Dense)
	require.NoError(t, err)
	k := slices.Index(tr.Names, "c:te")
	require.GreaterOrEqual(t, k, 0)
	assert.Equal(t, []string{"c:te"}, dense.Names)
	assert.Equal(t, []string{"c:te"}, p.TargetEncoded(preprocess.Dense))
	for j := range test {
		assert.False(t, math.IsNaN(dense.Test[0][j]))
	}
}

// With every row in train and no held-out rows, a split's encodings are
// TransformTrain's.
func TestFoldEncodingsOfAllRowsAreTransformTrain(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	vals, y := teFrame(t, mem)
	f := frame(t, str(mem, "c", vals...))
	defer f.Release()
	all := make([]int, len(y))
	for i := range all {
		all[i] = i
	}
	for _, k := range []int{0, 3} {
		yk := y
		if k > 0 {
			yk = make([]float64, len(y))
			for i := range yk {
				yk[i] = float64(i % k)
			}
		}
		opts := preprocess.Options{MaxCategories: 300, MinCategoryCount: 1, Seed: 9}
		p, err := preprocess.Fit(t.Context(), f, "", yk, k, opts)
		require.NoError(t, err)
		for _, v := range []preprocess.View{preprocess.Native, preprocess.Dense} {
			fe, err := p.FoldEncodings(v, all, nil)
			require.NoError(t, err)
			tr, err := p.TransformTrain(f, v)
			require.NoError(t, err)
			require.Equal(t, p.TargetEncoded(v), fe.Names)
			for c, name := range fe.Names {
				j := slices.Index(tr.Names, name)
				require.GreaterOrEqual(t, j, 0, name)
				assert.InDeltaSlice(t, tr.X[j], fe.Train[c], 1e-9, "view %d, %s", v, name)
			}
		}
	}
}

func TestFoldEncodingsErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	vals, y := teFrame(t, mem)
	f := frame(t, str(mem, "c", vals...))
	defer f.Release()
	y[5] = math.NaN()
	p, err := preprocess.Fit(t.Context(), f, "", y, 0, preprocess.Options{MaxCategories: 300, MinCategoryCount: 1})
	require.NoError(t, err)
	_, err = p.FoldEncodings(preprocess.Native, []int{5}, nil)
	assert.ErrorIs(t, err, preprocess.ErrInvalid, "a training row without target")
	_, err = p.FoldEncodings(preprocess.Native, []int{0}, []int{len(y)})
	assert.ErrorIs(t, err, preprocess.ErrInvalid)
	b, err := p.MarshalBinary()
	require.NoError(t, err)
	var q preprocess.Pipeline
	require.NoError(t, q.UnmarshalBinary(b))
	_, err = q.FoldEncodings(preprocess.Native, []int{0}, nil)
	assert.ErrorIs(t, err, preprocess.ErrNotTraining)
}

// sameNaN reports whether a and b are equal, NaN equal to NaN.
func sameNaN(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}

func assertSameNaN(t *testing.T, a, b [][]float64, msg string) {
	t.Helper()
	require.Len(t, b, len(a), msg)
	for k := range a {
		assert.True(t, sameNaN(a[k], b[k]), "%s (output %d)", msg, k)
	}
}
