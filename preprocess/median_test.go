package preprocess

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMedianOfMatchesSorting: the selected median equals the sorted one on
// random, duplicated, infinite and adversarially ordered values, and
// selectK leaves no greater value before k and no smaller one after.
func TestMedianOfMatchesSorting(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	gens := map[string]func(n int) []float64{
		"uniform": func(n int) []float64 {
			x := make([]float64, n)
			for i := range x {
				x[i] = rng.NormFloat64()
			}
			return x
		},
		"few values": func(n int) []float64 {
			x := make([]float64, n)
			for i := range x {
				x[i] = float64(rng.IntN(3))
			}
			return x
		},
		"sorted": func(n int) []float64 {
			x := make([]float64, n)
			for i := range x {
				x[i] = float64(i)
			}
			return x
		},
		"reversed": func(n int) []float64 {
			x := make([]float64, n)
			for i := range x {
				x[i] = float64(n - i)
			}
			return x
		},
		"organ pipe": func(n int) []float64 {
			x := make([]float64, n)
			for i := range x {
				x[i] = float64(min(i, n-i))
			}
			return x
		},
		"infinities": func(n int) []float64 {
			x := make([]float64, n)
			for i := range x {
				x[i] = []float64{math.Inf(-1), math.Inf(1), 0, 1}[rng.IntN(4)]
			}
			return x
		},
	}
	for name, gen := range gens {
		for _, n := range []int{1, 2, 3, 4, 15, 16, 17, 100, 1001, 4096} {
			x := gen(n)
			want := slices.Clone(x)
			slices.Sort(want)
			med := want[n/2]
			if n%2 == 0 {
				med = (want[n/2-1] + want[n/2]) / 2
			}
			got := medianOf(slices.Clone(x))
			if math.IsNaN(med) {
				require.True(t, math.IsNaN(got), "%s n=%d", name, n)
			} else {
				require.Equal(t, med, got, "%s n=%d", name, n)
			}
			for _, k := range []int{0, n / 3, n - 1} {
				y := slices.Clone(x)
				v := selectK(y, k)
				require.Equal(t, want[k], v, "%s n=%d k=%d", name, n, k)
				require.LessOrEqual(t, slices.Max(y[:k+1]), v)
				require.GreaterOrEqual(t, slices.Min(y[k:]), v)
			}
		}
	}
}

// BenchmarkMedianOf selects the median of a million values, against
// BenchmarkMedianSort, which sorts them as fitNumeric did.
func BenchmarkMedianOf(b *testing.B) {
	benchMedian(b, medianOf)
}

func BenchmarkMedianSort(b *testing.B) {
	benchMedian(b, func(x []float64) float64 { slices.Sort(x); return x[len(x)/2] })
}

func benchMedian(b *testing.B, f func([]float64) float64) {
	rng := rand.New(rand.NewPCG(3, 4))
	src := make([]float64, 1_000_000)
	for i := range src {
		src[i] = rng.NormFloat64()
	}
	x := make([]float64, len(src))
	for b.Loop() {
		copy(x, src)
		f(x)
	}
}
