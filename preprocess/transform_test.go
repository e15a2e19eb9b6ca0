package preprocess_test

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/preprocess"
)

func bucket(tok string, b int) int {
	h := fnv.New32a()
	h.Write([]byte(tok))
	return int(h.Sum32() % uint32(b))
}

func TestText(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	names := make([]string, 30)
	for i := range names {
		names[i] = []string{"ford", "chevy", "toyota", "honda", "vw"}[i%5] + " model " + string(rune('a'+i))
	}
	names[3] = null
	names[4] = "Ford-Pinto  WAGON, ford"
	f := frame(t, str(mem, "name", names...))
	defer f.Release()
	y := make([]float64, len(names))
	p, err := preprocess.Fit(t.Context(), f, "", y, 0, preprocess.Options{TextHashBuckets: 8})
	require.NoError(t, err)
	require.Equal(t, "text", p.Columns()[0].Kind)
	fs, err := p.Transform(f, preprocess.Native)
	require.NoError(t, err)
	require.Len(t, fs.Names, 10)
	assert.Equal(t, "name:tok0", fs.Names[0])
	assert.Equal(t, []string{"name:len", "name:words"}, fs.Names[8:])
	want := make([]float64, 8)
	for _, tok := range []string{"ford", "pinto", "wagon", "ford"} {
		want[bucket(tok, 8)]++
	}
	for b := range 8 {
		assert.Equal(t, want[b], fs.X[b][4], "bucket %d", b)
	}
	assert.Equal(t, float64(len("Ford-Pinto  WAGON, ford")), fs.X[8][4])
	assert.Equal(t, 4.0, fs.X[9][4])
	for j := range fs.X {
		assert.Equal(t, 0.0, fs.X[j][3], "null text is the empty string")
	}
	dense, err := p.Transform(f, preprocess.Dense)
	require.NoError(t, err)
	assert.Len(t, dense.Names, 10, "no missing indicator for text")
}

func TestIdentifiers(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	n := 40
	ids := make([]int64, n)
	codes := make([]string, n)
	feat := make([]float64, n)
	y := make([]float64, n)
	for i := range ids {
		ids[i] = int64(1000 + i)
		codes[i] = "X" + strings.Repeat("z", i%7) + string(rune('A'+i))
		feat[i] = float64(i * i % 11)
		y[i] = float64(i % 2)
	}
	build := func() []tcol {
		return []tcol{i64(mem, "PassengerId", ids...), str(mem, "ticket", codes...), f64(mem, "x", feat...)}
	}
	f := frame(t, build()...)
	defer f.Release()
	p, err := preprocess.Fit(t.Context(), f, "", y, 2, preprocess.Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"x"}, p.InputColumns())
	assert.Contains(t, p.Columns()[0].Reason, "identifier")
	assert.Contains(t, p.Columns()[1].Reason, "identifier")

	p, err = preprocess.Fit(t.Context(), f, "", y, 2, preprocess.Options{
		Kinds:            map[string]string{"PassengerId": "numeric", "ticket": "categorical", "x": "drop"},
		Drop:             []string{"nothing-here"},
		MinCategoryCount: 1, // every ticket is unique
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"PassengerId", "ticket"}, p.InputColumns(), "Kinds overrides the identifier check")
}

func TestTransformErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	f := frame(t, f64(mem, "a", 1, 2, 3, 4), str(mem, "c", "u", "v", "u", "v"), f64(mem, "y", 0, 1, 0, 1))
	defer f.Release()
	y := []float64{0, 1, 0, 1}
	p, err := preprocess.Fit(t.Context(), f, "y", y, 2, preprocess.Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "c"}, p.InputColumns())

	t.Run("missing column", func(t *testing.T) {
		g := frame(t, f64(mem, "a", 1))
		defer g.Release()
		_, err := p.Transform(g, preprocess.Native)
		assert.ErrorIs(t, err, preprocess.ErrMissingColumn)
		assert.ErrorContains(t, err, `"c"`)
	})
	t.Run("words for numbers", func(t *testing.T) {
		g := frame(t, str(mem, "a", "1.5", "lots"), str(mem, "c", "u", "v"))
		defer g.Release()
		_, err := p.Transform(g, preprocess.Dense)
		assert.ErrorIs(t, err, preprocess.ErrColumnType)
		assert.ErrorContains(t, err, `"a"`)
		assert.ErrorContains(t, err, `"lots"`)
	})
	t.Run("parseable strings for numbers", func(t *testing.T) {
		g := frame(t, str(mem, "a", "1.5", "", "2"), str(mem, "c", "u", "v", "w"))
		defer g.Release()
		fs, err := p.Transform(g, preprocess.Native)
		require.NoError(t, err)
		assert.Equal(t, 1.5, fs.X[0][0])
		assert.True(t, math.IsNaN(fs.X[0][1]))
	})
	t.Run("extra columns and order", func(t *testing.T) {
		g := frame(t, str(mem, "zzz", "q", "q", "q", "q"), str(mem, "c", "u", "v", "u", "v"), f64(mem, "a", 1, 2, 3, 4))
		defer g.Release()
		want, err := p.Transform(f, preprocess.Dense)
		require.NoError(t, err)
		got, err := p.Transform(g, preprocess.Dense)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	})
	t.Run("zero rows", func(t *testing.T) {
		g := frame(t, f64(mem, "a"), str(mem, "c"))
		defer g.Release()
		for _, v := range []preprocess.View{preprocess.Native, preprocess.Dense} {
			fs, err := p.Transform(g, v)
			require.NoError(t, err)
			assert.Equal(t, 0, fs.Rows)
			for _, x := range fs.X {
				assert.Empty(t, x)
			}
		}
	})
	t.Run("bad view", func(t *testing.T) {
		_, err := p.Transform(f, preprocess.View(9))
		assert.ErrorIs(t, err, preprocess.ErrInvalid)
	})
	t.Run("nil frame", func(t *testing.T) {
		_, err := p.Transform(nil, preprocess.Dense)
		assert.ErrorIs(t, err, preprocess.ErrInvalid)
	})
	t.Run("train on another frame", func(t *testing.T) {
		g := frame(t, f64(mem, "a", 1), str(mem, "c", "u"))
		defer g.Release()
		_, err := p.TransformTrain(g, preprocess.Dense)
		assert.ErrorIs(t, err, preprocess.ErrNotTraining)
	})
	t.Run("datetime given numbers", func(t *testing.T) {
		h := frame(t, str(mem, "d", "2020-01-01", "2020-02-01", "2021-01-01"))
		defer h.Release()
		pd, err := preprocess.Fit(t.Context(), h, "", []float64{1, 2, 3}, 0, preprocess.Options{})
		require.NoError(t, err)
		g := frame(t, f64(mem, "d", 1))
		defer g.Release()
		_, err = pd.Transform(g, preprocess.Native)
		assert.ErrorIs(t, err, preprocess.ErrColumnType)
	})
}

func TestFitErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	f := frame(t, f64(mem, "a", 1, 2, 3))
	defer f.Release()
	for _, tc := range []struct {
		name string
		y    []float64
		k    int
		opts preprocess.Options
	}{
		{"short y", []float64{1, 2}, 0, preprocess.Options{}},
		{"class out of range", []float64{0, 1, 2}, 2, preprocess.Options{}},
		{"fractional class", []float64{0, 0.5, 1}, 2, preprocess.Options{}},
		{"one class", []float64{0, 0, 0}, 1, preprocess.Options{}},
		{"infinite target", []float64{0, math.Inf(1), 1}, 0, preprocess.Options{}},
		{"no target", []float64{nan, nan, nan}, 0, preprocess.Options{}},
		{"bad kind", []float64{1, 2, 3}, 0, preprocess.Options{Kinds: map[string]string{"a": "image"}}},
		{"bad buckets", []float64{1, 2, 3}, 0, preprocess.Options{TextHashBuckets: -1}},
		{"bad max categories", []float64{1, 2, 3}, 0, preprocess.Options{MaxCategories: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := preprocess.Fit(t.Context(), f, "", tc.y, tc.k, tc.opts)
			assert.ErrorIs(t, err, preprocess.ErrInvalid)
		})
	}
	_, err := preprocess.Fit(t.Context(), nil, "", nil, 0, preprocess.Options{})
	assert.ErrorIs(t, err, preprocess.ErrInvalid)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = preprocess.Fit(ctx, f, "", []float64{1, 2, 3}, 0, preprocess.Options{})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestSeedDeterminism(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	n := 200
	vals := make([]string, n)
	y := make([]float64, n)
	for i := range vals {
		vals[i] = string(rune('a' + i%20))
		y[i] = float64((i * 7919) % 13)
	}
	f := frame(t, str(mem, "c", vals...))
	defer f.Release()
	run := func(seed uint64) [][]float64 {
		p, err := preprocess.Fit(t.Context(), f, "", y, 0, preprocess.Options{Seed: seed})
		require.NoError(t, err)
		fs, err := p.TransformTrain(f, preprocess.Dense)
		require.NoError(t, err)
		return fs.X
	}
	assert.Equal(t, run(1), run(1))
	assert.NotEqual(t, run(1), run(2))
}

func TestDictionaryAndBoolean(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	db := array.NewDictionaryBuilder(mem, &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}).(*array.BinaryDictionaryBuilder)
	defer db.Release()
	bb := array.NewBooleanBuilder(mem)
	defer bb.Release()
	plain := []string{"x", "y", "x", null, "z", "y", "x", "w"}
	for i, s := range plain {
		if s == null {
			db.AppendNull()
			bb.AppendNull()
			continue
		}
		require.NoError(t, db.AppendString(s))
		bb.Append(i%3 == 0)
	}
	dict := frame(t, tcol{"c", db.NewArray()}, tcol{"b", bb.NewArray()})
	defer dict.Release()
	strs := frame(t, str(mem, "c", plain...))
	defer strs.Release()
	y := []float64{1, 2, 3, 4, 5, 6, 7, 8}
	p, err := preprocess.Fit(t.Context(), dict, "", y, 0, preprocess.Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"categorical", "numeric"}, []string{p.Columns()[0].Kind, p.Columns()[1].Kind})
	fs, err := p.Transform(dict, preprocess.Native)
	require.NoError(t, err)
	assert.Equal(t, []int{3, 0}, fs.Categories, "x and y kept, z and w merged")
	assert.Equal(t, []float64{0, 1, 0, nan, 2, 1, 0, 2}[:3], fs.X[0][:3])
	assert.True(t, math.IsNaN(fs.X[0][3]))
	assert.Equal(t, []float64{2, 1, 0, 2}, fs.X[0][4:])
	assert.Equal(t, []float64{1, 0, 0}, fs.X[1][:3])
	assert.True(t, math.IsNaN(fs.X[1][3]))

	// The same values as plain strings give the same codes.
	q, err := preprocess.Fit(t.Context(), strs, "", y, 0, preprocess.Options{})
	require.NoError(t, err)
	fq, err := q.Transform(strs, preprocess.Native)
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprint(fs.X[0]), fmt.Sprint(fq.X[0]))
}
