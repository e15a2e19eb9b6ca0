package forest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
)

// benchData returns the 20k x 20 synthetic sets of the benchmarks, binned
// once (as the AutoML search shares bins between trials).
func benchData(b *testing.B, classification bool) *models.Data {
	var d *models.Data
	if classification {
		d = xorData(20000, 20, 1)
	} else {
		d = regData(20000, 20, 1)
	}
	bins, err := models.NewBinned(d.X, nil, 0)
	require.NoError(b, err)
	d.Bins = bins
	return d
}

func benchFit(b *testing.B, kind Kind, classification bool, trees int) {
	d := benchData(b, classification)
	m, err := New(Config{Kind: kind, Trees: trees})
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		require.NoError(b, m.Fit(b.Context(), d))
	}
	b.ReportMetric(float64(m.NumNodes())/float64(m.NumTrees()), "nodes/tree")
}

func BenchmarkFit(b *testing.B) {
	for _, bc := range []struct {
		name  string
		kind  Kind
		cls   bool
		trees int
	}{
		{"rf-reg-20trees", RandomForest, false, 20},
		{"rf-cls-20trees", RandomForest, true, 20},
		{"et-reg-20trees", ExtraTrees, false, 20},
		{"et-cls-20trees", ExtraTrees, true, 20},
		{"cart-reg", CART, false, 1},
		{"cart-cls", CART, true, 1},
	} {
		b.Run(bc.name, func(b *testing.B) { benchFit(b, bc.kind, bc.cls, bc.trees) })
	}
}

func BenchmarkPredict(b *testing.B) {
	for _, cls := range []bool{false, true} {
		name := "reg-100trees"
		k := 0
		if cls {
			name, k = "cls-100trees", 2
		}
		b.Run(name, func(b *testing.B) {
			d := benchData(b, cls)
			m, err := New(Config{Kind: RandomForest, Trees: 100, MaxDepth: 12})
			require.NoError(b, err)
			require.NoError(b, m.Fit(b.Context(), d))
			out := make([]float64, models.OutputLen(d.Rows(), k))
			b.ReportAllocs()
			for b.Loop() {
				require.NoError(b, m.Predict(out, d.X))
			}
		})
	}
}
