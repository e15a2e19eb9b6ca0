package preprocess_test

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/preprocess"
)

var nan = math.NaN()

// col returns feature name of fs, failing if absent.
func col(t *testing.T, fs *preprocess.Features, name string) []float64 {
	t.Helper()
	j := slices.Index(fs.Names, name)
	require.GreaterOrEqual(t, j, 0, "feature %q not in %v", name, fs.Names)
	return fs.X[j]
}

// popStd is the population standard deviation of xs.
func popStd(xs []float64) (mean, std float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		std += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(std / float64(len(xs)))
}

func TestNumeric(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	f := frame(t,
		f64(mem, "a", 1, nan, 3, 10, nan, 4),
		f64(mem, "const", 7, 7, 7, 7, 7, 7),
		f64(mem, "empty", nan, nan, nan, nan, nan, nan),
		f64(mem, "b", 0.5, 1.5, 2.5, 3.5, 4.5, 5.5),
		f64(mem, "y", 1, 2, 3, 4, 5, 6),
	)
	defer f.Release()
	y := []float64{1, 2, 3, 4, 5, 6}
	p, err := preprocess.Fit(t.Context(), f, "y", y, 0, preprocess.Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, p.InputColumns())
	assert.Equal(t, []preprocess.Column{
		{Name: "a", Kind: "numeric"},
		{Name: "const", Kind: "drop", Reason: "constant"},
		{Name: "empty", Kind: "drop", Reason: "all missing"},
		{Name: "b", Kind: "numeric"},
	}, p.Columns())

	native, err := p.Transform(f, preprocess.Native)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, native.Names)
	assert.Equal(t, []int{0, 0}, native.Categories)
	assert.Equal(t, 6, native.Rows)
	assert.True(t, math.IsNaN(native.X[0][1]) && math.IsNaN(native.X[0][4]))
	assert.Equal(t, []float64{1, 3, 10, 4}, []float64{native.X[0][0], native.X[0][2], native.X[0][3], native.X[0][5]})

	dense, err := p.Transform(f, preprocess.Dense)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "a:missing", "b"}, dense.Names)
	// Median of 1, 3, 4, 10 is 3.5; then standardized with the population
	// mean and deviation of the imputed column.
	imputed := []float64{1, 3.5, 3, 10, 3.5, 4}
	mean, std := popStd(imputed)
	for i, v := range imputed {
		assert.InDelta(t, (v-mean)/std, dense.X[0][i], 1e-15, "row %d", i)
	}
	assert.Equal(t, []float64{0, 1, 0, 0, 1, 0}, dense.X[1])
	mb, sb := popStd([]float64{0.5, 1.5, 2.5, 3.5, 4.5, 5.5})
	assert.InDelta(t, (0.5-mb)/sb, dense.X[2][0], 1e-15)

	// The same frame through TransformTrain: no target encoding, so equal.
	train, err := p.TransformTrain(f, preprocess.Dense)
	require.NoError(t, err)
	assert.Equal(t, dense.X, train.X)
}

func TestNumericFromStrings(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	f := frame(t, str(mem, "n", "1.5", " 2", "", null, "x", "3", "4", "5", "6", "7",
		"8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20", "21"))
	defer f.Release()
	y := make([]float64, 24)
	for i := range y {
		y[i] = float64(i % 3)
	}
	p, err := preprocess.Fit(t.Context(), f, "y", y, 0, preprocess.Options{})
	require.NoError(t, err)
	assert.Equal(t, "numeric", p.Columns()[0].Kind, "95.6%% of values parse")
	fs, err := p.Transform(f, preprocess.Native)
	require.NoError(t, err)
	assert.Equal(t, 1.5, fs.X[0][0])
	assert.Equal(t, 2.0, fs.X[0][1])
	for _, i := range []int{2, 3, 4} {
		assert.True(t, math.IsNaN(fs.X[0][i]), "row %d is missing", i)
	}
}

