package dataset

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

// equivFrame builds a random frame of n rows for comparing Analyze with
// refAnalyze: columns of many Arrow types drawn from value pools of random
// sizes (so values repeat and top counts tie), with nulls, NaN, -0 and +0,
// columns that leak the target, and repeated rows. It returns the frame
// and the names of the columns that may serve as a target.
func equivFrame(t *testing.T, r *rand.Rand, n int) (*Frame, []string) {
	t.Helper()
	mem := memory.NewGoAllocator()
	pool := func() int { // how many distinct values a column draws from
		switch r.IntN(6) {
		case 0:
			return 1
		case 1:
			return 2
		case 2:
			return 1 + r.IntN(8)
		case 3:
			return 1 + r.IntN(max(n/4, 1))
		}
		return 2 * n
	}
	nullRate := func() float64 {
		switch r.IntN(4) {
		case 0:
			return 0.02
		case 1:
			return 0.6
		}
		return 0
	}
	// Rows to copy from an earlier row, so some rows repeat exactly.
	src := make([]int, n)
	for i := range src {
		src[i] = i
		if i > 0 && r.IntN(10) == 0 {
			src[i] = r.IntN(i)
		}
	}
	floatVals := func(m int) []float64 {
		vals := make([]float64, m)
		for k := range vals {
			switch r.IntN(8) {
			case 0:
				vals[k] = math.Copysign(0, -1)
			case 1:
				vals[k] = 0
			case 2:
				vals[k] = float64(r.IntN(5))
			case 3:
				vals[k] = math.Inf(1 - 2*r.IntN(2))
			default:
				vals[k] = r.NormFloat64() * math.Pow(10, float64(r.IntN(7)-3))
			}
		}
		return vals
	}

	var names []string
	var arrs []arrow.Array
	var targets []string
	add := func(name string, a arrow.Array, target bool) {
		names = append(names, fmt.Sprintf("%s%d", name, len(names)))
		arrs = append(arrs, a)
		if target {
			targets = append(targets, names[len(names)-1])
		}
	}
	// The class of each row, for leaky columns and classification targets.
	nclass := 2 + r.IntN(4)
	class := make([]int, n)
	for i := range class {
		class[i] = r.IntN(nclass)
		class[i] = class[src[i]]
	}
	for range 3 + r.IntN(8) {
		m, nr := pool(), nullRate()
		switch r.IntN(11) {
		case 0, 1: // float64 with nulls and non-null NaN
			b := array.NewFloat64Builder(mem)
			vals := floatVals(m)
			for i := range n {
				u := r.Float64()
				if i != src[i] {
					u = 1 // filled below from the source row
				}
				switch {
				case u < nr:
					b.AppendNull()
				case u < nr+0.01:
					b.Append(math.NaN())
				default:
					b.Append(vals[r.IntN(m)])
				}
			}
			a := b.NewFloat64Array()
			b.Release()
			add("f", copyRows(mem, a, src), r.IntN(3) == 0)
			a.Release()
		case 2: // float32
			b := array.NewFloat32Builder(mem)
			vals := floatVals(m)
			for range n {
				if r.Float64() < nr {
					b.AppendNull()
				} else {
					b.Append(float32(vals[r.IntN(m)]))
				}
			}
			a := b.NewArray()
			b.Release()
			add("g", copyRows(mem, a, src), false)
			a.Release()
		case 3: // int64, some past 2^53 where distinct ints share a float
			b := array.NewInt64Builder(mem)
			base := int64(0)
			if r.IntN(4) == 0 {
				base = 1 << 60
			}
			for range n {
				if r.Float64() < nr {
					b.AppendNull()
				} else {
					b.Append(base + int64(r.IntN(m)) - int64(r.IntN(2)))
				}
			}
			a := b.NewArray()
			b.Release()
			add("i", copyRows(mem, a, src), r.IntN(2) == 0)
			a.Release()
		case 4: // int32 row numbers or small codes
			b := array.NewInt32Builder(mem)
			rowNum := r.IntN(3) == 0
			for i := range n {
				if rowNum {
					b.Append(int32(i))
				} else {
					b.Append(int32(r.IntN(min(m, 90))) - 1)
				}
			}
			a := b.NewArray()
			b.Release()
			add("id", a, true)
		case 5: // uint8 and int8
			b := array.NewUint8Builder(mem)
			for range n {
				if r.Float64() < nr {
					b.AppendNull()
				} else {
					b.Append(uint8(r.IntN(min(m, 256))))
				}
			}
			a := b.NewArray()
			b.Release()
			add("u", copyRows(mem, a, src), false)
			a.Release()
		case 6: // bool
			b := array.NewBooleanBuilder(mem)
			for range n {
				if r.Float64() < nr {
					b.AppendNull()
				} else {
					b.Append(r.IntN(3) == 0)
				}
			}
			a := b.NewArray()
			b.Release()
			add("b", copyRows(mem, a, src), true)
			a.Release()
		case 7: // strings
			b := array.NewStringBuilder(mem)
			for range n {
				if r.Float64() < nr {
					b.AppendNull()
				} else {
					b.Append(fmt.Sprintf("v%d", r.IntN(m)))
				}
			}
			a := b.NewArray()
			b.Release()
			add("s", copyRows(mem, a, src), true)
			a.Release()
		case 8: // timestamps, some a microsecond apart
			b := array.NewTimestampBuilder(mem, arrow.FixedWidthTypes.Timestamp_us.(*arrow.TimestampType))
			t0 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
			for range n {
				if r.Float64() < nr {
					b.AppendNull()
				} else {
					b.Append(arrow.Timestamp(t0.UnixMicro() + int64(r.IntN(m))*int64(1+r.IntN(2)*999999)))
				}
			}
			a := b.NewArray()
			b.Release()
			add("t", copyRows(mem, a, src), false)
			a.Release()
		case 9: // a leak: the class with a little noise, repeated values
			b := array.NewFloat64Builder(mem)
			spread := 1 + r.IntN(max(m, 1))
			for i := range n {
				v := float64(class[i]*1000 + r.IntN(spread))
				if r.IntN(200) == 0 {
					v = float64(r.IntN(nclass * 1000))
				}
				b.Append(v)
			}
			a := b.NewArray()
			b.Release()
			add("leak", a, false)
		case 10: // date32
			b := array.NewDate32Builder(mem)
			for range n {
				if r.Float64() < nr {
					b.AppendNull()
				} else {
					b.Append(arrow.Date32(18000 + r.IntN(m)))
				}
			}
			a := b.NewArray()
			b.Release()
			add("d", copyRows(mem, a, src), false)
			a.Release()
		}
	}
	// Class targets, and their exact copies as leaky features.
	cb := array.NewInt64Builder(mem)
	sb := array.NewStringBuilder(mem)
	fb := array.NewFloat64Builder(mem)
	for i := range n {
		cb.Append(int64(class[i]))
		sb.Append(fmt.Sprintf("c%d", class[i]))
		y := float64(class[i]) + r.NormFloat64()
		if r.IntN(50) == 0 {
			fb.AppendNull()
		} else {
			fb.Append(y)
		}
	}
	add("yc", cb.NewArray(), true)
	add("ys", sb.NewArray(), true)
	add("yr", fb.NewArray(), true)
	cb.Release()
	sb.Release()
	fb.Release()
	f, err := frameFromArrays(mem, names, arrs, n)
	require.NoError(t, err)
	for _, a := range arrs {
		a.Release()
	}
	return f, targets
}

