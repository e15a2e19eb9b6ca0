package preprocess_test

import (
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/preprocess"
)

// richFrame has a column of every kind, with nulls.
func richFrame(t testing.TB, mem memory.Allocator, n int) (*dataset.Frame, []float64) {
	num := make([]float64, n)
	cat := make([]string, n)
	hi := make([]string, n)
	txt := make([]string, n)
	when := make([]time.Time, n)
	y := make([]float64, n)
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		num[i] = float64(i%17) * 1.1
		if i%9 == 0 {
			num[i] = nan
		}
		cat[i] = []string{"red", "green", "blue"}[i%3]
		if i%11 == 0 {
			cat[i] = null
		}
		hi[i] = "h" + string(rune('A'+i%40))
		txt[i] = []string{"alpha beta", "gamma", "delta epsilon zeta"}[i%3] + " " + string(rune('a'+i%26)) + strconv.Itoa(i)
		if i%13 != 0 {
			when[i] = base.Add(time.Duration(i*37) * time.Hour)
		}
		y[i] = float64(i % 3)
	}
	f := frame(t, f64(mem, "num", num...), str(mem, "cat", cat...), str(mem, "hi", hi...),
		str(mem, "txt", txt...), ts(mem, "when", when...))
	return f, y
}

func requireBitEqual(t *testing.T, want, got *preprocess.Features) {
	t.Helper()
	require.Equal(t, want.Names, got.Names)
	require.Equal(t, want.Categories, got.Categories)
	require.Equal(t, len(want.X), len(got.X))
	for j := range want.X {
		require.Equal(t, len(want.X[j]), len(got.X[j]))
		for i := range want.X[j] {
			require.Equal(t, math.Float64bits(want.X[j][i]), math.Float64bits(got.X[j][i]), "%s row %d", want.Names[j], i)
		}
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	f, y := richFrame(t, mem, 300)
	defer f.Release()
	for _, k := range []int{0, 3} {
		p, err := preprocess.Fit(t.Context(), f, "", y, k, preprocess.Options{Seed: 3})
		require.NoError(t, err)
		kinds := map[string]string{}
		for _, c := range p.Columns() {
			kinds[c.Name] = c.Kind
		}
		require.Equal(t, map[string]string{"num": "numeric", "cat": "categorical", "hi": "categorical",
			"txt": "text", "when": "datetime"}, kinds)
		b, err := p.MarshalBinary()
		require.NoError(t, err)
		var q preprocess.Pipeline
		require.NoError(t, q.UnmarshalBinary(b))
		b2, err := q.MarshalBinary()
		require.NoError(t, err)
		assert.Equal(t, string(b), string(b2), "re-encoding is stable")
		assert.Equal(t, p.InputColumns(), q.InputColumns())
		assert.Equal(t, p.Options(), q.Options())
		for _, v := range []preprocess.View{preprocess.Native, preprocess.Dense} {
			want, err := p.Transform(f, v)
			require.NoError(t, err)
			got, err := q.Transform(f, v)
			require.NoError(t, err)
			requireBitEqual(t, want, got)
		}
		_, err = q.TransformTrain(f, preprocess.Dense)
		assert.ErrorIs(t, err, preprocess.ErrNotTraining)
	}
}

func TestUnmarshalErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	f, y := richFrame(t, mem, 60)
	defer f.Release()
	p, err := preprocess.Fit(t.Context(), f, "", y, 0, preprocess.Options{})
	require.NoError(t, err)
	good, err := p.MarshalBinary()
	require.NoError(t, err)
	for _, tc := range []struct{ name, data string }{
		{"empty", ""},
		{"not json", "{"},
		{"other format", `{"format":"x","version":1}`},
		{"future version", `{"format":"automl.preprocess","version":99}`},
		{"truncated", string(good[:len(good)/2])},
		{"bad float", `{"format":"automl.preprocess","version":1,"prior":["NaNa"]}`},
		{"no rows", `{"format":"automl.preprocess","version":1,"prior":[1]}`},
		{"bad column", `{"format":"automl.preprocess","version":1,"used":1,"rows":1,"prior":[1],"columns":[{"name":"a","kind":"numeric"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var q preprocess.Pipeline
			assert.ErrorIs(t, q.UnmarshalBinary([]byte(tc.data)), preprocess.ErrFormat)
		})
	}
}

func FuzzUnmarshalBinary(f *testing.F) {
	mem := memory.NewGoAllocator()
	fr, y := richFrame(f, mem, 40)
	defer fr.Release()
	for _, k := range []int{0, 2, 3} {
		yy := make([]float64, len(y))
		for i := range yy {
			yy[i] = float64(i % max(k, 3))
			if k > 0 {
				yy[i] = float64(i % k)
			}
		}
		// Small seeds: the fuzzer minimizes every new input, slowly when large.
		p, err := preprocess.Fit(f.Context(), fr, "", yy, k, preprocess.Options{MaxOneHot: 2, TextHashBuckets: 2})
		require.NoError(f, err)
		b, err := p.MarshalBinary()
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte(`{"format":"automl.preprocess","version":1,"used":1,"rows":1,"prior":["NaN"],"columns":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var q preprocess.Pipeline
		if err := q.UnmarshalBinary(data); err != nil {
			return
		}
		for _, v := range []preprocess.View{preprocess.Native, preprocess.Dense} {
			fs, err := q.Transform(fr, v)
			if err != nil {
				continue
			}
			if len(fs.X) != len(fs.Names) || len(fs.X) != len(fs.Categories) {
				t.Fatalf("ragged features: %d columns, %d names, %d categories", len(fs.X), len(fs.Names), len(fs.Categories))
			}
		}
	})
}
