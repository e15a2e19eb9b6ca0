package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(t.Context(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestUsage(t *testing.T) {
	cases := map[string][]string{
		"no command":        nil,
		"unknown command":   {"bogus"},
		"serve no executor": {"serve"},
		"serve no blobs":    {"serve", "--executor", "temporal://localhost:7233/q"},
		"worker no blobs":   {"worker", "--queue", "q"},
		"fit no data":       {"fit", "--target", "y"},
		"bad executor":      {"fit", "--data", "x.csv", "--target", "y", "--executor", "http://localhost:7233/q"},
		"executor no blobs": {"fit", "--data", "x.csv", "--target", "y", "--executor", "temporal://localhost:7233/q"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			code, _, stderr := runCLI(t, args...)
			assert.Equal(t, 2, code, stderr)
			assert.Contains(t, stderr, "usage")
		})
	}
}

func TestFitInProcess(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("a,b,y\n")
	for i := range 60 {
		fmt.Fprintf(&b, "%.2f,%d,%.1f\n", float64(i%5)/3, (i*7)%13, float64(i%5)+0.5*float64((i*7)%13))
	}
	data := filepath.Join(dir, "train.csv")
	require.NoError(t, os.WriteFile(data, []byte(b.String()), 0o644))
	out := filepath.Join(dir, "m.automl")
	code, stdout, stderr := runCLI(t, "fit", "--data", data, "--target", "y", "--max-trials", "3", "--budget", "0", "--out", out)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "saved")
	assert.FileExists(t, out)
}
