package models

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSortFloatsMatchesSlicesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	gens := map[string]func() float64{
		"normal":   rng.NormFloat64,
		"few ties": func() float64 { return float64(rng.IntN(7) - 3) },
		"wide":     func() float64 { return math.Ldexp(rng.Float64()-0.5, rng.IntN(2000)-1000) },
		"specials": func() float64 {
			return []float64{math.Inf(-1), math.Inf(1), -1e-310, 1e-310, 0, math.MaxFloat64, -math.MaxFloat64}[rng.IntN(7)]
		},
		"positives": func() float64 { return rng.Float64() * 100 },
	}
	for name, gen := range gens {
		for _, n := range []int{0, 1, 100, 5000, 20000} {
			v := make([]float64, n)
			for i := range v {
				v[i] = gen()
			}
			want := slices.Clone(v)
			slices.Sort(want)
			sortFloats(v)
			assert.Equal(t, want, v, "%s n=%d", name, n)
		}
	}
}

func TestBinOfMatchesSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, nb := range []int{1, 2, 3, 7, 64, 200, 255} {
		up := make([]float64, nb-1)
		for i := range up {
			up[i] = rng.NormFloat64()
		}
		slices.Sort(up)
		up = append(up, math.Inf(1))
		for range 2000 {
			v := rng.NormFloat64() * 1.2
			if rng.IntN(10) == 0 && nb > 1 {
				v = up[rng.IntN(nb-1)] // exactly on an edge
			}
			want := sort.Search(len(up), func(b int) bool { return v <= up[b] })
			assert.Equal(t, uint8(want), binOf(up, v), "nb=%d v=%v", nb, v)
		}
		assert.Equal(t, uint8(MissingBin), binOf(up, math.NaN()))
		assert.Equal(t, uint8(nb-1), binOf(up, math.Inf(1)))
	}
}

func TestBinIndexMatchesBinOf(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	edgeSets := map[string]func(nb int) []float64{
		"normal": func(nb int) []float64 {
			e := make([]float64, nb-1)
			for i := range e {
				e[i] = rng.NormFloat64()
			}
			return e
		},
		"heavy tail": func(nb int) []float64 {
			e := make([]float64, nb-1)
			for i := range e {
				e[i] = math.Exp(10 * rng.Float64() * rng.Float64())
			}
			return e
		},
		"tiny range": func(nb int) []float64 {
			e := make([]float64, nb-1)
			for i := range e {
				e[i] = 1 + float64(i)*1e-15
			}
			return e
		},
	}
	for name, gen := range edgeSets {
		for _, nb := range []int{2, 3, 4, 17, 255} {
			up := gen(nb)
			slices.Sort(up)
			up = slices.Compact(up)
			up = append(up, math.Inf(1))
			src := make([]float64, 3000)
			for i := range src {
				switch rng.IntN(6) {
				case 0:
					src[i] = up[rng.IntN(len(up))] // on an edge, or +Inf
				case 1:
					src[i] = []float64{math.NaN(), math.Inf(-1), -1e300, 1e300}[rng.IntN(4)]
				case 2:
					src[i] = math.Nextafter(up[rng.IntN(len(up))], math.Inf(-1))
				default:
					src[i] = up[0] + (up[max(len(up)-2, 0)]-up[0])*(1.2*rng.Float64()-0.1)
				}
			}
			got := make([]uint8, len(src))
			newBinIndex(up).binTo(got, src)
			for i, v := range src {
				if want := binOf(up, v); got[i] != want {
					t.Fatalf("%s nb=%d: value %v got bin %d, want %d", name, nb, v, got[i], want)
				}
			}
		}
	}
}
