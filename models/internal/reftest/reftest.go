package reftest

import (
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
)

var update = flag.Bool("update", false, "rewrite the synthetic CSVs in testdata (then rerun bench/reference/linear_knn_bayes.py)")

// Synth makes a deterministic data set of n rows: p features with distinct
// scales and offsets, a target from a noisy linear model (k = 0) or a noisy
// softmax choice among k classes, and weights in [0.5, 2). The same
// arguments always give the same data (the golden files depend on it).
func Synth(seed uint64, n, p, k int) *models.Data {
	rng := rand.New(rand.NewPCG(seed, 1))
	scales := []float64{1, 10, 0.1, 3, 0.5, 2, 7}
	offsets := []float64{0, 5, -1, 2, 0, -3, 1}
	d := &models.Data{X: make([][]float64, p), Y: make([]float64, n), W: make([]float64, n), NumClasses: k}
	z := make([][]float64, p)
	for j := range p {
		d.X[j] = make([]float64, n)
		z[j] = make([]float64, n)
		for i := range n {
			z[j][i] = rng.NormFloat64()
			d.X[j][i] = offsets[j%7] + scales[j%7]*z[j][i]
		}
	}
	r := max(k, 1)
	beta := make([]float64, r*p)
	for i := range beta {
		beta[i] = rng.NormFloat64()
	}
	for i := range n {
		best, bestS := 0, math.Inf(-1)
		for c := range r {
			s := 0.0
			for j := range p {
				s += beta[c*p+j] * z[j][i]
			}
			if k == 0 {
				d.Y[i] = 3 + s + 0.5*rng.NormFloat64()
				break
			}
			s -= math.Log(-math.Log(rng.Float64())) // Gumbel noise: softmax choice
			if s > bestS {
				best, bestS = c, s
			}
		}
		if k > 0 {
			d.Y[i] = float64(best)
		}
		d.W[i] = 0.5 + 1.5*rng.Float64()
	}
	return d
}

// WriteCSV writes d to path as columns x0..x{p-1}, y, w (d.W must be set).
func WriteCSV(t testing.TB, path string, d *models.Data) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	w := csv.NewWriter(f)
	head := []string{}
	for j := range d.X {
		head = append(head, fmt.Sprintf("x%d", j))
	}
	require.NoError(t, w.Write(append(head, "y", "w")))
	for i := range d.Y {
		rec := []string{}
		for j := range d.X {
			rec = append(rec, strconv.FormatFloat(d.X[j][i], 'g', -1, 64))
		}
		rec = append(rec, strconv.FormatFloat(d.Y[i], 'g', -1, 64), strconv.FormatFloat(d.W[i], 'g', -1, 64))
		require.NoError(t, w.Write(rec))
	}
	w.Flush()
	require.NoError(t, w.Error())
	require.NoError(t, f.Close())
}

// ReadCSV reads a CSV written by WriteCSV; k becomes the data's NumClasses.
func ReadCSV(t testing.TB, path string, k int) *models.Data {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Greater(t, len(recs), 1)
	p := len(recs[0]) - 2
	n := len(recs) - 1
	d := &models.Data{X: make([][]float64, p), Y: make([]float64, n), W: make([]float64, n), NumClasses: k}
	for j := range d.X {
		d.X[j] = make([]float64, n)
	}
	for i, rec := range recs[1:] {
		for j, s := range rec {
			v, err := strconv.ParseFloat(s, 64)
			require.NoError(t, err)
			switch {
			case j < p:
				d.X[j][i] = v
			case j == p:
				d.Y[i] = v
			default:
				d.W[i] = v
			}
		}
	}
	return d
}

// CheckCSV fails t unless the CSV at path holds exactly want (so the golden
// results computed from the CSV still match the generator). With -update it
// first rewrites path from want.
func CheckCSV(t testing.TB, path string, want *models.Data) {
	t.Helper()
	if *update {
		WriteCSV(t, path, want)
	}
	got := ReadCSV(t, path, want.NumClasses)
	assert.Equal(t, want, got, "%s differs from the generator; rerun with -update and the reference script", path)
}

// Golden holds the cases of a golden JSON file (one object per case name),
// as written by the reference script.
type Golden map[string]json.RawMessage

// LoadGolden reads the golden JSON file at path, failing t if it is missing
// or malformed.
func LoadGolden(t testing.TB, path string) Golden {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err, "run bench/reference/linear_knn_bayes.py to make the golden file")
	var g Golden
	require.NoError(t, json.Unmarshal(b, &g), path)
	return g
}

// Case decodes the case name into v (a pointer), failing t if the case is
// missing or does not decode.
func (g Golden) Case(t testing.TB, name string, v any) {
	t.Helper()
	raw, ok := g[name]
	require.True(t, ok, "golden case %q missing; rerun the reference script", name)
	require.NoError(t, json.Unmarshal(raw, v), "golden case %q", name)
}

// InDeltaEach checks |got[i]-want[i]| <= tol*max(1, |want[i]|) for every i
// (and equal lengths), naming failures msg[i]. It returns the largest
// |got[i]-want[i]|.
func InDeltaEach(t testing.TB, want, got []float64, tol float64, msg string) float64 {
	t.Helper()
	require.Len(t, got, len(want), msg)
	worst := 0.0
	for i := range want {
		worst = math.Max(worst, math.Abs(got[i]-want[i]))
		assert.InDelta(t, want[i], got[i], tol*math.Max(1, math.Abs(want[i])), "%s[%d]", msg, i)
	}
	return worst
}

// InDeltaScaled checks |got[i]-want[i]| <= tol*max(1, max_j |want[j]|) for
// every i (and equal lengths), naming failures msg[i]: one tolerance for the
// whole slice, scaled by its largest value.
func InDeltaScaled(t testing.TB, want, got []float64, tol float64, msg string) {
	t.Helper()
	require.Len(t, got, len(want), msg)
	scale := 1.0
	for _, v := range want {
		scale = math.Max(scale, math.Abs(v))
	}
	for i := range want {
		assert.InDelta(t, want[i], got[i], tol*scale, "%s[%d]", msg, i)
	}
}
