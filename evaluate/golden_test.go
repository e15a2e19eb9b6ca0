package evaluate

import (
	"encoding/json"
	"os"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goldenCase is one case of testdata/metrics_golden.json, written by
// bench/reference/metrics.py with sklearn.metrics.
type goldenCase struct {
	Name       string             `json:"name"`
	NumClasses int                `json:"num_classes"`
	Y          []float64          `json:"y"`
	Pred       []float64          `json:"pred"`
	W          []float64          `json:"w"`
	Want       map[string]float64 `json:"want"`
}

func TestMetricsMatchSklearn(t *testing.T) {
	raw, err := os.ReadFile("testdata/metrics_golden.json")
	require.NoError(t, err, "regenerate with /usr/bin/python3 bench/reference/metrics.py")
	var golden struct {
		Sklearn string       `json:"sklearn"`
		Cases   []goldenCase `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(raw, &golden))
	require.NotEmpty(t, golden.Cases)
	checked := map[string]int{}
	for _, c := range golden.Cases {
		names := make([]string, 0, len(c.Want))
		for n := range c.Want {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			t.Run(c.Name+"/"+name, func(t *testing.T) {
				m, err := MetricByName(name)
				require.NoError(t, err)
				got, err := m.Score(c.Y, c.Pred, c.NumClasses, c.W)
				require.NoError(t, err)
				assert.InDelta(t, c.Want[name], got, 1e-12, "sklearn %s", golden.Sklearn)
				checked[name]++
			})
		}
	}
	for _, name := range MetricNames() {
		assert.NotZero(t, checked[name], "metric %s has no golden value", name)
	}
}
