package preprocess_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/preprocess"
)

// TestSklearnReference compares the Dense view with scikit-learn's
// SimpleImputer(median) + StandardScaler and OneHotEncoder on the shared
// datasets (bench/reference/preprocess_dense.py). It runs only with
// AUTOML_REFERENCE=1, as it needs Python and the datasets.
func TestSklearnReference(t *testing.T) {
	if os.Getenv("AUTOML_REFERENCE") == "" {
		t.Skip("set AUTOML_REFERENCE=1 to compare with scikit-learn")
	}
	out, err := exec.CommandContext(t.Context(), "/usr/bin/python3", "../bench/reference/preprocess_dense.py").Output()
	require.NoError(t, err)
	var ref map[string]map[string][]float64
	require.NoError(t, json.Unmarshal(out, &ref))
	floats := map[string][]string{
		"titanic.csv":  {"age", "fare"},
		"mpg.csv":      {"mpg", "horsepower", "weight"},
		"tips.csv":     {"total_bill", "tip"},
		"diamonds.csv": diamondsFloats,
	}
	targets := map[string]string{"titanic.csv": "survived", "mpg.csv": "mpg", "tips.csv": "tip", "diamonds.csv": "price"}
	for file, cols := range ref {
		t.Run(file, func(t *testing.T) {
			f := readCSV(t, "../../shared/datasets/"+file, floats[file]...)
			defer f.Release()
			y := target(t, f, targets[file])
			p, err := preprocess.Fit(t.Context(), f, targets[file], y, 0, preprocess.Options{})
			require.NoError(t, err)
			fs, err := p.Transform(f, preprocess.Dense)
			require.NoError(t, err)
			worst := 0.0
			for name, want := range cols {
				got := col(t, fs, name)
				require.Len(t, got, len(want))
				for i := range want {
					d := got[i] - want[i]
					if d < 0 {
						d = -d
					}
					worst = max(worst, d)
					require.InDelta(t, want[i], got[i], 1e-9, "%s row %d", name, i)
				}
			}
			t.Logf("%s: %d columns, max |Go - sklearn| = %.3g", file, len(cols), worst)
		})
	}
}
