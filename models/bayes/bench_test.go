package bayes_test

import (
	"testing"

	"github.com/automl-agent/automl/models/bayes"
	"github.com/automl-agent/automl/models/internal/reftest"
)

func BenchmarkFit10kx20(b *testing.B) {
	d := reftest.Synth(7, 10000, 20, 5)
	b.ReportAllocs()
	for b.Loop() {
		if err := (&bayes.GaussianNB{}).Fit(b.Context(), d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPredict10kx20(b *testing.B) {
	d := reftest.Synth(7, 10000, 20, 5)
	m := &bayes.GaussianNB{}
	if err := m.Fit(b.Context(), d); err != nil {
		b.Fatal(err)
	}
	dst := make([]float64, 10000*5)
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Predict(dst, d.X); err != nil {
			b.Fatal(err)
		}
	}
}
