package dataset_test

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/dataset"
)

// fixture builds a small frame with every builder type and some nulls.
func fixture(t *testing.T, mem memory.Allocator) *dataset.Frame {
	t.Helper()
	base := time.Date(2023, 3, 4, 5, 6, 7, 0, time.UTC)
	n := 7
	fl := make([]float64, n)
	in := make([]int64, n)
	bo := make([]bool, n)
	st := make([]string, n)
	tm := make([]time.Time, n)
	valid := make([]bool, n)
	for i := range n {
		fl[i] = float64(i) * 1.25
		in[i] = int64(i * i)
		bo[i] = i%2 == 0
		st[i] = []string{"a", "b, c", "dé"}[i%3]
		tm[i] = base.Add(time.Duration(i) * 36 * time.Hour)
		valid[i] = i != 2
	}
	fl[4] = math.NaN()
	f, err := dataset.NewBuilder(mem).
		Float64("f", fl).Int64("i", in, valid).Bool("b", bo, valid).
		String("s", st, valid).Time("t", tm, valid).Build()
	require.NoError(t, err)
	return f
}

// batches splits f's record into two record batches the caller releases.
func batches(f *dataset.Frame) []arrow.RecordBatch {
	rec := f.Record()
	k := rec.NumRows() / 2
	return []arrow.RecordBatch{rec.NewSlice(0, k), rec.NewSlice(k, rec.NumRows())}
}

func writeIPC(t *testing.T, f *dataset.Frame, file bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	recs := batches(f)
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	if file {
		w, err := ipc.NewFileWriter(&buf, ipc.WithSchema(f.Schema()))
		require.NoError(t, err)
		for _, r := range recs {
			require.NoError(t, w.Write(r))
		}
		require.NoError(t, w.Close())
	} else {
		w := ipc.NewWriter(&buf, ipc.WithSchema(f.Schema()))
		for _, r := range recs {
			require.NoError(t, w.Write(r))
		}
		require.NoError(t, w.Close())
	}
	return buf.Bytes()
}

func writeParquet(t *testing.T, f *dataset.Frame) []byte {
	t.Helper()
	var buf bytes.Buffer
	tbl := array.NewTableFromRecords(f.Schema(), []arrow.RecordBatch{f.Record()})
	defer tbl.Release()
	// Row groups of 3 rows, so the reader concatenates chunks.
	require.NoError(t, pqarrow.WriteTable(tbl, &buf, 3, parquet.NewWriterProperties(),
		pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema())))
	return buf.Bytes()
}

func TestReadIPCRoundTrip(t *testing.T) {
	for _, file := range []bool{true, false} {
		name := map[bool]string{true: "file", false: "stream"}[file]
		t.Run(name, func(t *testing.T) {
			mem := checkedMem(t)
			f := fixture(t, mem)
			defer f.Release()
			data := writeIPC(t, f, file)
			// Through a plain io.Reader (buffered) and a ReaderAt+Seeker.
			for _, r := range []interface{ Read([]byte) (int, error) }{strings.NewReader(string(data)), bytes.NewReader(data)} {
				g, err := dataset.ReadIPC(t.Context(), onlyReader{r}, dataset.ReadOptions{Allocator: mem})
				require.NoError(t, err)
				assertFramesEqual(t, f, g)
				g.Release()
			}
			g, err := dataset.ReadIPC(t.Context(), bytes.NewReader(data), dataset.ReadOptions{Allocator: mem, MaxRows: 2})
			require.NoError(t, err)
			assert.Equal(t, 2, g.NumRows())
			g.Release()
		})
	}
}

// onlyReader hides every method but Read.
type onlyReader struct {
	r interface{ Read([]byte) (int, error) }
}

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestReadParquetRoundTrip(t *testing.T) {
	mem := checkedMem(t)
	f := fixture(t, mem)
	defer f.Release()
	data := writeParquet(t, f)
	g, err := dataset.ReadParquet(t.Context(), bytes.NewReader(data), dataset.ReadOptions{Allocator: mem})
	require.NoError(t, err)
	defer g.Release()
	assertFramesEqual(t, f, g)
	h, err := dataset.ReadParquet(t.Context(), bytes.NewReader(data), dataset.ReadOptions{Allocator: mem, MaxRows: 4})
	require.NoError(t, err)
	defer h.Release()
	assert.Equal(t, 4, h.NumRows())
}

