package ensemble

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/evaluate"
)

// TestRealOOF checks Greedy against the numpy reference of
// bench/reference/ensemble_oof.py on out-of-fold predictions of sklearn
// models on the shared datasets, checks that evaluate's metrics score each
// member as sklearn.metrics does, and reports how Stack compares. It reads
// the committed testdata/oof (titanic, penguins, mpg: "ensemble_oof.py
// golden"), or the script's output directory AUTOML_OOF_DIR names.
func TestRealOOF(t *testing.T) {
	dir := os.Getenv("AUTOML_OOF_DIR")
	if dir == "" {
		dir = filepath.Join("testdata", "oof")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		raw, err := os.ReadFile(file)
		require.NoError(t, err)
		var c struct {
			Name       string      `json:"name"`
			NumClasses int         `json:"num_classes"`
			Y          []float64   `json:"y"`
			Folds      [][]int     `json:"folds"`
			Members    []string    `json:"members"`
			OOF        [][]float64 `json:"oof"`
			Metrics    map[string]struct {
				Singles       map[string]float64 `json:"singles"`
				GreedyWeights []float64          `json:"greedy_weights"`
				GreedyScore   float64            `json:"greedy_score"`
				SklearnStack  float64            `json:"sklearn_stack"`
			} `json:"metrics"`
		}
		require.NoError(t, json.Unmarshal(raw, &c))
		n := len(c.Y)
		var splits []evaluate.Split
		for _, test := range c.Folds {
			in := make([]bool, n)
			for _, i := range test {
				in[i] = true
			}
			var train []int
			for i := range n {
				if !in[i] {
					train = append(train, i)
				}
			}
			test = slices.Clone(test)
			slices.Sort(test)
			splits = append(splits, evaluate.Split{Train: train, Test: test})
		}
		for name, want := range c.Metrics {
			t.Run(c.Name+"/"+name, func(t *testing.T) {
				m, err := evaluate.MetricByName(name)
				require.NoError(t, err)
				g, err := Greedy(c.OOF, c.Y, nil, c.NumClasses, m, 25)
				require.NoError(t, err)
				assert.InDelta(t, want.GreedyScore, g.Score, 1e-9)
				assert.InDeltaSlice(t, want.GreedyWeights, g.Weights, 1e-12)
				st, err := Stack(t.Context(), c.OOF, nil, c.Y, nil, c.NumClasses, m, splits, 1)
				require.NoError(t, err)
				for i, member := range c.Members {
					got, err := m.Score(c.Y, c.OOF[i], c.NumClasses, nil)
					require.NoError(t, err)
					assert.InDelta(t, want.Singles[member], got, 1e-9, "%s of %s", name, member)
				}
				best := evaluate.Worst(m)
				for _, s := range want.Singles {
					if evaluate.Better(m, s, best) {
						best = s
					}
				}
				// Our stacker is never clearly worse than sklearn's
				// (measured: better on all six).
				if evaluate.Better(m, want.SklearnStack, st.Score) {
					assert.InEpsilon(t, want.SklearnStack, st.Score, 0.01, "stack vs sklearn's")
				}
				t.Logf("%-9s %-9s best single %.5f  greedy %.5f  stack %.5f (lambda %g)  sklearn stack %.5f",
					c.Name, name, best, g.Score, st.Score, st.Lambda, want.SklearnStack)
			})
		}
	}
}