// copyRows returns a with row i replaced by row src[i].
func copyRows(mem memory.Allocator, a arrow.Array, src []int) arrow.Array {
	b := array.NewBuilder(mem, a.DataType())
	defer b.Release()
	for _, s := range src {
		if a.IsNull(s) {
			b.AppendNull()
			continue
		}
		switch c := a.(type) {
		case *array.Float64:
			b.(*array.Float64Builder).Append(c.Value(s))
		case *array.Float32:
			b.(*array.Float32Builder).Append(c.Value(s))
		case *array.Int64:
			b.(*array.Int64Builder).Append(c.Value(s))
		case *array.Uint8:
			b.(*array.Uint8Builder).Append(c.Value(s))
		case *array.Boolean:
			b.(*array.BooleanBuilder).Append(c.Value(s))
		case *array.String:
			b.(*array.StringBuilder).Append(c.Value(s))
		case *array.Timestamp:
			b.(*array.TimestampBuilder).Append(c.Value(s))
		case *array.Date32:
			b.(*array.Date32Builder).Append(c.Value(s))
		default:
			panic(fmt.Sprintf("copyRows: type %s", a.DataType()))
		}
	}
	return b.NewArray()
}

// TestAnalyzeMatchesReference checks that Analyze gives exactly the
// Profile (or error) of the implementation it replaced, refAnalyze, on
// random frames, with the map coding capped low so the sorted coding of
// numeric columns is exercised on small frames too.
func TestAnalyzeMatchesReference(t *testing.T) {
	sizes := []int{0, 1, 2, 5, 30, 200, 1500}
	if !testing.Short() {
		sizes = append(sizes, 9000, 20000) // past 4096 distinct: the heap top path; past mapDistinctCap rows: the early bail
	}
	defer func(c int) { mapDistinctCap = c }(mapDistinctCap)
	seed := uint64(0)
	for _, n := range sizes {
		frames := 12
		if n >= 1500 {
			frames = 3
		}
		for range frames {
			seed++
			r := rand.New(rand.NewPCG(seed, 7))
			f, targets := equivFrame(t, r, n)
			for _, target := range append(targets, "") {
				opts := []AnalyzeOptions{{}, {MaxTop: 1}, {MaxTop: -1}, {MaxTop: 3 + r.IntN(80)}, {Task: TaskMulticlass}, {Task: TaskRegression}, {Task: TaskBinary}}
				o := opts[r.IntN(len(opts))]
				if target == "" {
					o.Task = TaskAuto
				}
				requireSameProfile(t, f, target, o, fmt.Sprintf("seed %d rows %d", seed, n))
			}
			if n > 2 { // arrays with an offset: a slice of the frame's record
				rec := f.Record().NewSlice(1, int64(n-1))
				g, err := NewFrame(rec)
				rec.Release()
				require.NoError(t, err)
				requireSameProfile(t, g, targets[r.IntN(len(targets))], AnalyzeOptions{}, fmt.Sprintf("seed %d rows %d sliced", seed, n))
				g.Release()
			}
			f.Release()
		}
	}
}

