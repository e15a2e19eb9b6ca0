package preprocess_test

import (
	"math"
	"os"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/csv"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/dataset"
)

// tcol is a named test column; build with f64, str, i64, ts.
type tcol struct {
	name string
	arr  arrow.Array
}

// f64 builds a float64 column; NaN values become nulls.
func f64(mem memory.Allocator, name string, vals ...float64) tcol {
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	for _, v := range vals {
		if math.IsNaN(v) {
			b.AppendNull()
		} else {
			b.Append(v)
		}
	}
	return tcol{name, b.NewArray()}
}

// i64 builds an int64 column.
func i64(mem memory.Allocator, name string, vals ...int64) tcol {
	b := array.NewInt64Builder(mem)
	defer b.Release()
	b.AppendValues(vals, nil)
	return tcol{name, b.NewArray()}
}

// null is the string that str turns into a null slot.
const null = "\x00null"

// str builds a string column; the value null becomes a null slot.
func str(mem memory.Allocator, name string, vals ...string) tcol {
	b := array.NewStringBuilder(mem)
	defer b.Release()
	for _, v := range vals {
		if v == null {
			b.AppendNull()
		} else {
			b.Append(v)
		}
	}
	return tcol{name, b.NewArray()}
}

// ts builds a timestamp[s] column; the zero time becomes a null slot.
func ts(mem memory.Allocator, name string, vals ...time.Time) tcol {
	b := array.NewTimestampBuilder(mem, &arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"})
	defer b.Release()
	for _, v := range vals {
		if v.IsZero() {
			b.AppendNull()
		} else {
			b.Append(arrow.Timestamp(v.Unix()))
		}
	}
	return tcol{name, b.NewArray()}
}

// frame builds a Frame from cols, releasing the arrays; the caller must
// Release the frame.
func frame(t testing.TB, cols ...tcol) *dataset.Frame {
	t.Helper()
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	n := 0
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.arr.DataType(), Nullable: true}
		arrs[i] = c.arr
		n = c.arr.Len()
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, int64(n))
	defer rec.Release()
	for _, a := range arrs {
		a.Release()
	}
	f, err := dataset.NewFrame(rec)
	require.NoError(t, err)
	return f
}

// readCSV reads a shared dataset into one Frame, or skips when it is
// absent. floats names columns to read as float64 (the inferring reader
// guesses from the first row).
func readCSV(t testing.TB, path string, floats ...string) *dataset.Frame {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Skipf("dataset not available: %v", err)
	}
	defer fh.Close()
	types := map[string]arrow.DataType{}
	for _, c := range floats {
		types[c] = arrow.PrimitiveTypes.Float64
	}
	r := csv.NewInferringReader(fh, csv.WithHeader(true), csv.WithChunk(-1), csv.WithNullReader(true, ""),
		csv.WithColumnTypes(types))
	defer r.Release()
	require.True(t, r.Next(), "read %s: %v", path, r.Err())
	f, err := dataset.NewFrame(r.RecordBatch())
	require.NoError(t, err)
	return f
}

// target returns column name of f as float64s.
func target(t testing.TB, f *dataset.Frame, name string) []float64 {
	t.Helper()
	j := f.ColumnIndex(name)
	require.GreaterOrEqual(t, j, 0)
	y, err := dataset.Floats(f.Column(j))
	require.NoError(t, err)
	return y
}

const diamondsCSV = "../../shared/datasets/diamonds.csv" // the shared folder beside the repository
