package automl_test

import (
	"bytes"
	"testing"

	"github.com/automl-agent/automl"
)

// FuzzLoad checks that no file, however corrupt, makes Load panic, and that
// whatever loads can predict (or fail cleanly).
func FuzzLoad(f *testing.F) {
	train := readCSV(f, synthCSV(60, "multiclass", 1))
	defer train.Release()
	for _, include := range [][]string{{"gbdt"}, {"logistic", "random_forest"}, {"knn", "gaussian_nb"}} {
		res, err := automl.New(automl.Options{MaxTrials: 4, Seed: 1, Include: include, Folds: 2}).Fit(f.Context(), train, "target")
		if err != nil {
			f.Fatal(err)
		}
		var buf bytes.Buffer
		if err := res.Predictor.Save(&buf); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Add([]byte("AUTOMLPR"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := automl.Load(bytes.NewReader(data))
		if err != nil {
			return
		}
		_, _ = p.Predict(t.Context(), train)
	})
}
