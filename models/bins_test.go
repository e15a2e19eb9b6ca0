package models

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewBinnedFewValues(t *testing.T) {
	nan := math.NaN()
	X := [][]float64{
		{3, 1, 2, 1, nan, 3},
		{0, 1, 2, 300, nan, -1}, // categorical
	}
	b := NewBinned(X, []int{0, 400}, 0)
	require.Equal(t, 6, b.N)
	assert.Equal(t, []float64{1.5, 2.5, math.Inf(1)}, b.Uppers[0])
	assert.Equal(t, []uint8{2, 0, 1, 0, MissingBin, 2}, b.Codes[0])
	assert.Nil(t, b.Uppers[1])
	assert.Equal(t, []uint8{0, 1, 2, 254, MissingBin, MissingBin}, b.Codes[1])
	assert.Equal(t, 3, b.NumBins(0))
	assert.Equal(t, 255, b.NumBins(1))
	assert.True(t, b.IsCategorical(1))
	assert.Equal(t, uint8(1), b.BinValue(0, 2))
	assert.Equal(t, uint8(2), b.BinValue(0, 1e9))
	assert.Equal(t, uint8(0), b.BinValue(0, math.Inf(-1)))
	assert.Equal(t, uint8(MissingBin), b.BinValue(0, nan))
}

func TestNewBinnedQuantiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 10000
	col := make([]float64, n)
	heavy := make([]float64, n)
	for i := range col {
		col[i] = rng.NormFloat64()
		if i%2 == 0 {
			heavy[i] = 0 // half the rows tie at 0
		} else {
			heavy[i] = rng.Float64()
		}
	}
	for _, maxBins := range []int{0, 16, 255} {
		b := NewBinned([][]float64{col, heavy}, nil, maxBins)
		want := maxBins
		if want == 0 {
			want = 255
		}
		up := b.Uppers[0]
		require.Len(t, up, want)
		assert.True(t, math.IsInf(up[len(up)-1], 1))
		for k := 1; k < len(up); k++ {
			assert.Less(t, up[k-1], up[k])
		}
		counts := make([]int, 256)
		for _, c := range b.Codes[0] {
			counts[c]++
		}
		for k := range want {
			assert.InDelta(t, float64(n)/float64(want), float64(counts[k]), float64(n)/float64(want)*0.5+2, "bin %d", k)
		}
		// The tied value has a bin of its own.
		zb := b.BinValue(1, 0)
		hc := 0
		for _, c := range b.Codes[1] {
			if c == zb {
				hc++
			}
		}
		assert.Equal(t, n/2, hc)
		// Codes agree with the "first upper edge >= v" rule.
		for i, v := range col {
			c := b.Codes[0][i]
			assert.LessOrEqual(t, v, up[c])
			if c > 0 {
				assert.Greater(t, v, up[c-1])
			}
		}
	}
}

func TestBinMatchesAndSubset(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	X := make([][]float64, 5)
	for j := range X {
		X[j] = make([]float64, 3000)
		for i := range X[j] {
			X[j][i] = math.Round(rng.NormFloat64()*100) / 10
			if rng.IntN(20) == 0 {
				X[j][i] = math.NaN()
			}
		}
	}
	cats := []int{0, 0, 0, 0, 7}
	for i := range X[4] {
		X[4][i] = float64(rng.IntN(7))
	}
	b := NewBinned(X, cats, 32)
	again := b.Bin(X)
	assert.Equal(t, b.Codes, again.Codes)
	rows := []int{5, 0, 2999}
	s := b.Subset(rows)
	require.Equal(t, 3, s.N)
	for j := range X {
		for k, i := range rows {
			assert.Equal(t, b.Codes[j][i], s.Codes[j][k])
		}
	}
	assert.Equal(t, 7, s.NumBins(4))
}

func TestNewBinnedDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	X := make([][]float64, 8)
	for j := range X {
		X[j] = make([]float64, 2000)
		for i := range X[j] {
			X[j][i] = rng.ExpFloat64()
		}
	}
	old := runtime.GOMAXPROCS(1)
	a := NewBinned(X, nil, 0)
	runtime.GOMAXPROCS(4)
	b := NewBinned(X, nil, 0)
	runtime.GOMAXPROCS(old)
	assert.Equal(t, a, b)
}

func TestNewBinnedEdgeCases(t *testing.T) {
	inf := math.Inf(1)
	b := NewBinned([][]float64{{math.NaN(), math.NaN()}, {inf, -inf}}, nil, 0)
	assert.Equal(t, []float64{inf}, b.Uppers[0])
	assert.Equal(t, []uint8{MissingBin, MissingBin}, b.Codes[0])
	assert.Equal(t, []uint8{1, 0}, b.Codes[1])
	empty := NewBinned(nil, nil, 0)
	assert.Equal(t, 0, empty.N)
}

func BenchmarkNewBinned(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	n, p := 200_000, 40
	X := make([][]float64, p)
	for j := range X {
		X[j] = make([]float64, n)
		for i := range X[j] {
			X[j][i] = rng.NormFloat64()
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		NewBinned(X, nil, 0)
	}
}
