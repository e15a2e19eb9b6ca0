package dataset

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

const diamondsPath = "../../shared/datasets/diamonds.csv" // the shared folder beside the repository

func loadShared(b *testing.B, path string) []byte {
	b.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Skipf("shared dataset not available: %v", err)
	}
	return data
}

func BenchmarkReadCSVDiamonds(b *testing.B) {
	data := loadShared(b, diamondsPath)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		f, err := ReadCSV(b.Context(), bytes.NewReader(data), CSVOptions{})
		if err != nil {
			b.Fatal(err)
		}
		f.Release()
	}
}

func BenchmarkAnalyzeDiamonds(b *testing.B) {
	data := loadShared(b, diamondsPath)
	f, err := ReadCSV(b.Context(), bytes.NewReader(data), CSVOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Release()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Analyze(f, "price"); err != nil {
			b.Fatal(err)
		}
	}
}

// synthCSV returns a synthetic CSV table of rows rows: with mixed false,
// 20 float columns written with 6-8 significant digits (like the issue's
// 1,000,000 x 20 make_friedman1 table); with mixed true, 12 float columns,
// 4 small-integer columns, a bool, a date, a 20-level category and a
// quoted free-text column with commas.
func synthCSV(rows int, mixed bool) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	floats, ints := 20, 0
	if mixed {
		floats, ints = 12, 4
	}
	for j := range floats {
		fmt.Fprintf(&b, "x%d,", j)
	}
	for j := range ints {
		fmt.Fprintf(&b, "n%d,", j)
	}
	if mixed {
		b.WriteString("flag,day,cat,note,")
	}
	b.WriteString("y\n")
	buf := make([]byte, 0, 32)
	for range rows {
		for range floats {
			buf = strconv.AppendFloat(buf[:0], rng.Float64()*10-5, 'g', 6+rng.IntN(3), 64)
			b.Write(buf)
			b.WriteByte(',')
		}
		for range ints {
			buf = strconv.AppendInt(buf[:0], int64(rng.IntN(1000)), 10)
			b.Write(buf)
			b.WriteByte(',')
		}
		if mixed {
			fmt.Fprintf(&b, "%t,2024-%02d-%02d,level%d,\"note %d, with a comma\",", rng.IntN(2) == 0, 1+rng.IntN(12), 1+rng.IntN(28), rng.IntN(20), rng.IntN(100000))
		}
		buf = strconv.AppendFloat(buf[:0], rng.NormFloat64(), 'g', 8, 64)
		b.Write(buf)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// benchTables are the tables BenchmarkReadCSV and its bars read.
var benchTables = []struct {
	name  string
	rows  int
	mixed bool
}{
	{"numeric100k", 100_000, false},
	{"mixed100k", 100_000, true},
}

// benchTablesRead runs read over the text of every benchmark table; MB/s
// is of CSV text.
func benchTablesRead(b *testing.B, read func(b *testing.B, data []byte)) {
	for _, tb := range benchTables {
		data := synthCSV(tb.rows, tb.mixed)
		b.Run(tb.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				read(b, data)
			}
		})
	}
}

// readFrame returns a benchTablesRead reader that reads a Frame with read
// and releases it.
func readFrame(read func(context.Context, io.Reader, CSVOptions) (*Frame, error)) func(*testing.B, []byte) {
	return func(b *testing.B, data []byte) {
		f, err := read(b.Context(), bytes.NewReader(data), CSVOptions{})
		if err != nil {
			b.Fatal(err)
		}
		f.Release()
	}
}

// BenchmarkReadCSV reads synthetic tables with ReadCSV. Compare with
// BenchmarkReadCSVReference (the reader before the chunked one) and
// BenchmarkEncodingCSV (the bar: one encoding/csv pass).
func BenchmarkReadCSV(b *testing.B) { benchTablesRead(b, readFrame(ReadCSV)) }

// BenchmarkReadCSVReference reads the same tables with the reader ReadCSV
// replaced (encoding/csv into strings, then inference).
func BenchmarkReadCSVReference(b *testing.B) { benchTablesRead(b, readFrame(readCSVReference)) }

// BenchmarkEncodingCSV is the bar for BenchmarkReadCSV: a single-threaded
// encoding/csv pass over the same bytes, records reused, nothing parsed.
func BenchmarkEncodingCSV(b *testing.B) {
	benchTablesRead(b, func(b *testing.B, data []byte) {
		cr := csv.NewReader(bytes.NewReader(data))
		cr.ReuseRecord = true
		for {
			_, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchParquet writes the numeric benchmark table (rows rows) as Parquet,
// in row groups of 64k rows.
func benchParquet(b *testing.B, rows int) []byte {
	b.Helper()
	f, err := ReadCSV(b.Context(), bytes.NewReader(synthCSV(rows, false)), CSVOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Release()
	tbl := array.NewTableFromRecords(f.Schema(), []arrow.RecordBatch{f.Record()})
	defer tbl.Release()
	var buf bytes.Buffer
	if err := pqarrow.WriteTable(tbl, &buf, 64<<10, parquet.NewWriterProperties(), pqarrow.DefaultWriterProps()); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkReadParquet reads a 200,000 x 21 float Parquet file with
// ReadParquet (parquet/file) and, as the bar, pqarrow.ReadTable.
func BenchmarkReadParquet(b *testing.B) {
	data := benchParquet(b, 200_000)
	b.Run("dataset", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			f, err := ReadParquet(b.Context(), bytes.NewReader(data), ReadOptions{})
			if err != nil {
				b.Fatal(err)
			}
			f.Release()
		}
	})
	b.Run("pqarrow", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			tbl, err := pqarrow.ReadTable(b.Context(), bytes.NewReader(data), parquet.NewReaderProperties(nil), pqarrow.ArrowReadProperties{BatchSize: 64 << 10}, memory.DefaultAllocator)
			if err != nil {
				b.Fatal(err)
			}
			tbl.Release()
		}
	})
}
