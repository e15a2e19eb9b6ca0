package preprocess_test

import (
	"math"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/preprocess"
)

// classes encodes a string target as class indexes in sorted level order.
func classes(t *testing.T, f *dataset.Frame, name string) ([]float64, int) {
	j := f.ColumnIndex(name)
	require.GreaterOrEqual(t, j, 0)
	vals, valid := dataset.Strings(f.Column(j))
	levels := map[string]int{}
	for i, v := range vals {
		if valid[i] {
			levels[v] = 0
		}
	}
	sorted := make([]string, 0, len(levels))
	for l := range levels {
		sorted = append(sorted, l)
	}
	slices.Sort(sorted)
	for k, l := range sorted {
		levels[l] = k
	}
	y := make([]float64, len(vals))
	for i, v := range vals {
		if valid[i] {
			y[i] = float64(levels[v])
		} else {
			y[i] = math.NaN()
		}
	}
	return y, len(sorted)
}

// TestSharedDatasets runs the pipeline on the developer datasets (skipped
// when they are absent) and checks the inferred kinds and the invariants of
// both views.
func TestSharedDatasets(t *testing.T) {
	for _, tc := range []struct {
		file, target string
		classes      bool
		floats       []string
		kinds        map[string]string
	}{
		{"titanic.csv", "survived", false, []string{"age", "fare"}, map[string]string{
			"pclass": "numeric", "sex": "categorical", "age": "numeric", "fare": "numeric",
			"embarked": "categorical", "deck": "categorical", "who": "categorical",
		}},
		{"mpg.csv", "mpg", false, []string{"mpg", "displacement", "horsepower", "weight", "acceleration"}, map[string]string{
			"name": "text", "origin": "categorical", "horsepower": "numeric", "cylinders": "numeric",
		}},
		{"penguins.csv", "species", true, []string{"bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"}, map[string]string{
			"island": "categorical", "sex": "categorical", "body_mass_g": "numeric",
		}},
		{"tips.csv", "tip", false, []string{"total_bill", "tip"}, map[string]string{
			"day": "categorical", "size": "numeric",
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			f := readCSV(t, "../../shared/datasets/"+tc.file, tc.floats...)
			defer f.Release()
			var y []float64
			k := 0
			if tc.classes {
				y, k = classes(t, f, tc.target)
			} else {
				y = target(t, f, tc.target)
			}
			p, err := preprocess.Fit(t.Context(), f, tc.target, y, k, preprocess.Options{})
			require.NoError(t, err)
			got := map[string]string{}
			for _, c := range p.Columns() {
				got[c.Name] = c.Kind
				t.Logf("%-12s %-11s %s", c.Name, c.Kind, c.Reason)
			}
			for name, kind := range tc.kinds {
				assert.Equal(t, kind, got[name], name)
			}
			assert.NotContains(t, p.InputColumns(), tc.target)
			for _, v := range []preprocess.View{preprocess.Native, preprocess.Dense} {
				for _, train := range []bool{false, true} {
					var fs *preprocess.Features
					if train {
						fs, err = p.TransformTrain(f, v)
					} else {
						fs, err = p.Transform(f, v)
					}
					require.NoError(t, err)
					require.Len(t, fs.Names, len(fs.X))
					require.Len(t, fs.Categories, len(fs.X))
					for j, x := range fs.X {
						require.Len(t, x, f.NumRows())
						for i, xi := range x {
							if v == preprocess.Dense {
								require.False(t, math.IsNaN(xi) || math.IsInf(xi, 0), "%s row %d", fs.Names[j], i)
							}
							if c := fs.Categories[j]; c > 0 && !math.IsNaN(xi) {
								require.True(t, xi >= 0 && xi < float64(c) && xi == math.Trunc(xi))
							}
						}
					}
				}
			}
		})
	}
}