func TestReadBinaryErrors(t *testing.T) {
	mem := checkedMem(t)
	_, err := dataset.ReadParquet(t.Context(), bytes.NewReader([]byte("not parquet at all")), dataset.ReadOptions{Allocator: mem})
	assert.ErrorIs(t, err, dataset.ErrInvalid)
	_, err = dataset.ReadIPC(t.Context(), strings.NewReader("ARROW1 but garbage"), dataset.ReadOptions{Allocator: mem})
	assert.ErrorIs(t, err, dataset.ErrInvalid)
	_, err = dataset.ReadIPC(t.Context(), strings.NewReader("garbage stream"), dataset.ReadOptions{Allocator: mem})
	assert.ErrorIs(t, err, dataset.ErrInvalid)
	_, err = dataset.ReadIPC(t.Context(), strings.NewReader(""), dataset.ReadOptions{Allocator: mem})
	assert.ErrorIs(t, err, dataset.ErrEmpty)
}

func TestReadJSONL(t *testing.T) {
	mem := checkedMem(t)
	text := `{"a": 1, "b": "x", "c": true, "d": "2024-01-02"}

{"b": "y", "a": 2, "e": {"k": [1, 2]}, "d": null}
{"a": 3.5, "b": 7, "c": false}
`
	f, err := dataset.ReadJSONL(t.Context(), strings.NewReader(text), dataset.ReadOptions{Allocator: mem})
	require.NoError(t, err)
	defer f.Release()
	assert.Equal(t, []string{"a", "b", "c", "d", "e"}, f.Names())
	assert.Equal(t, 3, f.NumRows())
	for name, typ := range map[string]string{"a": "float64", "b": "utf8", "c": "bool", "d": "timestamp[us, tz=UTC]", "e": "utf8"} {
		assert.Equal(t, typ, colType(f, name), name)
	}
	b, _ := dataset.Strings(f.Column(1))
	assert.Equal(t, []string{"x", "y", "7"}, b)
	_, cv := dataset.Strings(f.Column(2))
	assert.Equal(t, []bool{true, false, true}, cv)
	e, ev := dataset.Strings(f.Column(4))
	assert.Equal(t, []bool{false, true, false}, ev)
	assert.Equal(t, `{"k":[1,2]}`, e[1])

	t.Run("array", func(t *testing.T) {
		g, err := dataset.ReadJSONL(t.Context(), strings.NewReader(` [{"a": 1}, {"a": 2, "b": "z"}]`), dataset.ReadOptions{Allocator: mem})
		require.NoError(t, err)
		defer g.Release()
		assert.Equal(t, "int64", colType(g, "a"))
		assert.Equal(t, 2, g.NumRows())
	})
	t.Run("types and max rows", func(t *testing.T) {
		g, err := dataset.ReadJSONL(t.Context(), strings.NewReader(text), dataset.ReadOptions{Allocator: mem, MaxRows: 2,
			Types: map[string]dataset.ColumnType{"a": dataset.TypeString}})
		require.NoError(t, err)
		defer g.Release()
		assert.Equal(t, "utf8", colType(g, "a"))
		assert.Equal(t, 2, g.NumRows())
	})
}

