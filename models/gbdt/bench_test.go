package gbdt

import (
	"testing"

	"github.com/automl-agent/automl/models"
)

// mustBin bins X with the default edges.
func mustBin(t testing.TB, X [][]float64) *models.Binned {
	t.Helper()
	b, err := models.NewBinned(X, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// benchFit times training on 20k rows × 20 features with pre-binned data.
func benchFit(b *testing.B, classes int, p models.Params) {
	d := synth(20000, 20, classes, false, 1)
	d.Bins = mustBin(b, d.X)
	p = models.Params{"num_rounds": 20, "max_leaves": 31, "early_stopping_rounds": 0}.Merge(p)
	b.ReportAllocs()
	for b.Loop() {
		m, _ := New(p)
		if err := m.Fit(b.Context(), d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFitBinary(b *testing.B)     { benchFit(b, 2, nil) }
func BenchmarkFitRegression(b *testing.B) { benchFit(b, 0, nil) }
func BenchmarkFitMulticlass(b *testing.B) { benchFit(b, 5, models.Params{"num_rounds": 4}) }
func BenchmarkFitDepth6(b *testing.B) {
	benchFit(b, 2, models.Params{"max_depth": 6, "max_leaves": 64, "lambda_l2": 1.0, "min_child_weight": 1.0, "min_data_in_leaf": 0})
}

// benchPredict times Predict on 20k rows × 20 features after fitting
// with p (50 rounds).
func benchPredict(b *testing.B, classes int, p models.Params) {
	d := synth(20000, 20, classes, false, 1)
	m, _ := New(models.Params{"num_rounds": 50, "early_stopping_rounds": 0}.Merge(p))
	if err := m.Fit(b.Context(), d); err != nil {
		b.Fatal(err)
	}
	out := make([]float64, models.OutputLen(len(d.Y), classes))
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Predict(out, d.X); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPredict(b *testing.B) { benchPredict(b, 2, nil) }
func BenchmarkPredictDepth6(b *testing.B) {
	benchPredict(b, 2, models.Params{"max_depth": 6, "max_leaves": 64, "min_data_in_leaf": 0, "lambda_l2": 1.0, "min_child_weight": 1.0})
}
func BenchmarkPredictMulticlass(b *testing.B) { benchPredict(b, 5, models.Params{"num_rounds": 10}) }

// BenchmarkHistRows times the gathered histogram kernel (ns per row).
func BenchmarkHistRows(b *testing.B) {
	d := synth(100000, 1, 2, false, 1)
	bins := mustBin(b, d.X)
	rows := make([]int32, 0, len(d.Y))
	for i := 0; i < len(d.Y); i += 2 {
		rows = append(rows, int32(i))
	}
	ogh := make([]gpair, len(rows))
	for i := range ogh {
		ogh[i] = gpair{float32(i%7) - 3, 0.25}
	}
	var h [histBins]bin
	b.ReportAllocs()
	for b.Loop() {
		histRows(&h, bins.Codes[0], rows, ogh)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(rows)), "ns/row")
}