func TestCategorical(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	train := frame(t,
		str(mem, "c", "b", "a", "b", "rare", "a", null, "b", "a"),
		f64(mem, "y", 0, 1, 0, 1, 1, 0, 0, 1),
	)
	defer train.Release()
	y := []float64{0, 1, 0, 1, 1, 0, 0, 1}
	p, err := preprocess.Fit(t.Context(), train, "y", y, 2, preprocess.Options{})
	require.NoError(t, err)
	require.Equal(t, []preprocess.Column{{Name: "c", Kind: "categorical", Levels: 2}}, p.Columns())

	test := frame(t, str(mem, "c", "a", "b", "rare", "unseen", null, ""))
	defer test.Release()
	native, err := p.Transform(test, preprocess.Native)
	require.NoError(t, err)
	assert.Equal(t, []string{"c"}, native.Names)
	assert.Equal(t, []int{3}, native.Categories, "a, b and other")
	assert.Equal(t, []float64{0, 1, 2, 2}, native.X[0][:4])
	assert.True(t, math.IsNaN(native.X[0][4]) && math.IsNaN(native.X[0][5]), "null and empty are missing")

	dense, err := p.Transform(test, preprocess.Dense)
	require.NoError(t, err)
	assert.Equal(t, []string{"c=a", "c=b", "c=<other>"}, dense.Names)
	assert.Equal(t, []int{0, 0, 0}, dense.Categories)
	assert.Equal(t, [][]float64{
		{1, 0, 0, 0, 0, 0},
		{0, 1, 0, 0, 0, 0},
		{0, 0, 1, 1, 0, 0},
	}, dense.X, "rare and unseen go to other; missing is all zeros")

	// Without merged levels there is no other column: unseen is all zeros.
	p1, err := preprocess.Fit(t.Context(), train, "y", y, 2, preprocess.Options{MinCategoryCount: 1})
	require.NoError(t, err)
	dense, err = p1.Transform(test, preprocess.Dense)
	require.NoError(t, err)
	assert.Equal(t, []string{"c=a", "c=b", "c=rare"}, dense.Names)
	assert.Equal(t, [][]float64{
		{1, 0, 0, 0, 0, 0},
		{0, 1, 0, 0, 0, 0},
		{0, 0, 1, 0, 0, 0},
	}, dense.X)
	native, err = p1.Transform(test, preprocess.Native)
	require.NoError(t, err)
	assert.Equal(t, []int{4}, native.Categories)
	assert.Equal(t, []float64{0, 1, 2, 3}, native.X[0][:4], "unseen gets the reserved other code")
}

func TestMaxCategories(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	// Levels by count: z 4, y 3, x 2, w 1; keep 2 → x and w merge into other.
	f := frame(t, str(mem, "c", "z", "z", "z", "z", "y", "y", "y", "x", "x", "w"))
	defer f.Release()
	y := make([]float64, 10)
	p, err := preprocess.Fit(t.Context(), f, "", y, 0, preprocess.Options{MaxCategories: 2, MinCategoryCount: 1})
	require.NoError(t, err)
	fs, err := p.Transform(f, preprocess.Native)
	require.NoError(t, err)
	assert.Equal(t, []int{3}, fs.Categories)
	assert.Equal(t, []float64{1, 1, 1, 1, 0, 0, 0, 2, 2, 2}, fs.X[0], "codes in level order y=0, z=1, other=2")
}

func TestOutOfFoldTargetEncodingNeverSeesOwnTarget(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	const levels, reps = 260, 3
	n := levels * reps
	vals := make([]string, n)
	y := make([]float64, n)
	for i := range vals {
		l := i % levels
		vals[i] = "L" + string(rune('A'+l/26)) + string(rune('A'+l%26))
		y[i] = float64(l%7) + float64(i%5)*0.25
	}
	f := frame(t, str(mem, "c", vals...))
	defer f.Release()
	// 260 kept levels do not fit uint8 codes: the Native view gets
	// frequency + target encoding, unscaled.
	opts := preprocess.Options{MaxCategories: 300, MinCategoryCount: 1, Seed: 7}
	p, err := preprocess.Fit(t.Context(), f, "", y, 0, opts)
	require.NoError(t, err)
	base, err := p.TransformTrain(f, preprocess.Native)
	require.NoError(t, err)
	require.Equal(t, []string{"c:freq", "c:te"}, base.Names)
	require.Equal(t, []int{0, 0}, base.Categories)
	assert.InDelta(t, 3.0/float64(n), base.X[0][0], 1e-15)
	full, err := p.Transform(f, preprocess.Native)
	require.NoError(t, err)

	for _, i := range []int{0, 1, 100, 259, 260, 500, 779} {
		y2 := slices.Clone(y)
		y2[i] += 1000
		p2, err := preprocess.Fit(t.Context(), f, "", y2, 0, opts)
		require.NoError(t, err)
		got, err := p2.TransformTrain(f, preprocess.Native)
		require.NoError(t, err)
		assert.Equal(t, base.X[1][i], got.X[1][i], "row %d's encoding must not move with its own target", i)
		// It does move the encoding of a row with the same level in
		// another fold (or the full-data encoding): the target is used.
		moved := false
		for r := i % levels; r < n; r += levels {
			if r != i && got.X[1][r] != base.X[1][r] {
				moved = true
			}
		}
		full2, err := p2.Transform(f, preprocess.Native)
		require.NoError(t, err)
		assert.NotEqual(t, full.X[1][i], full2.X[1][i], "the full-data encoding uses every target")
		assert.True(t, moved || reps == 1, "row %d's target changes the other rows of its level", i)
	}
}

