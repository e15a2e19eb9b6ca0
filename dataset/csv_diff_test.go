package dataset

import (
	"context"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// smallChunks makes ReadCSV cut its input every few bytes for the rest of
// the test, so that small inputs run through the chunked paths.
func smallChunks(t testing.TB, head, target int) {
	oldHead, oldTarget := headChunk, chunkTarget
	headChunk, chunkTarget = head, target
	t.Cleanup(func() { headChunk, chunkTarget = oldHead, oldTarget })
}

// diffOptions derives reader options from a fuzzed byte.
func diffOptions(k byte) CSVOptions {
	var o CSVOptions
	if k&1 != 0 {
		o.Delimiter = ';'
	}
	if k&2 != 0 {
		o.LazyQuotes = true
	}
	if k&4 != 0 {
		o.MaxRows = int(k>>5) + 1
	}
	if k&8 != 0 {
		o.NullValues = []string{"-", "NaN"}
	}
	if k&16 != 0 {
		o.Types = map[string]ColumnType{"a": []ColumnType{TypeInt64, TypeFloat64, TypeBool, TypeTimestamp, TypeString}[int(k>>5)%5]}
	}
	if k&0xe0 == 0xe0 {
		o.Delimiter = '§' // several bytes: the encoding/csv path
	}
	return o
}

// sameFrame reports how got differs from want, or "".
func sameFrame(want, got *Frame) string {
	if strings.Join(want.Names(), "\x00") != strings.Join(got.Names(), "\x00") {
		return "names differ"
	}
	if want.NumRows() != got.NumRows() {
		return "row counts differ"
	}
	for j := range want.NumCols() {
		wt, gt := want.Column(j).DataType(), got.Column(j).DataType()
		if d, ok := gt.(*arrow.DictionaryType); ok {
			gt = d.ValueType
		}
		if !arrow.TypeEqual(wt, gt) {
			return "types differ in column " + want.Names()[j] + ": " + wt.String() + " vs " + gt.String()
		}
		if wt.ID() == arrow.FLOAT64 {
			// Compare as numbers: an integer column widened to float64
			// reads "-0" as 0 in both readers, but which cells count as
			// integers before the widening depends on the chunks.
			wf, _ := Floats(want.Column(j))
			gf, _ := Floats(got.Column(j))
			for i := range wf {
				if wf[i] != gf[i] && !(math.IsNaN(wf[i]) && math.IsNaN(gf[i])) {
					return "values differ in column " + want.Names()[j]
				}
			}
			continue
		}
		wv, wok := Strings(want.Column(j))
		gv, gok := Strings(got.Column(j))
		for i := range wv {
			if wv[i] != gv[i] || wok[i] != gok[i] {
				return "values differ in column " + want.Names()[j]
			}
		}
	}
	return ""
}

// FuzzReadCSVDiff checks that the chunked reader gives the frame, or the
// error, of the reference reader (one encoding/csv pass), with the input
// cut into chunks of a few bytes.
func FuzzReadCSVDiff(f *testing.F) {
	seeds := []string{
		"a,b\n1,2\n3,4\n",
		"\xEF\xBB\xBFa,b\r\n1,x\r\n2,y\r\n",
		"a,b\n\"q,\"\"x\"\"\",2\n\"m\nl\",3\n",
		"a\n\n\n1\n\r\n2\r",
		"a,b\n1\n",
		"a,b\n1,2\n\n1,2,3\n",
		"a,a\n1,2\n",
		",\n1,2\n",
		"a\n\xff\n",
		"a,b\n1,ok\n2,\xff\n",
		"x,a\n1,2.5\n3,NaN\n4,\n5,-\n",
		"a\n2024-01-01\n2024-01-01T00:00:00Z\n2024-01-01 12:00:00\nx\n",
		"a\ntrue\nFalse\nTRUE\n1\n",
		"a\n99999999999999999999\n-1\n",
		"a,b\n\"unterminated\n1,2\n",
		"a;b\n1;2\n3;\"x;y\"\n",
		"a\n1\n2\n3\n4\n5\n6\n7\n8\nz\n",
		"a,b\n1,\"x\"y\n",
		"a,b\n1,5\"\n2,3\n",
		"a§b\n1§2\n",
		"\n\na,b\n1,2\n",
		"a\n \n 3 \n",
		"a\r\n1\r\r\n",
		"",
	}
	for i, s := range seeds {
		f.Add(s, byte(i*37))
	}
	f.Fuzz(func(t *testing.T, s string, k byte) {
		smallChunks(t, int(k%7)+1, int(k%13)+1)
		o := diffOptions(k)
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		o.Allocator = mem
		want, werr := readCSVReference(t.Context(), strings.NewReader(s), o)
		var r io.Reader = strings.NewReader(s) // read again through ReadAt
		if len(s)%2 == 1 {
			r = struct{ io.Reader }{r} // text kept in memory
		}
		got, gerr := ReadCSV(t.Context(), r, o)
		if want != nil {
			defer want.Release()
		}
		if got != nil {
			defer got.Release()
		}
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("options %+v\nreference error: %v\nchunked error:   %v", o, werr, gerr)
		}
		if werr != nil {
			for _, class := range []error{ErrInvalid, ErrEmpty, ErrNoColumn} {
				if errors.Is(werr, class) != errors.Is(gerr, class) {
					t.Fatalf("options %+v\nreference error: %v\nchunked error:   %v", o, werr, gerr)
				}
			}
			if werr.Error() != gerr.Error() {
				t.Fatalf("options %+v\nreference error: %v\nchunked error:   %v", o, werr, gerr)
			}
			return
		}
		if d := sameFrame(want, got); d != "" {
			t.Fatalf("options %+v: %s", o, d)
		}
	})
}

