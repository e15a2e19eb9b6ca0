package dataset_test

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/dataset"
)

func checkedMem(t *testing.T) *memory.CheckedAllocator {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

func readCSV(t *testing.T, text string, opts dataset.CSVOptions) (*dataset.Frame, error) {
	t.Helper()
	if opts.Allocator == nil {
		opts.Allocator = checkedMem(t)
	}
	return dataset.ReadCSV(t.Context(), strings.NewReader(text), opts)
}

func colType(f *dataset.Frame, name string) string {
	return f.Column(f.ColumnIndex(name)).DataType().String()
}

func TestReadCSVInference(t *testing.T) {
	text := "\xEF\xBB\xBFi,f,b,t,d,s,mixed,allnull,q\r\n" +
		"1,1.5,true,2024-01-02T03:04:05Z,2024-01-02,x,1,NA,\"a,b\"\r\n" +
		"-2,NaN,False,2024-01-02 10:00:00,2023-12-31,y,z,,\"he said \"\"hi\"\"\"\r\n" +
		" 3 ,2,TRUE,,2020-02-29,,2.5,null,\"multi\nline\"\r\n"
	f, err := readCSV(t, text, dataset.CSVOptions{})
	require.NoError(t, err)
	defer f.Release()
	require.Equal(t, 3, f.NumRows())
	assert.Equal(t, []string{"i", "f", "b", "t", "d", "s", "mixed", "allnull", "q"}, f.Names())
	want := map[string]string{
		"i": "int64", "f": "float64", "b": "bool", "t": "timestamp[us, tz=UTC]",
		"d": "timestamp[us, tz=UTC]", "s": "utf8", "mixed": "utf8", "allnull": "utf8", "q": "utf8",
	}
	for name, typ := range want {
		assert.Equal(t, typ, colType(f, name), name)
	}
	ints := f.Column(0).(*array.Int64)
	assert.Equal(t, []int64{1, -2, 3}, ints.Int64Values())
	fl, err := dataset.Floats(f.Column(1))
	require.NoError(t, err)
	assert.Equal(t, 1.5, fl[0])
	assert.True(t, math.IsNaN(fl[1]))
	assert.Equal(t, 2.0, fl[2])
	b := f.Column(2).(*array.Boolean)
	assert.True(t, b.Value(0))
	assert.False(t, b.Value(1))
	assert.True(t, b.Value(2))
	ts := f.Column(3).(*array.Timestamp)
	assert.Equal(t, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), ts.Value(0).ToTime(arrow.Microsecond))
	assert.Equal(t, time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC), ts.Value(1).ToTime(arrow.Microsecond))
	assert.True(t, ts.IsNull(2))
	s, valid := dataset.Strings(f.Column(5))
	assert.Equal(t, []bool{true, true, false}, valid)
	assert.Equal(t, "x", s[0])
	q, _ := dataset.Strings(f.Column(8))
	assert.Equal(t, []string{"a,b", `he said "hi"`, "multi\nline"}, q)
	assert.Equal(t, 3, f.Column(7).NullN())
}

func TestReadCSVOptions(t *testing.T) {
	t.Run("delimiter", func(t *testing.T) {
		f, err := readCSV(t, "a;b\n1;x\n", dataset.CSVOptions{Delimiter: ';'})
		require.NoError(t, err)
		defer f.Release()
		assert.Equal(t, []string{"a", "b"}, f.Names())
	})
	t.Run("null values", func(t *testing.T) {
		f, err := readCSV(t, "a,b\n-999,NA\n2,x\n", dataset.CSVOptions{NullValues: []string{"-999"}})
		require.NoError(t, err)
		defer f.Release()
		assert.Equal(t, 1, f.Column(0).NullN())
		assert.Equal(t, 0, f.Column(1).NullN(), "NA is not null when NullValues is set")
	})
	t.Run("types", func(t *testing.T) {
		f, err := readCSV(t, "zip,n\n00123,1\n99,2\n", dataset.CSVOptions{Types: map[string]dataset.ColumnType{"zip": dataset.TypeString, "n": dataset.TypeFloat64}})
		require.NoError(t, err)
		defer f.Release()
		assert.Equal(t, "utf8", colType(f, "zip"))
		assert.Equal(t, "float64", colType(f, "n"))
		s, _ := dataset.Strings(f.Column(0))
		assert.Equal(t, "00123", s[0])
	})
	t.Run("max rows", func(t *testing.T) {
		f, err := readCSV(t, "a\n1\n2\n3\n", dataset.CSVOptions{MaxRows: 2})
		require.NoError(t, err)
		defer f.Release()
		assert.Equal(t, 2, f.NumRows())
	})
	t.Run("header only", func(t *testing.T) {
		f, err := readCSV(t, "a,b\n", dataset.CSVOptions{})
		require.NoError(t, err)
		defer f.Release()
		assert.Equal(t, 0, f.NumRows())
		assert.Equal(t, "utf8", colType(f, "a"))
	})
	t.Run("lazy quotes", func(t *testing.T) {
		f, err := readCSV(t, "a,b\n1,5\"\n", dataset.CSVOptions{LazyQuotes: true})
		require.NoError(t, err)
		defer f.Release()
		s, _ := dataset.Strings(f.Column(1))
		assert.Equal(t, `5"`, s[0])
	})
	t.Run("int overflow becomes float", func(t *testing.T) {
		f, err := readCSV(t, "a\n99999999999999999999\n1\n", dataset.CSVOptions{})
		require.NoError(t, err)
		defer f.Release()
		assert.Equal(t, "float64", colType(f, "a"))
	})
}

