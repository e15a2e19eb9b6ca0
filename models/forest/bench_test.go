package forest

import (
	"math/rand/v2"
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

// many26 returns xorData's features with 26 classes: 13 bands of x0
// times the side of x2, a fifth of the labels drawn at random, so leaves of
// 5+ rows hold a few classes each (the sparse leaves of a many-class model).
func many26(n, p int, seed uint64) *models.Data {
	d := xorData(n, p, seed)
	d.NumClasses = 26
	rng := rand.New(rand.NewPCG(seed, 26))
	for i := range d.Y {
		c := 2 * int(d.X[0][i]*13)
		if d.X[2][i] > 0.5 {
			c++
		}
		if i%5 == 0 {
			c = rng.IntN(26)
		}
		d.Y[i] = float64(c)
	}
	return d
}

func BenchmarkPredict(b *testing.B) {
	for _, bc := range []struct {
		name string
		k    int
		cfg  Config
	}{
		{"reg-100trees", 0, Config{Kind: RandomForest, Trees: 100, MaxDepth: 12}},
		{"cls-100trees", 2, Config{Kind: RandomForest, Trees: 100, MaxDepth: 12}},
		{"cls26-100trees", 26, Config{Kind: RandomForest, Trees: 100, MinSamplesLeaf: 5}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			d := benchData(b, bc.k > 0)
			if bc.k == 26 {
				d = many26(20000, 20, 1)
			}
			m, err := New(bc.cfg)
			require.NoError(b, err)
			require.NoError(b, m.Fit(b.Context(), d))
			out := make([]float64, models.OutputLen(d.Rows(), bc.k))
			b.ReportAllocs()
			for b.Loop() {
				require.NoError(b, m.Predict(out, d.X))
			}
			b.ReportMetric(float64(m.SizeBytes())/1e6, "MB")
		})
	}
}