func TestTargetEncodingFullData(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	// 12 levels > MaxOneHot: Dense gets freq + te.
	var vals []string
	var y []float64
	for l := 0; l < 12; l++ {
		for r := 0; r <= l; r++ {
			vals = append(vals, string(rune('a'+l)))
			y = append(y, float64(l*10+r))
		}
	}
	vals[0] = null
	y = append(y, nan) // a row without target: ignored by Fit
	vals = append(vals, "a")
	f := frame(t, str(mem, "c", vals...))
	defer f.Release()
	p, err := preprocess.Fit(t.Context(), f, "", y, 0, preprocess.Options{})
	require.NoError(t, err)

	prior, used := 0.0, 0
	for _, v := range y {
		if !math.IsNaN(v) {
			prior += v
			used++
		}
	}
	prior /= float64(used)
	test := frame(t, str(mem, "c", "e", "zz", null))
	defer test.Release()
	dense, err := p.Transform(test, preprocess.Dense)
	require.NoError(t, err)
	require.Equal(t, []string{"c:freq", "c:te"}, dense.Names)
	// Native view keeps the 11 codes (a was only ever missing or untargeted).
	native, err := p.Transform(test, preprocess.Native)
	require.NoError(t, err)
	assert.Equal(t, []int{12}, native.Categories)

	// Raw (unscaled) encodings by the formula (sum + 10*prior) / (n + 10);
	// "e" is level 4: targets 40..44. Compare differences, which do not
	// depend on the Dense scaling: (te(e) - te(unseen)) / (te(null) - te(unseen)).
	teE := (40.0 + 41 + 42 + 43 + 44 + 10*prior) / (5 + 10)
	teUnseen := prior // no other level in training: the prior
	teNull := (0 + 10*prior) / (1 + 10)
	want := (teE - teUnseen) / (teNull - teUnseen)
	got := (dense.X[1][0] - dense.X[1][1]) / (dense.X[1][2] - dense.X[1][1])
	assert.InDelta(t, want, got, 1e-12)
	wantF := (5.0/float64(used) - 0) / (1.0/float64(used) - 0)
	gotF := (dense.X[0][0] - dense.X[0][1]) / (dense.X[0][2] - dense.X[0][1])
	assert.InDelta(t, wantF, gotF, 1e-12)

	// The untargeted row gets the full-data encoding in TransformTrain.
	tr, err := p.TransformTrain(f, preprocess.Dense)
	require.NoError(t, err)
	ref := frame(t, str(mem, "c", "a"))
	defer ref.Release()
	tf, err := p.Transform(ref, preprocess.Dense)
	require.NoError(t, err)
	assert.Equal(t, tf.X[1][0], tr.X[1][len(vals)-1])
}

func TestMulticlassTargetEncoding(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var vals []string
	var y []float64
	for i := 0; i < 120; i++ {
		vals = append(vals, string(rune('a'+i%12)))
		y = append(y, float64(i%12%3))
	}
	f := frame(t, str(mem, "c", vals...))
	defer f.Release()
	for _, tc := range []struct {
		name  string
		k     int
		names []string
	}{
		{"multiclass", 3, []string{"c:freq", "c:te0", "c:te1", "c:te2"}},
		{"binary", 2, []string{"c:freq", "c:te"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			yy := slices.Clone(y)
			for i := range yy {
				yy[i] = math.Mod(yy[i], float64(tc.k))
			}
			p, err := preprocess.Fit(t.Context(), f, "", yy, tc.k, preprocess.Options{})
			require.NoError(t, err)
			fs, err := p.TransformTrain(f, preprocess.Dense)
			require.NoError(t, err)
			assert.Equal(t, tc.names, fs.Names)
			for j := range fs.X {
				for _, v := range fs.X[j] {
					require.False(t, math.IsNaN(v) || math.IsInf(v, 0))
				}
			}
		})
	}
}

