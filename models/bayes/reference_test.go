package bayes_test

import (
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/models/bayes"
)

var update = flag.Bool("update", false, "rewrite the synthetic CSVs in testdata (then rerun bench/reference/linear_knn_bayes.py)")

// synth makes a deterministic data set: p features with distinct scales and
// offsets, a target from a noisy linear model (k = 0) or a noisy softmax
// choice among k classes, and weights in [0.5, 2).
func synth(seed uint64, n, p, k int) *models.Data {
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

func writeCSV(t *testing.T, path string, d *models.Data) {
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

// readCSV reads a CSV written by writeCSV.
func readCSV(t *testing.T, path string, k int) *models.Data {
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

type refCase struct {
	Theta []float64 `json:"theta"`
	Var   []float64 `json:"var"`
	Prior []float64 `json:"prior"`
	Proba []float64 `json:"proba"`
}

func TestReferenceData(t *testing.T) {
	path := filepath.Join("testdata", "clf3.csv")
	want := synth(31, 300, 5, 3)
	if *update {
		writeCSV(t, path, want)
	}
	got := readCSV(t, path, 3)
	assert.Equal(t, want, got, "%s differs from the generator; rerun with -update and the reference script", path)
}

func TestReferenceGaussianNB(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "sklearn.json"))
	require.NoError(t, err, "run bench/reference/linear_knn_bayes.py to make the golden file")
	var ref map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &ref))
	for _, weighted := range []bool{false, true} {
		name := "gaussian_nb"
		if weighted {
			name += "_weighted"
		}
		t.Run(name, func(t *testing.T) {
			var want refCase
			require.NoError(t, json.Unmarshal(ref[name], &want))
			d := readCSV(t, filepath.Join("testdata", "clf3.csv"), 3)
			if !weighted {
				d.W = nil
			}
			m := &bayes.GaussianNB{}
			require.NoError(t, m.Fit(t.Context(), d))
			prior, mean, vars := m.Params()
			close := func(want, got []float64, tol float64, what string) {
				require.Len(t, got, len(want), what)
				for i := range want {
					assert.InDelta(t, want[i], got[i], tol*math.Max(1, math.Abs(want[i])), "%s[%d]", what, i)
				}
			}
			close(want.Prior, prior, 1e-12, "prior")
			close(want.Theta, mean, 1e-12, "mean")
			close(want.Var, vars, 1e-12, "var")
			got := make([]float64, d.Rows()*3)
			require.NoError(t, m.Predict(got, d.X))
			close(want.Proba, got[:len(want.Proba)], 1e-9, "proba")
		})
	}
}
