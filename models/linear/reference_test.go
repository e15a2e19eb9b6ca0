package linear_test

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
	"github.com/automl-agent/automl/models/linear"
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
	Coef      []float64 `json:"coef"`
	Intercept []float64 `json:"intercept"`
	Proba     []float64 `json:"proba"`
	Pred      []float64 `json:"pred"`
	Objective float64   `json:"objective"`

	// scikit-learn's own (possibly stalled) logistic solution
	SklearnProba     []float64 `json:"sklearn_proba"`
	SklearnObjective float64   `json:"sklearn_objective"`
}

// objective is scikit-learn's logistic objective 0.5*||W||² + C Σ w_i logloss_i.
func objective(d *models.Data, coef, b []float64, c float64) float64 {
	r, p := len(b), len(d.X)
	f := 0.0
	for _, v := range coef {
		f += 0.5 * v * v
	}
	z := make([]float64, r)
	for i := range d.Y {
		for k := range r {
			z[k] = b[k]
			for j := range p {
				z[k] += coef[k*p+j] * d.X[j][i]
			}
		}
		y := int(d.Y[i])
		var l float64
		if r == 1 {
			l = math.Log1p(math.Exp(-math.Abs(z[0]))) + math.Max(z[0], 0) - float64(y)*z[0]
		} else {
			mx := math.Inf(-1)
			for _, v := range z {
				mx = math.Max(mx, v)
			}
			s := 0.0
			for _, v := range z {
				s += math.Exp(v - mx)
			}
			l = mx + math.Log(s) - z[y]
		}
		f += c * d.Weight(i) * l
	}
	return f
}

func loadRef(t *testing.T) map[string]json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "sklearn.json"))
	require.NoError(t, err, "run bench/reference/linear_knn_bayes.py to make the golden file")
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func TestReferenceData(t *testing.T) {
	sets := []struct {
		name    string
		seed    uint64
		n, p, k int
	}{
		{"clf3", 11, 300, 5, 3},
		{"clf2", 12, 300, 5, 2},
		{"reg", 13, 200, 5, 0},
	}
	for _, s := range sets {
		path := filepath.Join("testdata", s.name+".csv")
		want := synth(s.seed, s.n, s.p, s.k)
		if *update {
			writeCSV(t, path, want)
		}
		got := readCSV(t, path, s.k)
		assert.Equal(t, want, got, "%s differs from the generator; rerun with -update and the reference script", path)
	}
}

// relClose checks |got-want| <= tol*max(1, max|want|) elementwise.
func relClose(t *testing.T, want, got []float64, tol float64, msg string) {
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

func TestReferenceLogistic(t *testing.T) {
	ref := loadRef(t)
	cases := []struct {
		name, data string
		k          int
		c          float64
		weighted   bool
	}{
		{"logistic_multinomial", "clf3", 3, 1, false},
		{"logistic_multinomial_weighted", "clf3", 3, 1, true},
		{"logistic_multinomial_C0.1_weighted", "clf3", 3, 0.1, true},
		{"logistic_binary", "clf2", 2, 1, false},
		{"logistic_binary_weighted", "clf2", 2, 1, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var want refCase
			require.NoError(t, json.Unmarshal(ref[tc.name], &want))
			d := readCSV(t, filepath.Join("testdata", tc.data+".csv"), tc.k)
			if !tc.weighted {
				d.W = nil
			}
			m := &linear.Logistic{C: tc.c, Tol: 1e-10, MaxIter: 1000}
			require.NoError(t, m.Fit(t.Context(), d))
			coef, b := m.Coef()
			// The golden optimum is scikit-learn's solution polished by
			// Newton steps; scikit-learn's L-BFGS-B alone stalls on the
			// badly scaled feature x2 (it stops on relative f change).
			relClose(t, want.Coef, coef, 1e-6, "coef")
			relClose(t, want.Intercept, b, 1e-6, "intercept")
			got := make([]float64, d.Rows()*tc.k)
			require.NoError(t, m.Predict(got, d.X))
			relClose(t, want.Proba, got[:len(want.Proba)], 1e-7, "proba")
			f := objective(d, coef, b, tc.c)
			assert.InDelta(t, want.Objective, f, 1e-9*want.Objective, "objective")
			assert.LessOrEqual(t, f, want.SklearnObjective*(1+1e-12), "objective not worse than scikit-learn's")
			relClose(t, want.SklearnProba, got[:len(want.SklearnProba)], 2e-3, "proba vs scikit-learn's own solution")

			// The default tolerance is looser but still close.
			def := &linear.Logistic{C: tc.c}
			require.NoError(t, def.Fit(t.Context(), d))
			require.NoError(t, def.Predict(got, d.X))
			relClose(t, want.Proba, got[:len(want.Proba)], 1e-4, "proba (default tol)")
		})
	}
}

func TestReferenceLeastSquares(t *testing.T) {
	ref := loadRef(t)
	cases := []struct {
		name     string
		alpha    float64
		weighted bool
	}{
		{"ols", 0, false},
		{"ols_weighted", 0, true},
		{"ridge", 1, false},
		{"ridge_weighted", 1, true},
		{"ridge_alpha10_weighted", 10, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var want refCase
			require.NoError(t, json.Unmarshal(ref[tc.name], &want))
			d := readCSV(t, filepath.Join("testdata", "reg.csv"), 0)
			if !tc.weighted {
				d.W = nil
			}
			m := &linear.LeastSquares{Alpha: tc.alpha}
			require.NoError(t, m.Fit(t.Context(), d))
			coef, b := m.Coef()
			relClose(t, want.Coef, coef, 1e-8, "coef")
			relClose(t, want.Intercept, []float64{b}, 1e-8, "intercept")
			got := make([]float64, d.Rows())
			require.NoError(t, m.Predict(got, d.X))
			relClose(t, want.Pred, got[:len(want.Pred)], 1e-8, "pred")
		})
	}
}