func TestReadCSVErrors(t *testing.T) {
	cases := []struct {
		name, text string
		opts       dataset.CSVOptions
		is         error
		msg        []string
	}{
		{"empty", "", dataset.CSVOptions{}, dataset.ErrEmpty, []string{"no header"}},
		{"bom only", "\xEF\xBB\xBF", dataset.CSVOptions{}, dataset.ErrEmpty, nil},
		{"ragged long", "a,b\n1,2\n1,2,3\n", dataset.CSVOptions{}, dataset.ErrInvalid, []string{"line 3", "3 fields, want 2"}},
		{"ragged short", "a,b\n1,2\n\n1\n", dataset.CSVOptions{}, dataset.ErrInvalid, []string{"line 4", "1 fields, want 2"}},
		{"invalid utf8", "a,b\n1,ok\n2,\xff\xfe\n", dataset.CSVOptions{}, dataset.ErrInvalid, []string{"line 3", "column 2", `"b"`, "UTF-8"}},
		{"invalid utf8 header", "a,\xff\n1,2\n", dataset.CSVOptions{}, dataset.ErrInvalid, []string{"line 1", "column 2", "UTF-8"}},
		{"duplicate header", "a,b,a\n1,2,3\n", dataset.CSVOptions{}, dataset.ErrInvalid, []string{"line 1", "column 3", `duplicate column name "a"`}},
		{"empty header", "a,,c\n1,2,3\n", dataset.CSVOptions{}, dataset.ErrInvalid, []string{"line 1", "column 2", "empty column name"}},
		{"bad quote", "a,b\n1,\"x\"y\n", dataset.CSVOptions{}, dataset.ErrInvalid, []string{"line 2", "column"}},
		{"type override", "a,b\n1,2\n3,x\n", dataset.CSVOptions{Types: map[string]dataset.ColumnType{"b": dataset.TypeInt64}}, dataset.ErrInvalid, []string{"line 3", "column 2", `"b"`, `"x" is not a valid int64`}},
		{"type override quoted multiline", "a,b\n\"1\n2\",2020-01-01\n3,2020-13-45\n", dataset.CSVOptions{Types: map[string]dataset.ColumnType{"b": dataset.TypeTimestamp}}, dataset.ErrInvalid, []string{"line 4", "column 2", "not a valid timestamp"}},
		{"unknown type", "a\n1\n", dataset.CSVOptions{Types: map[string]dataset.ColumnType{"a": "decimal"}}, dataset.ErrInvalid, []string{"decimal"}},
		{"unknown column", "a\n1\n", dataset.CSVOptions{Types: map[string]dataset.ColumnType{"zz": dataset.TypeInt64}}, dataset.ErrNoColumn, []string{"zz"}},
		{"bad delimiter", "a\n1\n", dataset.CSVOptions{Delimiter: '"'}, dataset.ErrInvalid, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := readCSV(t, tc.text, tc.opts)
			if f != nil {
				f.Release()
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.is)
			for _, m := range tc.msg {
				assert.Contains(t, err.Error(), m)
			}
		})
	}
}

func TestReadCSVContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := dataset.ReadCSV(ctx, strings.NewReader("a\n1\n"), dataset.CSVOptions{})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestWriteCSVRoundTrip(t *testing.T) {
	mem := checkedMem(t)
	when := time.Date(2024, 5, 6, 7, 8, 9, 123000000, time.UTC)
	f, err := dataset.NewBuilder(mem).
		Float64("f", []float64{1, 2.5, math.NaN()}).
		Int64("i", []int64{1, 2, 3}, []bool{true, false, true}).
		Bool("b", []bool{true, false, true}, nil).
		String("s", []string{"a,b", "", "c\"d"}, []bool{true, false, true}).
		Time("t", []time.Time{when, when.Add(time.Hour), {}}, []bool{true, true, false}).
		Build()
	require.NoError(t, err)
	defer f.Release()
	var buf bytes.Buffer
	require.NoError(t, dataset.WriteCSV(&buf, f))
	g, err := dataset.ReadCSV(t.Context(), &buf, dataset.CSVOptions{Allocator: mem})
	require.NoError(t, err)
	defer g.Release()
	assertFramesEqual(t, f, g)
}

// assertFramesEqual compares names, types and values.
func assertFramesEqual(t *testing.T, want, got *dataset.Frame) {
	t.Helper()
	require.Equal(t, want.Names(), got.Names())
	require.Equal(t, want.NumRows(), got.NumRows())
	for j := range want.NumCols() {
		assert.Equal(t, want.Column(j).DataType().String(), got.Column(j).DataType().String(), want.Names()[j])
		wv, wok := dataset.Strings(want.Column(j))
		gv, gok := dataset.Strings(got.Column(j))
		assert.Equal(t, wok, gok, want.Names()[j])
		assert.Equal(t, wv, gv, want.Names()[j])
	}
}

func TestWriteCSVSingleColumnNulls(t *testing.T) {
	mem := checkedMem(t)
	f, err := dataset.NewBuilder(mem).String("s", []string{"a", "", "b"}, []bool{true, false, true}).Build()
	require.NoError(t, err)
	defer f.Release()
	var buf bytes.Buffer
	require.NoError(t, dataset.WriteCSV(&buf, f))
	assert.Equal(t, "s\na\n\"\"\nb\n", buf.String())
	g, err := dataset.ReadCSV(t.Context(), &buf, dataset.CSVOptions{Allocator: mem})
	require.NoError(t, err)
	defer g.Release()
	assertFramesEqual(t, f, g)
}
