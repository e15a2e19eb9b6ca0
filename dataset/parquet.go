package dataset

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/float16"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/schema"
)

// ReadParquet reads a flat Parquet file into one Frame, column by column
// (every row group of a column decoded straight into one Arrow builder);
// the caller must Release the Frame.
//
// It uses arrow-go's parquet/file decoder directly rather than pqarrow,
// which imports Arrow Flight and with it gRPC and protobuf. Column types
// follow the Parquet schema as pqarrow maps it: booleans, 8- to 64-bit
// signed and unsigned integers, float32, float64, date32, time32/time64,
// timestamps (UTC when adjusted to UTC; INT96 as timestamp[ns]), strings
// (BYTE_ARRAY annotated String, Enum or JSON, or unannotated and valid
// UTF-8; other BYTE_ARRAY is binary; dictionary encoded by the rule of
// ReadCSV when long with few distinct values), fixed-size binary and
// all-null columns. Two mappings differ from pqarrow, for learning: decimals become
// float64 (value / 10^scale) and float16 becomes float32. The Arrow
// schema an Arrow writer may store in the file's metadata is not read, so
// dictionary, large-string and zoned types come back as their Parquet
// equivalents.
//
// Errors wrap ErrInvalid for a malformed file (a panic inside the Parquet
// decoder on corrupt input is turned into such an error), ErrFormat for
// nested or repeated columns, and ErrEmpty for a schema without columns.
func ReadParquet(ctx context.Context, r parquet.ReaderAtSeeker, opts ReadOptions) (f *Frame, err error) {
	if r == nil {
		return nil, fmt.Errorf("%w: nil reader", ErrInvalid)
	}
	defer recoverInto(&err, "parquet")
	mem := allocator(opts.Allocator)
	pr, err := file.NewParquetReader(r, file.WithReadProps(parquet.NewReaderProperties(mem)))
	if err != nil {
		return nil, fmt.Errorf("%w: parquet: %w", ErrInvalid, err)
	}
	defer pr.Close()
	sch := pr.MetaData().Schema
	root := sch.Root()
	for i := range root.NumFields() {
		if n := root.Field(i); n.Type() != schema.Primitive || n.RepetitionType() == parquet.Repetitions.Repeated {
			return nil, fmt.Errorf("%w: parquet: column %q is nested or repeated; only flat tables are read", ErrFormat, n.Name())
		}
	}
	if sch.NumColumns() == 0 {
		return nil, fmt.Errorf("%w: parquet: no columns", ErrEmpty)
	}
	rows := pr.NumRows()
	if opts.MaxRows > 0 && int64(opts.MaxRows) < rows {
		rows = int64(opts.MaxRows)
	}
	names := make([]string, sch.NumColumns())
	arrs := make([]arrow.Array, 0, len(names))
	defer func() {
		for _, a := range arrs {
			a.Release()
		}
	}()
	for j := range names {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		col := sch.Column(j)
		names[j] = col.Name()
		a, err := readParquetColumn(ctx, mem, pr, j, col, rows)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("%w: parquet: column %q: %w", ErrInvalid, col.Name(), err)
		}
		arrs = append(arrs, a)
	}
	return frameFromArrays(mem, names, arrs, int(rows))
}

// batchReader is what parquet/file's typed column chunk readers share.
type batchReader[T any] interface {
	ReadBatch(batchSize int64, values []T, defLvls, repLvls []int16) (total int64, valuesRead int, err error)
}

const (
	// pqBatch is the size of the batches a column is decoded in.
	pqBatch = 32 << 10
	// maxReserve bounds the rows reserved up front from the row count in
	// the metadata, which a corrupt file can make absurd.
	maxReserve = 1 << 22
)

// readLeaf decodes the first rows values of column j, row group by row
// group, calling emit for each batch: vals holds the batch's non-null
// values in order and defs its definition levels (nil for a required
// column; a level below maxDef is a null).
func readLeaf[T any](ctx context.Context, pr *file.Reader, j int, maxDef int16, rows int64, emit func(vals []T, defs []int16)) error {
	vals := make([]T, pqBatch)
	var defs []int16
	if maxDef > 0 {
		defs = make([]int16, pqBatch)
	}
	left := rows
	for g := 0; g < pr.NumRowGroups() && left > 0; g++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		rg := pr.RowGroup(g)
		want := min(rg.NumRows(), left)
		if err := readGroup(rg, j, want, vals, defs, emit); err != nil {
			return fmt.Errorf("row group %d: %w", g, err)
		}
		left -= want
	}
	if left > 0 {
		return fmt.Errorf("%d rows missing", left)
	}
	return nil
}

