package ensemble

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/automl-agent/automl/evaluate"
)

func benchMembers(n, members int) (oof [][]float64, y []float64) {
	r := rand.New(rand.NewPCG(3, 4))
	s, y := binaryTask(r, n, 2)
	for j := range members {
		oof = append(oof, binaryMember(r, s, 0.5+float64(j%4)*0.25, 1))
	}
	return oof, y
}

func BenchmarkGreedy(b *testing.B) {
	oof, y := benchMembers(10_000, 20)
	for _, m := range []evaluate.Metric{evaluate.LogLoss{}, evaluate.ROCAUC{}, evaluate.Accuracy{}} {
		b.Run(m.Name()+"/10k_rows_20_members_25_rounds", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Greedy(oof, y, nil, 2, m, 25); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkStack(b *testing.B) {
	oof, y := benchMembers(10_000, 10)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Stack(context.Background(), oof, nil, y, nil, 2, evaluate.LogLoss{}, nil, 1); err != nil {
			b.Fatal(err)
		}
	}
}
