package bayes_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models/bayes"
	"github.com/automl-agent/automl/models/internal/reftest"
)

type refCase struct {
	Theta []float64 `json:"theta"`
	Var   []float64 `json:"var"`
	Prior []float64 `json:"prior"`
	Proba []float64 `json:"proba"`
}

func TestReferenceData(t *testing.T) {
	reftest.CheckCSV(t, filepath.Join("testdata", "clf3.csv"), reftest.Synth(31, 300, 5, 3))
}

func TestReferenceGaussianNB(t *testing.T) {
	ref := reftest.LoadGolden(t, filepath.Join("testdata", "sklearn.json"))
	for _, weighted := range []bool{false, true} {
		name := "gaussian_nb"
		if weighted {
			name += "_weighted"
		}
		t.Run(name, func(t *testing.T) {
			var want refCase
			ref.Case(t, name, &want)
			d := reftest.ReadCSV(t, filepath.Join("testdata", "clf3.csv"), 3)
			if !weighted {
				d.W = nil
			}
			m := &bayes.GaussianNB{}
			require.NoError(t, m.Fit(t.Context(), d))
			prior, mean, vars := m.Params()
			reftest.InDeltaEach(t, want.Prior, prior, 1e-12, "prior")
			reftest.InDeltaEach(t, want.Theta, mean, 1e-12, "mean")
			reftest.InDeltaEach(t, want.Var, vars, 1e-12, "var")
			got := make([]float64, d.Rows()*3)
			require.NoError(t, m.Predict(got, d.X))
			reftest.InDeltaEach(t, want.Proba, got[:len(want.Proba)], 1e-9, "proba")
		})
	}
}
