package evaluate

import (
	"math/rand/v2"
	"testing"
)

func benchData(n, k int) (y, pred []float64) {
	r := rand.New(rand.NewPCG(1, 2))
	y = make([]float64, n)
	pred = make([]float64, n*max(k, 1))
	for i := range n {
		if k == 0 {
			y[i] = r.NormFloat64()
			pred[i] = y[i] + r.NormFloat64()
			continue
		}
		y[i] = float64(r.IntN(k))
		s := 0.0
		for c := range k {
			pred[i*k+c] = r.Float64()
			s += pred[i*k+c]
		}
		for c := range k {
			pred[i*k+c] /= s
		}
	}
	return y, pred
}

func BenchmarkMetrics(b *testing.B) {
	const n = 100_000
	for _, c := range []struct {
		m Metric
		k int
	}{{Accuracy{}, 2}, {F1Macro{}, 5}, {LogLoss{}, 5}, {ROCAUC{}, 2}, {ROCAUC{}, 5}, {RMSE{}, 0}, {R2{}, 0}} {
		y, pred := benchData(n, c.k)
		b.Run(c.m.Name()+"/k="+string(rune('0'+c.k))+"/100k", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.m.Score(y, pred, c.k, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkTuneThreshold(b *testing.B) {
	y, pred := benchData(100_000, 2)
	p1 := make([]float64, len(y))
	for i := range y {
		p1[i] = pred[2*i+1]
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := TuneThreshold(y, p1, nil, F1{}); err != nil {
			b.Fatal(err)
		}
	}
}