func TestDatetime(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	d := func(s string) time.Time {
		tm, err := time.Parse("2006-01-02 15:04", s)
		require.NoError(t, err)
		return tm
	}
	f := frame(t,
		ts(mem, "when", d("2024-03-15 10:30"), time.Time{}, d("2023-12-31 00:00"), d("2024-01-01 23:00")),
		str(mem, "day", "2024-03-15", "2024-03-16", null, "2020-02-29"),
	)
	defer f.Release()
	y := []float64{1, 2, 3, 4}
	p, err := preprocess.Fit(t.Context(), f, "", y, 0, preprocess.Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"datetime", "datetime"}, []string{p.Columns()[0].Kind, p.Columns()[1].Kind})
	fs, err := p.Transform(f, preprocess.Native)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"when:year", "when:month", "when:day", "when:weekday", "when:hour", "when:unix",
		"day:year", "day:month", "day:day", "day:weekday", "day:unix",
	}, fs.Names, "day has no hour: every value is midnight")
	want := [][]float64{
		{2024, nan, 2023, 2024},
		{3, nan, 12, 1},
		{15, nan, 31, 1},
		{5, nan, 0, 1}, // Friday, Sunday, Monday
		{10, nan, 0, 23},
		{float64(d("2024-03-15 10:30").Unix()), nan, float64(d("2023-12-31 00:00").Unix()), float64(d("2024-01-01 23:00").Unix())},
	}
	for j, w := range want {
		for i := range w {
			if math.IsNaN(w[i]) {
				assert.True(t, math.IsNaN(fs.X[j][i]), "%s row %d", fs.Names[j], i)
			} else {
				assert.Equal(t, w[i], fs.X[j][i], "%s row %d", fs.Names[j], i)
			}
		}
	}
	assert.Equal(t, []float64{2024, 2024, 2020}, []float64{fs.X[6][0], fs.X[6][1], fs.X[6][3]})
	assert.Equal(t, 29.0, fs.X[8][3])

	dense, err := p.Transform(f, preprocess.Dense)
	require.NoError(t, err)
	assert.Contains(t, dense.Names, "when:missing")
	assert.Equal(t, []float64{0, 1, 0, 0}, col(t, dense, "when:missing"))
	for _, x := range dense.X {
		for _, v := range x {
			require.False(t, math.IsNaN(v))
		}
	}
}

func TestGroupedTargetEncodingNeverSeesOwnGroup(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	const levels, n = 260, 780
	vals := make([]string, n)
	groups := make([]string, n)
	y := make([]float64, n)
	for i := range vals {
		vals[i] = fmt.Sprintf("L%03d", i%levels)
		groups[i] = fmt.Sprintf("g%03d", (i*37)%130) // 130 groups of 6, spread over levels
		y[i] = float64(i%levels%4) + float64(i%3)*0.5
	}
	f := frame(t, str(mem, "c", vals...))
	defer f.Release()
	// 260 kept levels do not fit uint8 codes: the Native view gets an
	// unscaled target encoding (the Dense view would standardize it with
	// statistics of every row).
	opts := preprocess.Options{MaxCategories: 300, MinCategoryCount: 1, Seed: 3, Groups: groups}
	p, err := preprocess.Fit(t.Context(), f, "", y, 0, opts)
	require.NoError(t, err)
	base, err := p.TransformTrain(f, preprocess.Native)
	require.NoError(t, err)
	te := slices.Index(base.Names, "c:te")
	require.GreaterOrEqual(t, te, 0, "names: %v", base.Names)

	for _, g := range []string{"g000", "g042", "g129"} {
		y2 := slices.Clone(y)
		for i := range y2 {
			if groups[i] == g {
				y2[i] += 1000
			}
		}
		p2, err := preprocess.Fit(t.Context(), f, "", y2, 0, opts)
		require.NoError(t, err)
		got, err := p2.TransformTrain(f, preprocess.Native)
		require.NoError(t, err)
		moved := false
		for i := range y2 {
			if groups[i] == g {
				assert.Equal(t, base.X[te][i], got.X[te][i], "row %d's encoding must not move with its group's targets", i)
			} else if got.X[te][i] != base.X[te][i] {
				moved = true
			}
		}
		assert.True(t, moved, "group %s's targets should move other groups' encodings", g)
	}
	_, err = preprocess.Fit(t.Context(), f, "", y, 0, preprocess.Options{Groups: groups[:10]})
	assert.ErrorIs(t, err, preprocess.ErrInvalid)
}