// FuzzParseNumber checks the fast number parsers against strconv.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"0", "-0", "1.5", ".5", "5.", "1e22", "1e23", "9007199254740993", "123456789012345678",
		"-9223372036854775808", "9223372036854775808", "0.000001", "1e-22", "1e-23", "+3", " 4 ", "1_0", "0x1p-2", "inf", "NaN", "1e", ".",
		"12345678.87654321", "1234567.9", "0.12345678", "99999999", "123456789", "1234567890123456789", "12345678901234567890",
		"4.9406564584124654e-324", "1.7976931348623157e308", "3.14159265358979e-7", "12345678\xff", "1234\xfa5678"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, werr := strconv.ParseFloat(strings.TrimSpace(s), 64)
		got, ok := parseFloat(s)
		if ok != (werr == nil) {
			t.Fatalf("parseFloat(%q) ok %v, strconv error %v", s, ok, werr)
		}
		if ok && math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("parseFloat(%q) = %v, strconv %v", s, got, want)
		}
		wi, ierr := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		gi, iok := parseInt(s)
		if iok != (ierr == nil) || (iok && gi != wi) {
			t.Fatalf("parseInt(%q) = %d, %v; strconv %d, %v", s, gi, iok, wi, ierr)
		}
	})
}

// TestReadCSVChunked reads a mixed table cut into many chunks and
// compares it with the reference reader, through both the text-keeping
// and the read-again paths; a float column whose last cell is text must
// become a string column with every cell as written.
func TestReadCSVChunked(t *testing.T) {
	smallChunks(t, 1<<10, 64<<10)
	data := synthCSV(20_000, true)
	data = append(data, []byte("oops,"+strings.Repeat("1,", 15)+"true,2024-01-01,level1,\"x\",1\n")...)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	want, err := readCSVReference(t.Context(), strings.NewReader(string(data)), CSVOptions{Allocator: mem})
	require.NoError(t, err)
	defer want.Release()
	for _, r := range []io.Reader{strings.NewReader(string(data)), struct{ io.Reader }{strings.NewReader(string(data))}} {
		got, err := ReadCSV(t.Context(), r, CSVOptions{Allocator: mem})
		require.NoError(t, err)
		assert.Empty(t, sameFrame(want, got))
		assert.Equal(t, "utf8", got.Column(0).DataType().String(), "x0 ends with text")
		assert.Equal(t, "dictionary<values=utf8, indices=int32, ordered=false>", got.Column(got.ColumnIndex("cat")).DataType().String())
		assert.Equal(t, "utf8", got.Column(got.ColumnIndex("note")).DataType().String(), "many distinct values")
		assert.Equal(t, "int64", got.Column(got.ColumnIndex("n0")).DataType().String())
		assert.Equal(t, "timestamp[us, tz=UTC]", got.Column(got.ColumnIndex("day")).DataType().String())
		got.Release()
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = ReadCSV(ctx, strings.NewReader(string(data)), CSVOptions{Allocator: mem})
	assert.ErrorIs(t, err, context.Canceled)
}