// requireSameProfile requires Analyze and refAnalyze to agree on f, with
// the map coding of numeric columns capped at 0, 3 and the default.
func requireSameProfile(t *testing.T, f *Frame, target string, o AnalyzeOptions, name string) {
	t.Helper()
	defer func(c int) { mapDistinctCap = c }(mapDistinctCap)
	want, wantErr := refAnalyze(o, f, target)
	for _, cap := range []int{0, 3, 1 << 14} {
		mapDistinctCap = cap
		got, err := o.Analyze(f, target)
		name := fmt.Sprintf("%s target %q opts %+v cap %d", name, target, o, cap)
		if wantErr != nil {
			require.EqualError(t, err, wantErr.Error(), name)
			continue
		}
		require.NoError(t, err, name)
		require.Equal(t, want, got, name)
	}
}

// FuzzAnalyzeMatchesReference compares Analyze with refAnalyze on the
// frame a CSV text reads to, for every column as the target and none.
func FuzzAnalyzeMatchesReference(f *testing.F) {
	for _, s := range []string{
		"x,y\n1,2.5\n3,NaN\n4,\n1,2.5\n",
		"a,b,c\n-0,0,x\n0,-0,y\n0,0,x\n-0,1,y\n",
		"id,v,y\n1,0.5,a\n2,0.25,b\n3,0.5,a\n4,0.125,b\n5,1e300,a\n",
		"t,y\n2024-01-01,1\n2024-01-02,0\n2024-01-01,1\n,0\n",
		"n,y\n9007199254740993,1\n9007199254740992,2\n9007199254740993,1\n",
		"f,y\ninf,1\n-inf,0\n1e999,1\n2,0\n2,1\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fr, err := ReadCSV(t.Context(), strings.NewReader(s), CSVOptions{})
		if err != nil {
			return
		}
		defer fr.Release()
		for _, target := range append(fr.Names(), "") {
			for _, o := range []AnalyzeOptions{{}, {MaxTop: 1}, {Task: TaskMulticlass}} {
				if target == "" {
					o.Task = TaskAuto
				}
				requireSameProfile(t, fr, target, o, "csv")
			}
		}
	})
}

// TestAnalyzeMatchesReferenceFile compares Analyze with refAnalyze on the
// table in the file named by $AUTOML_ANALYZE_REF_FILE (skipped when
// unset), with $AUTOML_ANALYZE_REF_TARGET as the target (none if unset):
// a check on a big real table, e.g. the scale benchmark's 1M-row CSV.
func TestAnalyzeMatchesReferenceFile(t *testing.T) {
	path := os.Getenv("AUTOML_ANALYZE_REF_FILE")
	if path == "" {
		t.Skip("AUTOML_ANALYZE_REF_FILE not set")
	}
	f, err := ReadFile(t.Context(), path)
	require.NoError(t, err)
	defer f.Release()
	target := os.Getenv("AUTOML_ANALYZE_REF_TARGET")
	want, err := refAnalyze(AnalyzeOptions{}, f, target)
	require.NoError(t, err)
	got, err := Analyze(f, target)
	require.NoError(t, err)
	require.Equal(t, want, got)
	t.Logf("%d rows: %d duplicate rows, %d warnings", got.Rows, got.Meta.DuplicateRows, len(got.Warnings))
}
