package automl_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
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

// FuzzLoadPastChecksum is FuzzLoad with the checksum recomputed over each
// mutated file, so that the fuzzer reaches the manifest checks and every
// model's decoder instead of stopping at a checksum mismatch.
func FuzzLoadPastChecksum(f *testing.F) {
	train := readCSV(f, synthCSV(60, "multiclass", 1))
	defer train.Release()
	for _, include := range [][]string{{"gbdt"}, {"logistic", "random_forest"}, {"knn", "gaussian_nb", "extra_trees"}} {
		res, err := automl.New(automl.Options{MaxTrials: 4, Seed: 1, Include: include, Folds: 2, Repeats: 1}).Fit(f.Context(), train, "target")
		if err != nil {
			f.Fatal(err)
		}
		var buf bytes.Buffer
		if err := res.Predictor.Save(&buf); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 12 {
			return
		}
		fixed := bytes.Clone(data)
		binary.LittleEndian.PutUint32(fixed[len(fixed)-4:], crc32.ChecksumIEEE(fixed[:len(fixed)-4]))
		p, err := automl.Load(bytes.NewReader(fixed))
		if err != nil {
			return
		}
		_, _ = p.Predict(t.Context(), train)
	})
}
