package preprocess_test

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/preprocess"
)

// TestSklearnReference compares the Dense view with scikit-learn's
// SimpleImputer(median) + StandardScaler and OneHotEncoder on the shared
// datasets (bench/reference/preprocess_dense.py). By default it reads the
// committed golden testdata/sklearn_dense.json (every row of the small
// datasets, every 50th of diamonds); with AUTOML_REFERENCE=1 it runs the
// script instead, which needs Python and scikit-learn, on every row.
func TestSklearnReference(t *testing.T) {
	var ref struct {
		Sklearn string                          `json:"sklearn"`
		Stride  map[string]int                  `json:"stride"`
		Columns map[string]map[string][]float64 `json:"columns"`
	}
	if os.Getenv("AUTOML_REFERENCE") != "" {
		out, err := exec.CommandContext(t.Context(), "/usr/bin/python3", "../bench/reference/preprocess_dense.py").Output()
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(out, &ref.Columns))
		ref.Sklearn = "live"
	} else {
		b, err := os.ReadFile("testdata/sklearn_dense.json")
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &ref))
	}
	require.Len(t, ref.Columns, 4)
	floats := map[string][]string{
		"titanic.csv":  {"age", "fare"},
		"mpg.csv":      {"mpg", "horsepower", "weight"},
		"tips.csv":     {"total_bill", "tip"},
		"diamonds.csv": diamondsFloats,
	}
	targets := map[string]string{"titanic.csv": "survived", "mpg.csv": "mpg", "tips.csv": "tip", "diamonds.csv": "price"}
	for file, cols := range ref.Columns {
		t.Run(file, func(t *testing.T) {
			f := readCSV(t, "../../shared/datasets/"+file, floats[file]...)
			defer f.Release()
			y := target(t, f, targets[file])
			p, err := preprocess.Fit(t.Context(), f, targets[file], y, 0, preprocess.Options{})
			require.NoError(t, err)
			fs, err := p.Transform(f, preprocess.Dense)
			require.NoError(t, err)
			stride := max(1, ref.Stride[file])
			worst := 0.0
			for name, want := range cols {
				got := col(t, fs, name)
				require.Len(t, want, (len(got)+stride-1)/stride, name)
				for i := range want {
					g := got[i*stride]
					worst = max(worst, math.Abs(g-want[i]))
					require.InDelta(t, want[i], g, 1e-9, "%s row %d", name, i*stride)
				}
			}
			t.Logf("%s: %d columns, %d rows, max |Go - sklearn %s| = %.3g", file, len(cols), (f.NumRows()+stride-1)/stride, ref.Sklearn, worst)
		})
	}
}
