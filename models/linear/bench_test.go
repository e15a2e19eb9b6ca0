package linear_test

import (
	"math"
	"testing"

	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/models/internal/reftest"
	"github.com/automl-agent/automl/models/linear"
)

// standardized returns d with every feature centred and scaled, as the
// dense feature view hands it to these models.
func standardized(d *models.Data) *models.Data {
	for _, col := range d.X {
		m, s := 0.0, 0.0
		for _, v := range col {
			m += v
		}
		m /= float64(len(col))
		for _, v := range col {
			s += (v - m) * (v - m)
		}
		s = max(1e-12, s/float64(len(col)))
		for i, v := range col {
			col[i] = (v - m) / math.Sqrt(s)
		}
	}
	return d
}

func benchFit(b *testing.B, mk func() models.Model, k int) {
	d := standardized(reftest.Synth(7, 10000, 20, k))
	b.ReportAllocs()
	for b.Loop() {
		if err := mk().Fit(b.Context(), d); err != nil {
			b.Fatal(err)
		}
	}
}

func benchPredict(b *testing.B, m models.Model, k int) {
	d := standardized(reftest.Synth(7, 10000, 20, k))
	if err := m.Fit(b.Context(), d); err != nil {
		b.Fatal(err)
	}
	dst := make([]float64, models.OutputLen(d.Rows(), k))
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Predict(dst, d.X); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLogisticFit10kx20Binary(b *testing.B) {
	benchFit(b, func() models.Model { return &linear.Logistic{} }, 2)
}

func BenchmarkLogisticFit10kx20Class5(b *testing.B) {
	benchFit(b, func() models.Model { return &linear.Logistic{} }, 5)
}

func BenchmarkLogisticPredict10kx20Class5(b *testing.B) {
	benchPredict(b, &linear.Logistic{}, 5)
}

func BenchmarkOLSFit10kx20(b *testing.B) {
	benchFit(b, func() models.Model { return &linear.LeastSquares{} }, 0)
}

func BenchmarkRidgeFit10kx20(b *testing.B) {
	benchFit(b, func() models.Model { return &linear.LeastSquares{Alpha: 1} }, 0)
}

func BenchmarkRidgePredict10kx20(b *testing.B) {
	benchPredict(b, &linear.LeastSquares{Alpha: 1}, 0)
}
