package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/dataset"
)

// TestFormats fits on CSV, then predicts on the same rows written as
// Parquet, Arrow IPC and JSON lines: every format must give the same
// predictions.
func TestFormats(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.automl")
	code, _, errs := runCLI(t, "fit", "--data", "../../testdata/mtcars.csv", "--target", "mpg",
		"--max-trials", "5", "--budget", "30s", "--out", model)
	require.Equal(t, 0, code, errs)

	f, err := dataset.ReadFile(context.Background(), "../../testdata/mtcars.csv")
	require.NoError(t, err)
	defer f.Release()

	pq := filepath.Join(dir, "cars.parquet")
	w, err := os.Create(pq)
	require.NoError(t, err)
	// WriteTable closes w.
	require.NoError(t, pqarrow.WriteTable(tableOf(t, f), w, 1024, nil, pqarrow.DefaultWriterProps()))

	arrowPath := filepath.Join(dir, "cars.arrow")
	w, err = os.Create(arrowPath)
	require.NoError(t, err)
	fw, err := ipc.NewFileWriter(w, ipc.WithSchema(f.Schema()))
	require.NoError(t, err)
	require.NoError(t, fw.Write(f.Record()))
	require.NoError(t, fw.Close())
	require.NoError(t, w.Close())

	jsonl := filepath.Join(dir, "cars.jsonl")
	var b strings.Builder
	names := f.Names()
	cols := make([][]string, len(names))
	for j := range names {
		cols[j], _ = dataset.Strings(f.Column(j))
	}
	for i := range f.NumRows() {
		b.WriteString("{")
		for j, n := range names {
			if j > 0 {
				b.WriteString(",")
			}
			v := cols[j][i]
			if n == "model" {
				v = `"` + v + `"`
			}
			b.WriteString(`"` + n + `":` + v)
		}
		b.WriteString("}\n")
	}
	require.NoError(t, os.WriteFile(jsonl, []byte(b.String()), 0o644))

	_, want, errs := runCLI(t, "predict", "--model", model, "--data", "../../testdata/mtcars.csv")
	require.NotEmpty(t, want, errs)
	for _, path := range []string{pq, arrowPath, jsonl} {
		code, got, errs := runCLI(t, "predict", "--model", model, "--data", path)
		require.Equal(t, 0, code, "%s: %s", path, errs)
		assert.Equal(t, want, got, path)
	}
}

func tableOf(t *testing.T, f *dataset.Frame) arrow.Table {
	t.Helper()
	return array.NewTableFromRecords(f.Schema(), []arrow.RecordBatch{f.Record()})
}