func TestReadJSONLErrors(t *testing.T) {
	cases := []struct {
		name, text string
		opts       dataset.ReadOptions
		is         error
		msg        []string
	}{
		{"empty", "", dataset.ReadOptions{}, dataset.ErrEmpty, nil},
		{"blank", "\n\n  \n", dataset.ReadOptions{}, dataset.ErrEmpty, nil},
		{"no keys", "{}\n{}\n", dataset.ReadOptions{}, dataset.ErrEmpty, nil},
		{"bad json", "{\"a\": 1}\n\n{\"a\": }\n", dataset.ReadOptions{}, dataset.ErrInvalid, []string{"line 3"}},
		{"not object", "{\"a\": 1}\n[1, 2]\n", dataset.ReadOptions{}, dataset.ErrInvalid, []string{"line 2", "not a JSON object"}},
		{"trailing", "{\"a\": 1} {\"a\": 2}\n", dataset.ReadOptions{}, dataset.ErrInvalid, []string{"line 1", "after the object"}},
		{"empty key", "{\"\": 1}\n", dataset.ReadOptions{}, dataset.ErrInvalid, []string{"line 1", "empty key"}},
		{"override", "{\"a\": 1}\n{\"a\": \"x\"}\n", dataset.ReadOptions{Types: map[string]dataset.ColumnType{"a": dataset.TypeInt64}}, dataset.ErrInvalid, []string{"line 2", `"a"`, "not a valid int64"}},
		{"unknown type column", "{\"a\": 1}\n", dataset.ReadOptions{Types: map[string]dataset.ColumnType{"z": dataset.TypeInt64}}, dataset.ErrNoColumn, nil},
		{"bad array", "[{\"a\": 1}, 3]", dataset.ReadOptions{}, dataset.ErrInvalid, []string{"array element 2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mem := checkedMem(t)
			tc.opts.Allocator = mem
			f, err := dataset.ReadJSONL(t.Context(), strings.NewReader(tc.text), tc.opts)
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

func TestReadFile(t *testing.T) {
	mem := checkedMem(t)
	f := fixture(t, mem)
	defer f.Release()
	dir := t.TempDir()
	var csvBuf bytes.Buffer
	require.NoError(t, dataset.WriteCSV(&csvBuf, f))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, err := zw.Write(csvBuf.Bytes())
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	files := map[string][]byte{
		"a.csv":      csvBuf.Bytes(),
		"a.CSV.gz":   gz.Bytes(),
		"a.tsv":      []byte(strings.ReplaceAll(csvBuf.String(), ",", "\t")),
		"a.parquet":  writeParquet(t, f),
		"a.arrow":    writeIPC(t, f, true),
		"a.feather":  writeIPC(t, f, false),
		"a.jsonl":    []byte(`{"s": "a", "i": 1}` + "\n" + `{"s": "b", "i": 2}` + "\n"),
		"a.json":     []byte(`[{"s": "a", "i": 1}, {"s": "b", "i": 2}]`),
		"a.xlsx":     []byte("x"),
		"broken.csv": []byte("a,b\n1\n"),
	}
	for name, data := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o600))
	}
	for _, name := range []string{"a.csv", "a.CSV.gz", "a.parquet", "a.arrow", "a.feather"} {
		t.Run(name, func(t *testing.T) {
			g, err := dataset.ReadFile(t.Context(), filepath.Join(dir, name), dataset.ReadOptions{Allocator: mem})
			require.NoError(t, err)
			defer g.Release()
			assertFramesEqual(t, f, g)
		})
	}
	t.Run("tsv", func(t *testing.T) {
		// "b, c" holds a comma: the TSV replaced it, so only compare shape.
		g, err := dataset.ReadFile(t.Context(), filepath.Join(dir, "a.tsv"), dataset.ReadOptions{Allocator: mem})
		require.NoError(t, err)
		defer g.Release()
		assert.Equal(t, f.Names(), g.Names())
		assert.Equal(t, f.NumRows(), g.NumRows())
	})
	for _, name := range []string{"a.jsonl", "a.json"} {
		t.Run(name, func(t *testing.T) {
			g, err := dataset.ReadFile(t.Context(), filepath.Join(dir, name), dataset.ReadOptions{Allocator: mem})
			require.NoError(t, err)
			defer g.Release()
			assert.Equal(t, []string{"s", "i"}, g.Names())
			assert.Equal(t, "int64", colType(g, "i"))
		})
	}
	_, err = dataset.ReadFile(t.Context(), filepath.Join(dir, "a.xlsx"))
	assert.ErrorIs(t, err, dataset.ErrFormat)
	_, err = dataset.ReadFile(t.Context(), filepath.Join(dir, "missing.csv"))
	assert.ErrorIs(t, err, fs.ErrNotExist)
	_, err = dataset.ReadFile(t.Context(), filepath.Join(dir, "broken.csv"), dataset.ReadOptions{Allocator: mem})
	assert.ErrorIs(t, err, dataset.ErrInvalid)
	assert.Contains(t, err.Error(), "broken.csv")
	assert.Contains(t, err.Error(), "line 2")
	_, err = dataset.ReadFile(t.Context(), filepath.Join(dir, "a.csv"), dataset.ReadOptions{}, dataset.ReadOptions{})
	assert.ErrorIs(t, err, dataset.ErrInvalid)
}

func TestBuilderSelectDrop(t *testing.T) {
	mem := checkedMem(t)
	f := fixture(t, mem)
	defer f.Release()

	g, err := f.Select([]int{6, 0, 0, 2})
	require.NoError(t, err)
	defer g.Release()
	assert.Equal(t, 4, g.NumRows())
	for j := range f.NumCols() {
		fv, fok := dataset.Strings(f.Column(j))
		gv, gok := dataset.Strings(g.Column(j))
		for k, r := range []int{6, 0, 0, 2} {
			assert.Equal(t, fok[r], gok[k])
			assert.Equal(t, fv[r], gv[k])
		}
	}
	empty, err := f.Select(nil)
	require.NoError(t, err)
	assert.Equal(t, 0, empty.NumRows())
	empty.Release()
	_, err = f.Select([]int{0, 7})
	assert.ErrorIs(t, err, dataset.ErrInvalid)
	assert.Contains(t, err.Error(), "rows[1] = 7")

	d, err := f.Drop("i", "t")
	require.NoError(t, err)
	assert.Equal(t, []string{"f", "b", "s"}, d.Names())
	assert.Equal(t, f.NumRows(), d.NumRows())
	d.Release()
	_, err = f.Drop("nope")
	assert.ErrorIs(t, err, dataset.ErrNoColumn)

	// Float64 NaN becomes null.
	assert.Equal(t, 1, f.Column(0).NullN())

	cases := []struct {
		name string
		b    *dataset.Builder
		is   error
		msg  string
	}{
		{"none", dataset.NewBuilder(mem), dataset.ErrEmpty, "no columns"},
		{"length", dataset.NewBuilder(mem).Float64("a", []float64{1}).Int64("b", []int64{1, 2}, nil), dataset.ErrInvalid, `"b" has 2 values`},
		{"valid length", dataset.NewBuilder(mem).String("a", []string{"x"}, []bool{true, false}), dataset.ErrInvalid, "validity"},
		{"duplicate", dataset.NewBuilder(mem).Bool("a", []bool{true}, nil).Bool("a", []bool{true}, nil), dataset.ErrInvalid, "duplicate"},
		{"empty name", dataset.NewBuilder(mem).Bool("", []bool{true}, nil), dataset.ErrInvalid, "empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.b.Build()
			assert.ErrorIs(t, err, tc.is)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

// TestReadFileBadFiles: an unknown extension, corrupt Parquet and Arrow
// files and truncated gzip streams give errors wrapping ErrFormat or
// ErrInvalid that name the file, never a panic or a frame.
func TestReadFileBadFiles(t *testing.T) {
	mem := checkedMem(t)
	f := fixture(t, mem)
	defer f.Release()
	var csvBuf bytes.Buffer
	require.NoError(t, dataset.WriteCSV(&csvBuf, f))
	gz := func(data []byte) []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		_, err := zw.Write(data)
		require.NoError(t, err)
		require.NoError(t, zw.Close())
		return b.Bytes()
	}
	pq := writeParquet(t, f)
	ipcFile := writeIPC(t, f, true)
	flip := func(data []byte, at int) []byte {
		data = bytes.Clone(data)
		data[at] ^= 0xff
		return data
	}
	cases := []struct {
		name string
		data []byte
		is   error
	}{
		{"a.xlsx", []byte("x"), dataset.ErrFormat},
		{"noext", []byte("a\n1\n"), dataset.ErrFormat},
		{"bad.parquet", []byte("PAR1 not really PAR1"), dataset.ErrInvalid},
		{"truncated.parquet", pq[:len(pq)/2], dataset.ErrInvalid},
		{"footer.parquet", flip(pq, len(pq)-9), dataset.ErrInvalid},
		{"bad.arrow", []byte("ARROW1\x00\x00garbage"), dataset.ErrInvalid},
		{"truncated.arrow", ipcFile[:len(ipcFile)-20], dataset.ErrInvalid},
		{"truncated.feather", writeIPC(t, f, false)[:100], dataset.ErrInvalid},
		{"header.csv.gz", gz(csvBuf.Bytes())[:5], dataset.ErrInvalid},
		{"truncated.csv.gz", gz(csvBuf.Bytes())[:40], dataset.ErrInvalid},
		{"truncated.parquet.gz", gz(pq)[:200], dataset.ErrInvalid},
		{"truncated.arrow.gz", gz(ipcFile)[:200], dataset.ErrInvalid},
		{"notgzip.csv.gz", csvBuf.Bytes(), dataset.ErrInvalid},
	}
	dir := t.TempDir()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			require.NoError(t, os.WriteFile(path, tc.data, 0o600))
			g, err := dataset.ReadFile(t.Context(), path, dataset.ReadOptions{Allocator: mem})
			if g != nil {
				g.Release()
			}
			require.Error(t, err)
			assert.Nil(t, g)
			assert.ErrorIs(t, err, tc.is)
			assert.Contains(t, err.Error(), tc.name)
		})
	}
}
