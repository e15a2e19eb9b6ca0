package linear_test

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/models/internal/reftest"
	"github.com/automl-agent/automl/models/linear"
)

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

func TestReferenceData(t *testing.T) {
	reftest.CheckCSV(t, filepath.Join("testdata", "clf3.csv"), reftest.Synth(11, 300, 5, 3))
	reftest.CheckCSV(t, filepath.Join("testdata", "clf2.csv"), reftest.Synth(12, 300, 5, 2))
	reftest.CheckCSV(t, filepath.Join("testdata", "reg.csv"), reftest.Synth(13, 200, 5, 0))
}

func TestReferenceLogistic(t *testing.T) {
	ref := reftest.LoadGolden(t, filepath.Join("testdata", "sklearn.json"))
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
			ref.Case(t, tc.name, &want)
			d := reftest.ReadCSV(t, filepath.Join("testdata", tc.data+".csv"), tc.k)
			if !tc.weighted {
				d.W = nil
			}
			m := &linear.Logistic{C: tc.c, Tol: 1e-10, MaxIter: 1000}
			require.NoError(t, m.Fit(t.Context(), d))
			coef, b := m.Coef()
			// The golden optimum is scikit-learn's solution polished by
			// Newton steps; scikit-learn's L-BFGS-B alone stalls on the
			// badly scaled feature x2 (it stops on relative f change).
			reftest.InDeltaScaled(t, want.Coef, coef, 1e-6, "coef")
			reftest.InDeltaScaled(t, want.Intercept, b, 1e-6, "intercept")
			got := make([]float64, d.Rows()*tc.k)
			require.NoError(t, m.Predict(got, d.X))
			reftest.InDeltaScaled(t, want.Proba, got[:len(want.Proba)], 1e-7, "proba")
			f := objective(d, coef, b, tc.c)
			assert.InDelta(t, want.Objective, f, 1e-9*want.Objective, "objective")
			assert.LessOrEqual(t, f, want.SklearnObjective*(1+1e-12), "objective not worse than scikit-learn's")
			reftest.InDeltaScaled(t, want.SklearnProba, got[:len(want.SklearnProba)], 2e-3, "proba vs scikit-learn's own solution")

			// The default tolerance is looser but still close.
			def := &linear.Logistic{C: tc.c}
			require.NoError(t, def.Fit(t.Context(), d))
			require.NoError(t, def.Predict(got, d.X))
			reftest.InDeltaScaled(t, want.Proba, got[:len(want.Proba)], 1e-4, "proba (default tol)")
		})
	}
}

func TestReferenceLeastSquares(t *testing.T) {
	ref := reftest.LoadGolden(t, filepath.Join("testdata", "sklearn.json"))
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
			ref.Case(t, tc.name, &want)
			d := reftest.ReadCSV(t, filepath.Join("testdata", "reg.csv"), 0)
			if !tc.weighted {
				d.W = nil
			}
			m := &linear.LeastSquares{Alpha: tc.alpha}
			require.NoError(t, m.Fit(t.Context(), d))
			coef, b := m.Coef()
			reftest.InDeltaScaled(t, want.Coef, coef, 1e-8, "coef")
			reftest.InDeltaScaled(t, want.Intercept, []float64{b}, 1e-8, "intercept")
			got := make([]float64, d.Rows())
			require.NoError(t, m.Predict(got, d.X))
			reftest.InDeltaScaled(t, want.Pred, got[:len(want.Pred)], 1e-8, "pred")
		})
	}
}