func readGroup[T any](rg *file.RowGroupReader, j int, want int64, vals []T, defs []int16, emit func([]T, []int16)) error {
	cr, err := rg.Column(j)
	if err != nil {
		return err
	}
	defer cr.Close()
	br, ok := cr.(batchReader[T])
	if !ok {
		return fmt.Errorf("unexpected column reader %T", cr)
	}
	for got := int64(0); got < want; {
		n, nv, err := br.ReadBatch(min(pqBatch, want-got), vals, defs, nil)
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("column ends after %d of %d rows", got, want)
		}
		if defs == nil {
			emit(vals[:nv], nil)
		} else {
			emit(vals[:nv], defs[:n])
		}
		got += n
	}
	return nil
}

// fixedBuilder is an Arrow builder of fixed-width values of type U.
type fixedBuilder[U any] interface {
	array.Builder
	UnsafeAppend(U)
}

// readFixed reads column j into b (which it releases), converting each
// value with conv, and returns the array.
func readFixed[T, U any](ctx context.Context, pr *file.Reader, j int, maxDef int16, rows int64, b fixedBuilder[U], conv func(T) U) (arrow.Array, error) {
	defer b.Release()
	b.Reserve(int(min(rows, maxReserve)))
	err := readLeaf(ctx, pr, j, maxDef, rows, func(vals []T, defs []int16) {
		if defs == nil {
			b.Reserve(len(vals))
			for _, v := range vals {
				b.UnsafeAppend(conv(v))
			}
			return
		}
		b.Reserve(len(defs))
		k := 0
		for _, d := range defs {
			if d == maxDef {
				b.UnsafeAppend(conv(vals[k]))
				k++
			} else {
				b.UnsafeAppendBoolToBitmap(false)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return b.NewArray(), nil
}

// valuesBuilder is an Arrow builder that appends Go slices in bulk.
type valuesBuilder[T any] interface {
	array.Builder
	AppendValues(v []T, valid []bool)
}

// readSame reads column j into b (which it releases) when the Parquet
// values are already the Arrow values: batches without nulls are copied
// in bulk, others spread out with their validity first.
func readSame[T any](ctx context.Context, pr *file.Reader, j int, maxDef int16, rows int64, b valuesBuilder[T]) (arrow.Array, error) {
	defer b.Release()
	b.Reserve(int(min(rows, maxReserve)))
	var spread []T
	var valid []bool
	err := readLeaf(ctx, pr, j, maxDef, rows, func(vals []T, defs []int16) {
		if defs == nil || len(vals) == len(defs) {
			b.AppendValues(vals, nil)
			return
		}
		if cap(spread) < len(defs) {
			spread, valid = make([]T, len(defs)), make([]bool, len(defs))
		}
		spread, valid = spread[:len(defs)], valid[:len(defs)]
		var zero T
		k := 0
		for i, d := range defs {
			if d == maxDef {
				spread[i], valid[i] = vals[k], true
				k++
			} else {
				spread[i], valid[i] = zero, false
			}
		}
		b.AppendValues(spread, valid)
	})
	if err != nil {
		return nil, err
	}
	return b.NewArray(), nil
}

// readBytes reads a BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY column j into b
// (which it releases) with add, which appends one value.
func readBytes[T ~[]byte](ctx context.Context, pr *file.Reader, j int, maxDef int16, rows int64, b array.Builder, add func(T)) (arrow.Array, error) {
	defer b.Release()
	err := readLeaf(ctx, pr, j, maxDef, rows, func(vals []T, defs []int16) {
		if defs == nil {
			for _, v := range vals {
				add(v)
			}
			return
		}
		k := 0
		for _, d := range defs {
			if d == maxDef {
				add(vals[k])
				k++
			} else {
				b.AppendNull()
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return b.NewArray(), nil
}

// readParquetColumn reads the first rows values of leaf column j as the
// Arrow type ReadParquet documents. The caller must Release the array.
func readParquetColumn(ctx context.Context, mem memory.Allocator, pr *file.Reader, j int, col *schema.Column, rows int64) (arrow.Array, error) {
	def := col.MaxDefinitionLevel()
	logical := col.LogicalType()
	if logical == nil || !logical.IsValid() || logical.Equals(schema.NullLogicalType{}) {
		return array.MakeArrayOfNull(mem, arrow.Null, int(rows)), nil
	}
	switch col.PhysicalType() {
	case parquet.Types.Boolean:
		return readSame[bool](ctx, pr, j, def, rows, array.NewBooleanBuilder(mem))
	case parquet.Types.Int32:
		switch lt := logical.(type) {
		case schema.IntLogicalType:
			switch {
			case lt.BitWidth() == 8 && lt.IsSigned():
				return readFixed(ctx, pr, j, def, rows, array.NewInt8Builder(mem), func(v int32) int8 { return int8(v) })
			case lt.BitWidth() == 8:
				return readFixed(ctx, pr, j, def, rows, array.NewUint8Builder(mem), func(v int32) uint8 { return uint8(v) })
			case lt.BitWidth() == 16 && lt.IsSigned():
				return readFixed(ctx, pr, j, def, rows, array.NewInt16Builder(mem), func(v int32) int16 { return int16(v) })
			case lt.BitWidth() == 16:
				return readFixed(ctx, pr, j, def, rows, array.NewUint16Builder(mem), func(v int32) uint16 { return uint16(v) })
			case !lt.IsSigned():
				return readFixed(ctx, pr, j, def, rows, array.NewUint32Builder(mem), func(v int32) uint32 { return uint32(v) })
			}
		case schema.DateLogicalType:
			return readFixed(ctx, pr, j, def, rows, array.NewDate32Builder(mem), func(v int32) arrow.Date32 { return arrow.Date32(v) })
		case schema.TimeLogicalType:
			tb := array.NewTime32Builder(mem, arrow.FixedWidthTypes.Time32ms.(*arrow.Time32Type))
			return readFixed(ctx, pr, j, def, rows, tb, func(v int32) arrow.Time32 { return arrow.Time32(v) })
		case schema.DecimalLogicalType:
			scale := pow10f(lt.Scale())
			return readFixed(ctx, pr, j, def, rows, array.NewFloat64Builder(mem), func(v int32) float64 { return float64(v) / scale })
		}
		return readSame[int32](ctx, pr, j, def, rows, array.NewInt32Builder(mem))
	case parquet.Types.Int64:
		switch lt := logical.(type) {
		case schema.IntLogicalType:
			if !lt.IsSigned() {
				return readFixed(ctx, pr, j, def, rows, array.NewUint64Builder(mem), func(v int64) uint64 { return uint64(v) })
			}
		case schema.TimestampLogicalType:
			typ := &arrow.TimestampType{Unit: arrow.Nanosecond}
			switch lt.TimeUnit() {
			case schema.TimeUnitMillis:
				typ.Unit = arrow.Millisecond
			case schema.TimeUnitMicros:
				typ.Unit = arrow.Microsecond
			}
			if lt.IsAdjustedToUTC() || lt.IsFromConvertedType() {
				typ.TimeZone = "UTC"
			}
			return readFixed(ctx, pr, j, def, rows, array.NewTimestampBuilder(mem, typ), func(v int64) arrow.Timestamp { return arrow.Timestamp(v) })
		case schema.TimeLogicalType:
			typ := arrow.FixedWidthTypes.Time64us.(*arrow.Time64Type)
			if lt.TimeUnit() == schema.TimeUnitNanos {
				typ = arrow.FixedWidthTypes.Time64ns.(*arrow.Time64Type)
			}
			return readFixed(ctx, pr, j, def, rows, array.NewTime64Builder(mem, typ), func(v int64) arrow.Time64 { return arrow.Time64(v) })
		case schema.DecimalLogicalType:
			scale := pow10f(lt.Scale())
			return readFixed(ctx, pr, j, def, rows, array.NewFloat64Builder(mem), func(v int64) float64 { return float64(v) / scale })
		}
		return readSame[int64](ctx, pr, j, def, rows, array.NewInt64Builder(mem))
	case parquet.Types.Int96:
		tb := array.NewTimestampBuilder(mem, arrow.FixedWidthTypes.Timestamp_ns.(*arrow.TimestampType))
		return readFixed(ctx, pr, j, def, rows, tb, func(v parquet.Int96) arrow.Timestamp { return arrow.Timestamp(v.ToTime().UnixNano()) })
	case parquet.Types.Float:
		return readSame[float32](ctx, pr, j, def, rows, array.NewFloat32Builder(mem))
	case parquet.Types.Double:
		return readSame[float64](ctx, pr, j, def, rows, array.NewFloat64Builder(mem))
	case parquet.Types.ByteArray:
		switch lt := logical.(type) {
		case schema.DecimalLogicalType:
			return readDecimalBytes[parquet.ByteArray](ctx, mem, pr, j, def, rows, lt.Scale())
		case schema.StringLogicalType, schema.EnumLogicalType, schema.JSONLogicalType:
			sb := array.NewStringBuilder(mem)
			a, err := readBytes(ctx, pr, j, def, rows, sb, func(v parquet.ByteArray) { sb.BinaryBuilder.Append(v) })
			if err != nil {
				return nil, err
			}
			return dictionaryEncode(mem, a), nil
		}
		bb := array.NewBinaryBuilder(mem, arrow.BinaryTypes.Binary)
		text := true
		a, err := readBytes(ctx, pr, j, def, rows, bb, func(v parquet.ByteArray) {
			text = text && utf8.Valid(v)
			bb.Append(v)
		})
		if err != nil || !text {
			return a, err
		}
		defer a.Release()
		return dictionaryEncode(mem, array.MakeFromData(array.NewData(arrow.BinaryTypes.String, a.Len(), a.Data().Buffers(), nil, a.NullN(), a.Data().Offset()))), nil
	case parquet.Types.FixedLenByteArray:
		switch lt := logical.(type) {
		case schema.DecimalLogicalType:
			return readDecimalBytes[parquet.FixedLenByteArray](ctx, mem, pr, j, def, rows, lt.Scale())
		case schema.Float16LogicalType:
			return readFixed(ctx, pr, j, def, rows, array.NewFloat32Builder(mem), func(v parquet.FixedLenByteArray) float32 {
				if len(v) != 2 {
					return float32(math.NaN())
				}
				return float16.FromBits(binary.LittleEndian.Uint16(v)).Float32()
			})
		}
		fb := array.NewFixedSizeBinaryBuilder(mem, &arrow.FixedSizeBinaryType{ByteWidth: col.TypeLength()})
		return readBytes(ctx, pr, j, def, rows, fb, func(v parquet.FixedLenByteArray) { fb.Append(v) })
	}
	return nil, fmt.Errorf("%w: physical type %s", ErrFormat, col.PhysicalType())
}

// dictionaryEncode returns a string array a as ReadCSV stores string
// columns: dictionary<values=utf8, indices=int32> when it has at least
// dictMinRows rows and at most one distinct value per dictShare non-null
// ones, else a itself. It takes over the caller's reference to a; the
// caller must Release the result.
func dictionaryEncode(mem memory.Allocator, a arrow.Array) arrow.Array {
	s, ok := a.(*array.String)
	if !ok || s.Len() < dictMinRows {
		return a
	}
	limit := (s.Len() - s.NullN()) / dictShare
	codes := make(map[string]int32, 64)
	var dict []string
	idx := make([]int32, s.Len())
	for i := range s.Len() {
		if s.IsNull(i) {
			continue
		}
		v := s.Value(i)
		c, seen := codes[v]
		if !seen {
			if len(dict) >= limit {
				return a
			}
			c = int32(len(dict))
			codes[v] = c
			dict = append(dict, v)
		}
		idx[i] = c
	}
	if len(dict) == 0 {
		return a
	}
	var valid []bool
	if s.NullN() > 0 {
		valid = make([]bool, s.Len())
		for i := range valid {
			valid[i] = s.IsValid(i)
		}
	}
	defer a.Release()
	return dictionaryArray(mem, dict, idx, valid)
}

// readDecimalBytes reads decimals stored as big-endian two's complement
// bytes as float64.
func readDecimalBytes[T ~[]byte](ctx context.Context, mem memory.Allocator, pr *file.Reader, j int, def int16, rows int64, scale int32) (arrow.Array, error) {
	return readFixed(ctx, pr, j, def, rows, array.NewFloat64Builder(mem), func(v T) float64 { return decimalFloat(v, scale) })
}

// decimalFloat converts a big-endian two's complement unscaled decimal to
// float64.
func decimalFloat(b []byte, scale int32) float64 {
	if len(b) == 0 {
		return 0
	}
	if len(b) <= 16 {
		var w [16]byte
		if b[0]&0x80 != 0 {
			for i := range w {
				w[i] = 0xff
			}
		}
		copy(w[16-len(b):], b)
		hi := int64(binary.BigEndian.Uint64(w[:8]))
		lo := binary.BigEndian.Uint64(w[8:])
		return decimal128.New(hi, lo).ToFloat64(scale)
	}
	v := new(big.Int).SetBytes(b)
	if b[0]&0x80 != 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	f, _ := new(big.Float).SetInt(v).Float64()
	return f / pow10f(scale)
}

// pow10f returns 10^e as a float64.
func pow10f(e int32) float64 { return math.Pow(10, float64(e)) }
