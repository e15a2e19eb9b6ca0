package dataset_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/automl-agent/automl/dataset"
)

// checkFrame asserts the invariants every reader promises: unique non-empty
// names, every column NumRows long, values convertible, Analyze and
// WriteCSV not panicking, and a CSV round trip keeping the shape.
func checkFrame(t *testing.T, mem memory.Allocator, f *dataset.Frame) {
	t.Helper()
	seen := map[string]bool{}
	for j, name := range f.Names() {
		if name == "" || seen[name] {
			t.Fatalf("bad column name %q at %d", name, j)
		}
		seen[name] = true
		a := f.Column(j)
		if a.Len() != f.NumRows() {
			t.Fatalf("column %q has %d rows, frame %d", name, a.Len(), f.NumRows())
		}
		vals, valid := dataset.Strings(a)
		if len(vals) != a.Len() || len(valid) != a.Len() {
			t.Fatalf("Strings length mismatch")
		}
		_, _ = dataset.Floats(a)
		_ = dataset.InferKind(name, a)
	}
	if f.NumCols() > 0 {
		p, err := dataset.Analyze(f, f.Names()[f.NumCols()-1])
		if err == nil && (p.Rows != f.NumRows() || len(p.Columns) != f.NumCols()) {
			t.Fatalf("profile shape %d×%d, frame %d×%d", p.Rows, len(p.Columns), f.NumRows(), f.NumCols())
		}
	}
	var buf bytes.Buffer
	if err := dataset.WriteCSV(&buf, f); err != nil {
		t.Fatalf("WriteCSV: %v", err)
	}
	g, err := dataset.ReadCSV(t.Context(), &buf, dataset.CSVOptions{Allocator: mem})
	if err != nil {
		t.Fatalf("reading back WriteCSV output: %v\n%q", err, buf.String())
	}
	defer g.Release()
	if g.NumRows() != f.NumRows() || g.NumCols() != f.NumCols() {
		t.Fatalf("CSV round trip %d×%d, want %d×%d\n%q", g.NumRows(), g.NumCols(), f.NumRows(), f.NumCols(), buf.String())
	}
}

func FuzzReadCSV(f *testing.F) {
	seeds := []string{
		"a,b\n1,2\n",
		"\xEF\xBB\xBFa,b\r\n1,x\r\n",
		"a,b\n\"q,\"\"x\"\"\",2\n",
		"a\n\n\n1\n",
		"a,b\n1\n",
		"a,a\n1,2\n",
		",\n1,2\n",
		"a\n\xff\n",
		"x,y\n1,2.5\n3,NaN\n4,\n",
		"t\n2024-01-01\n2024-01-01T00:00:00Z\n2024-01-01 12:00:00\n",
		"b\ntrue\nFalse\nTRUE\n",
		"a\n99999999999999999999\n-1\n",
		"a,b\n\"unterminated\n",
		"a;b\n1;2\n",
		"a\n\"\"\n\"\"\n",
		"a\ninf\n-Inf\n1e308\n1e999\n",
		"\"multi\nline\",b\n1,2\n",
		"",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		fr, err := dataset.ReadCSV(t.Context(), strings.NewReader(s), dataset.CSVOptions{Allocator: mem})
		if err != nil {
			if fr != nil {
				t.Fatalf("frame and error both returned")
			}
			return
		}
		defer fr.Release()
		checkFrame(t, mem, fr)
	})
}

func FuzzReadJSONL(f *testing.F) {
	seeds := []string{
		`{"a": 1, "b": "x"}` + "\n" + `{"a": 2.5}`,
		`{"a": null}`,
		`[{"a": 1}, {"b": [1, {"c": 2}]}]`,
		`{"a": 1, "a": 2}`,
		`{"a": "2024-01-01"}` + "\n" + `{"a": "2024-13-01"}`,
		`{"a": true}` + "\n" + `{"a": 1}`,
		`{"": 1}`,
		`{"a": 1} {"b": 2}`,
		`{"a": 1e400}`,
		`{"a": 12345678901234567890}`,
		"\xEF\xBB\xBF{\"a\":\"\xff\"}",
		`[]`,
		`[1]`,
		`{`,
		"",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		fr, err := dataset.ReadJSONL(t.Context(), strings.NewReader(s), dataset.ReadOptions{Allocator: mem})
		if err != nil {
			if fr != nil {
				t.Fatalf("frame and error both returned")
			}
			return
		}
		defer fr.Release()
		checkFrame(t, mem, fr)
	})
}
