package models

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mustBin is NewBinned for inputs the test knows to be valid.
func mustBin(t testing.TB, X [][]float64, categories []int, maxBins int) *Binned {
	t.Helper()
	b, err := NewBinned(X, categories, maxBins)
	require.NoError(t, err)
	return b
}

func TestNewBinnedFewValues(t *testing.T) {
	nan := math.NaN()
	X := [][]float64{
		{3, 1, 2, 1, nan, 3},
		{0, 1, 2, 300, nan, -1}, // categorical
	}
	b := mustBin(t, X, []int{0, 400}, 0)
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
		b := mustBin(t, [][]float64{col, heavy}, nil, maxBins)
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
	b := mustBin(t, X, cats, 32)
	again, err := b.Bin(X)
	require.NoError(t, err)
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
	a := mustBin(t, X, nil, 0)
	runtime.GOMAXPROCS(4)
	b := mustBin(t, X, nil, 0)
	runtime.GOMAXPROCS(old)
	assert.Equal(t, a, b)
}

func TestNewBinnedEdgeCases(t *testing.T) {
	inf := math.Inf(1)
	b := mustBin(t, [][]float64{{math.NaN(), math.NaN()}, {inf, -inf}}, nil, 0)
	assert.Equal(t, []float64{inf}, b.Uppers[0])
	assert.Equal(t, []uint8{MissingBin, MissingBin}, b.Codes[0])
	assert.Equal(t, []uint8{1, 0}, b.Codes[1])
	empty := mustBin(t, nil, nil, 0)
	assert.Equal(t, 0, empty.N)
}

// Ragged input is an error from both public functions, never a panic.
func TestRaggedInputIsAnError(t *testing.T) {
	ragged := [][]float64{{1, 2, 3}, {1, 2}}
	_, err := NewBinned(ragged, nil, 0)
	require.ErrorIs(t, err, ErrData)
	assert.Contains(t, err.Error(), "feature 1 has 2 rows")
	_, err = NewBinned([][]float64{{1, 2}}, []int{0, 3}, 0)
	require.ErrorIs(t, err, ErrData)

	b := mustBin(t, [][]float64{{1, 2, 3}, {4, 5, 6}}, nil, 0)
	_, err = b.Bin(ragged)
	require.ErrorIs(t, err, ErrData)
	_, err = b.Bin([][]float64{{1, 2}})
	require.ErrorIs(t, err, ErrData)
	assert.Contains(t, err.Error(), "1 features, the bins have 2")
	ok, err := b.Bin([][]float64{{2.6}, {math.NaN()}})
	require.NoError(t, err)
	assert.Equal(t, []uint8{2}, ok.Codes[0])
	assert.Equal(t, []uint8{MissingBin}, ok.Codes[1])
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
		mustBin(b, X, nil, 0)
	}
}
