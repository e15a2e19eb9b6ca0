package automl_test

import (
	"context"
	"testing"
	"time"

	"github.com/automl-agent/automl"
)

// benchPredictor fits a predictor on 800 synthetic binary rows with the
// default search (bagged fold models, an ensemble), as a small-table user
// would get it.
func benchPredictor(b *testing.B) *automl.Predictor {
	b.Helper()
	f := readCSV(b, synthCSV(800, "binary", 1))
	defer f.Release()
	res, err := automl.New(automl.Options{TimeBudget: time.Minute, Seed: 1, MaxTrials: 12, DisableImportance: true}).Fit(context.Background(), f, "target")
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s", res.Predictor)
	return res.Predictor
}

// BenchmarkPredictBatch predicts 1,000 rows at once.
func BenchmarkPredictBatch(b *testing.B) {
	p := benchPredictor(b)
	f := readCSV(b, synthCSV(1000, "binary", 2))
	defer f.Release()
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := p.Predict(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "µs/row")
}

// BenchmarkPredictRecord predicts one Go map, as a service answering one
// request at a time does.
func BenchmarkPredictRecord(b *testing.B) {
	p := benchPredictor(b)
	rec := []map[string]any{{"x1": 0.3, "x2": -1.2, "x3": 2.5, "color": "green"}}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := p.PredictRecords(ctx, rec); err != nil {
			b.Fatal(err)
		}
	}
}
