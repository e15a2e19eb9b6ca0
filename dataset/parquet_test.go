package dataset_test

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/dataset"
)

// richRecord builds a record with every flat type ReadParquet maps, nulls
// in the nullable columns and n rows. The caller releases it.
func richRecord(t *testing.T, mem memory.Allocator, n int) arrow.RecordBatch {
	t.Helper()
	fields := []arrow.Field{
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
		{Name: "u8", Type: arrow.PrimitiveTypes.Uint8, Nullable: true},
		{Name: "i16", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
		{Name: "u16", Type: arrow.PrimitiveTypes.Uint16, Nullable: true},
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "u32", Type: arrow.PrimitiveTypes.Uint32, Nullable: true},
		{Name: "i64", Type: arrow.PrimitiveTypes.Int64}, // required
		{Name: "u64", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "d32", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "tsl", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
		{Name: "t32", Type: arrow.FixedWidthTypes.Time32ms, Nullable: true},
		{Name: "t64", Type: arrow.FixedWidthTypes.Time64us, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "bin", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "fsb", Type: &arrow.FixedSizeBinaryType{ByteWidth: 3}, Nullable: true},
		{Name: "dec", Type: &arrow.Decimal128Type{Precision: 20, Scale: 3}, Nullable: true},
	}
	b := array.NewRecordBuilder(mem, arrow.NewSchema(fields, nil))
	defer b.Release()
	base := time.Date(2024, 2, 3, 4, 5, 6, 0, time.UTC)
	for i := range n {
		null := i%5 == 3
		for j, fb := range b.Fields() {
			if null && fields[j].Nullable {
				fb.AppendNull()
				continue
			}
			switch c := fb.(type) {
			case *array.BooleanBuilder:
				c.Append(i%2 == 0)
			case *array.Int8Builder:
				c.Append(int8(i % 100))
			case *array.Uint8Builder:
				c.Append(uint8(i % 250))
			case *array.Int16Builder:
				c.Append(int16(-i))
			case *array.Uint16Builder:
				c.Append(uint16(i))
			case *array.Int32Builder:
				c.Append(int32(i * 1000))
			case *array.Uint32Builder:
				c.Append(uint32(i) + 1<<31)
			case *array.Int64Builder:
				c.Append(int64(i) << 40)
			case *array.Uint64Builder:
				c.Append(uint64(i) + 1<<63)
			case *array.Float32Builder:
				c.Append(float32(i) / 4)
			case *array.Float64Builder:
				c.Append(float64(i) / 3)
			case *array.Date32Builder:
				c.Append(arrow.Date32FromTime(base.AddDate(0, 0, i)))
			case *array.TimestampBuilder:
				typ := c.Type().(*arrow.TimestampType)
				ts, err := arrow.TimestampFromTime(base.Add(time.Duration(i)*time.Hour), typ.Unit)
				require.NoError(t, err)
				c.Append(ts)
			case *array.Time32Builder:
				c.Append(arrow.Time32(i * 1000))
			case *array.Time64Builder:
				c.Append(arrow.Time64(i * 1000))
			case *array.StringBuilder:
				c.Append([]string{"red", "green", "blue"}[i%3])
			case *array.BinaryBuilder:
				c.Append([]byte{0xff, byte(i)})
			case *array.FixedSizeBinaryBuilder:
				c.Append([]byte{1, 2, byte(i)})
			case *array.Decimal128Builder:
				c.Append(decimal128.FromI64(int64(i*1234 - 5000)))
			default:
				t.Fatalf("no value for %T", fb)
			}
		}
	}
	return b.NewRecordBatch()
}

func writeParquetRecord(t *testing.T, rec arrow.RecordBatch, rowGroup int64, props *parquet.WriterProperties) []byte {
	t.Helper()
	var buf bytes.Buffer
	tbl := array.NewTableFromRecords(rec.Schema(), []arrow.RecordBatch{rec})
	defer tbl.Release()
	require.NoError(t, pqarrow.WriteTable(tbl, &buf, rowGroup, props, pqarrow.DefaultWriterProps()))
	return buf.Bytes()
}

// TestReadParquetTypes reads every mapped type, with nulls, several row
// groups and dictionary-encoded pages, and compares with pqarrow.
func TestReadParquetTypes(t *testing.T) {
	mem := checkedMem(t)
	rec := richRecord(t, mem, 1000)
	defer rec.Release()
	for name, props := range map[string]*parquet.WriterProperties{
		"plain":      parquet.NewWriterProperties(parquet.WithDictionaryDefault(false)),
		"dictionary": parquet.NewWriterProperties(parquet.WithDictionaryDefault(true), parquet.WithCompression(compress.Codecs.Snappy)),
	} {
		t.Run(name, func(t *testing.T) {
			data := writeParquetRecord(t, rec, 300, props)
			f, err := dataset.ReadParquet(t.Context(), bytes.NewReader(data), dataset.ReadOptions{Allocator: mem})
			require.NoError(t, err)
			defer f.Release()
			want, err := pqarrow.ReadTable(t.Context(), bytes.NewReader(data), parquet.NewReaderProperties(mem), pqarrow.ArrowReadProperties{}, mem)
			require.NoError(t, err)
			defer want.Release()
			require.Equal(t, int(want.NumRows()), f.NumRows())
			require.Equal(t, int(want.NumCols()), f.NumCols())
			for j := range f.NumCols() {
				name := f.Names()[j]
				got := f.Column(j)
				wcol, err := array.Concatenate(want.Column(j).Data().Chunks(), mem)
				require.NoError(t, err)
				switch name {
				case "dec":
					// Decimals become float64.
					assert.Equal(t, "float64", got.DataType().String())
					fl, err := dataset.Floats(got)
					require.NoError(t, err)
					d := wcol.(*array.Decimal128)
					for i := range d.Len() {
						if d.IsNull(i) {
							assert.True(t, math.IsNaN(fl[i]))
							continue
						}
						assert.InDelta(t, d.Value(i).ToFloat64(3), fl[i], 1e-9, "row %d", i)
					}
				case "bin":
					// Not valid UTF-8: stays binary, as pqarrow reads it.
					assert.Equal(t, "binary", got.DataType().String())
					assert.True(t, array.Equal(wcol, got), name)
				default:
					assert.Equal(t, wcol.DataType().String(), got.DataType().String(), name)
					assert.True(t, array.Equal(wcol, got), name)
				}
				wcol.Release()
			}
			h, err := dataset.ReadParquet(t.Context(), bytes.NewReader(data), dataset.ReadOptions{Allocator: mem, MaxRows: 450})
			require.NoError(t, err)
			defer h.Release()
			assert.Equal(t, 450, h.NumRows())
			v, _ := dataset.Strings(h.Column(h.ColumnIndex("s")))
			assert.Equal(t, "blue", v[449]) // 449 % 3 == 2
		})
	}
}

func TestReadParquetNested(t *testing.T) {
	mem := checkedMem(t)
	lb := array.NewListBuilder(mem, arrow.PrimitiveTypes.Int64)
	defer lb.Release()
	lb.Append(true)
	lb.ValueBuilder().(*array.Int64Builder).Append(1)
	arr := lb.NewArray()
	defer arr.Release()
	sch := arrow.NewSchema([]arrow.Field{{Name: "l", Type: arr.DataType(), Nullable: true}}, nil)
	rec := array.NewRecordBatch(sch, []arrow.Array{arr}, 1)
	defer rec.Release()
	data := writeParquetRecord(t, rec, 10, parquet.NewWriterProperties())
	_, err := dataset.ReadParquet(t.Context(), bytes.NewReader(data), dataset.ReadOptions{Allocator: mem})
	assert.ErrorIs(t, err, dataset.ErrFormat)
	assert.Contains(t, err.Error(), `"l"`)
}

// FuzzReadParquet feeds corrupted Parquet files: an error or a valid
// frame, never a panic or leaked memory.
func FuzzReadParquet(f *testing.F) {
	mem := memory.NewGoAllocator()
	tb := &testing.T{}
	rec := richRecord(tb, mem, 40)
	defer rec.Release()
	var buf bytes.Buffer
	tbl := array.NewTableFromRecords(rec.Schema(), []arrow.RecordBatch{rec})
	defer tbl.Release()
	if err := pqarrow.WriteTable(tbl, &buf, 16, parquet.NewWriterProperties(), pqarrow.DefaultWriterProps()); err != nil {
		f.Fatal(err)
	}
	valid := buf.Bytes()
	f.Add(valid, uint16(0), byte(0))
	f.Add(valid, uint16(100), byte(0xff))
	f.Add(valid, uint16(len(valid)-20), byte(7))
	f.Add(valid[:len(valid)/2], uint16(0), byte(0))
	f.Fuzz(func(t *testing.T, data []byte, at uint16, x byte) {
		data = bytes.Clone(data)
		if len(data) > 0 {
			data[int(at)%len(data)] ^= x
		}
		cm := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer cm.AssertSize(t, 0)
		fr, err := dataset.ReadParquet(t.Context(), bytes.NewReader(data), dataset.ReadOptions{Allocator: cm, MaxRows: 1000}) // bounded: RLE runs can claim billions of rows
		if err != nil {
			if fr != nil {
				t.Fatal("frame and error both returned")
			}
			return
		}
		fr.Release()
	})
}

// TestReadParquetCorrupt overwrites a few random bytes of a valid file
// many times: each read gives an error or a frame, without panic or
// leaked memory. (FuzzReadParquet does the same under the fuzzer, which
// runs slowly here: corrupt metadata can make the decoder allocate a lot.)
func TestReadParquetCorrupt(t *testing.T) {
	mem := checkedMem(t)
	rec := richRecord(t, mem, 40)
	defer rec.Release()
	valid := writeParquetRecord(t, rec, 16, parquet.NewWriterProperties())
	rng := rand.New(rand.NewPCG(1, 1))
	errs := 0
	for range 300 {
		data := bytes.Clone(valid)
		for range 1 + rng.IntN(4) {
			data[rng.IntN(len(data))] = byte(rng.IntN(256))
		}
		f, err := dataset.ReadParquet(t.Context(), bytes.NewReader(data), dataset.ReadOptions{Allocator: mem, MaxRows: 1000})
		if err != nil {
			require.Nil(t, f)
			assert.ErrorIs(t, err, dataset.ErrInvalid)
			errs++
			continue
		}
		f.Release()
	}
	assert.Greater(t, errs, 10, "corruption should be noticed")
}

// TestReadParquetDictionary: a long string column with few distinct
// values comes back dictionary encoded, as ReadCSV stores it; one with
// many stays utf8.
func TestReadParquetDictionary(t *testing.T) {
	mem := checkedMem(t)
	n := 3000
	few, many := make([]string, n), make([]string, n)
	valid := make([]bool, n)
	for i := range n {
		few[i] = []string{"red", "green", "blue"}[i%3]
		many[i] = fmt.Sprintf("id-%d", i)
		valid[i] = i%7 != 0
	}
	f, err := dataset.NewBuilder(mem).String("few", few, valid).String("many", many, nil).Build()
	require.NoError(t, err)
	defer f.Release()
	data := writeParquetRecord(t, f.Record(), 1000, parquet.NewWriterProperties())
	g, err := dataset.ReadParquet(t.Context(), bytes.NewReader(data), dataset.ReadOptions{Allocator: mem})
	require.NoError(t, err)
	defer g.Release()
	assert.Equal(t, "dictionary<values=utf8, indices=int32, ordered=false>", g.Column(0).DataType().String())
	assert.Equal(t, "utf8", g.Column(1).DataType().String())
	assertFramesEqualValues(t, f, g)
}

// assertFramesEqualValues compares names and values, not types.
func assertFramesEqualValues(t *testing.T, want, got *dataset.Frame) {
	t.Helper()
	require.Equal(t, want.Names(), got.Names())
	for j := range want.NumCols() {
		wv, wok := dataset.Strings(want.Column(j))
		gv, gok := dataset.Strings(got.Column(j))
		assert.Equal(t, wok, gok, want.Names()[j])
		assert.Equal(t, wv, gv, want.Names()[j])
	}
}
