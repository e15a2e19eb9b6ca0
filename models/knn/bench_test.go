package knn_test

import (
	"testing"

	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/models/internal/reftest"
	"github.com/automl-agent/automl/models/knn"
)

func BenchmarkFit10kx20(b *testing.B) {
	d := reftest.Synth(7, 10000, 20, 3)
	b.ReportAllocs()
	for b.Loop() {
		if err := (&knn.KNN{}).Fit(b.Context(), d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPredict10kx20 predicts 10k queries against 10k training rows.
func BenchmarkPredict10kx20(b *testing.B) {
	for _, tc := range []struct {
		name string
		k    int
		w    knn.Weighting
	}{{"classification", 3, knn.Uniform}, {"regression", 0, knn.Distance}} {
		b.Run(tc.name, func(b *testing.B) {
			d := reftest.Synth(7, 10000, 20, tc.k)
			m := &knn.KNN{Weights: tc.w}
			if err := m.Fit(b.Context(), d); err != nil {
				b.Fatal(err)
			}
			q := reftest.Synth(8, 10000, 20, tc.k).X
			dst := make([]float64, models.OutputLen(10000, tc.k))
			b.ReportAllocs()
			for b.Loop() {
				if err := m.Predict(dst, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
