package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	"github.com/automl-agent/automl/internal/par"
)

// MissingBin is the bin code of a missing (NaN) value.
const MissingBin = 255

// MaxBins is the largest number of value bins per feature (codes
// 0..MaxBins-1); MissingBin comes after them.
const MaxBins = 255

// binSampleRows caps the rows used to choose quantile edges.
const binSampleRows = 200_000

// Binned is a feature matrix quantized for histogram tree learners: up to
// 255 value bins per feature plus MissingBin. It is computed once per
// dataset and shared, read-only, by every tree model and trial.
//
// Numeric feature j: bin b holds the values v with
// Uppers[j][b-1] < v <= Uppers[j][b]; the last upper edge is +Inf, so
// bin codes are 0..len(Uppers[j])-1 and "code <= b" is the same test as
// "v <= Uppers[j][b]" (what a tree stores to predict on raw values).
// NaN is MissingBin.
//
// Categorical feature j (Categories[j] > 0): Uppers[j] is nil and the code is
// the category itself, see CategoryCode.
type Binned struct {
	// N is the number of rows.
	N int
	// Codes holds the bin codes column-major: Codes[j][i] is the bin of
	// row i in feature j. NewBinned and Bin allocate all columns in one
	// contiguous block.
	Codes [][]uint8
	// Uppers holds, per numeric feature, the upper edge of each bin: a
	// value v falls in the first bin b with v <= Uppers[j][b]. For a
	// categorical feature it is nil and the code is the category.
	Uppers [][]float64
	// Categories is a copy of the categories argument of NewBinned: 0 for
	// a numeric feature, the category count for a categorical one. Nil
	// means every feature with non-nil Uppers is numeric.
	Categories []int
}

// CategoryCode maps a categorical value to its bin code: NaN and negative
// values are MissingBin; other values are truncated to an integer and
// codes above MaxBins-1 (254) are merged into bin 254. Categories with
// codes 0..253 therefore keep a bin each, and a feature with more than 255
// categories shares its last bin among the rare tail (put the frequent
// categories first when encoding).
func CategoryCode(v float64) uint8 {
	if !(v >= 0) { // NaN or negative
		return MissingBin
	}
	if v >= MaxBins-1 {
		return MaxBins - 1
	}
	return uint8(v)
}

// NewBinned quantizes X (column-major, X[j][i]) for tree learners.
//
// maxBins is the number of value bins per numeric feature, 2..255; 0 (or
// anything out of range) means 255. A numeric feature with at most maxBins
// distinct values gets one bin per value, with edges at the midpoints
// between consecutive values; otherwise the edges are approximate
// equal-count quantiles of a deterministic sample of at most 200,000 rows
// (ties kept in one bin, so a heavy value may get a bin to itself and the
// feature fewer than maxBins bins). NaN goes to MissingBin.
// categories[j] > 0 marks feature j as categorical with codes
// 0..categories[j]-1 (see CategoryCode); nil means all numeric.
//
// Features are binned in parallel (GOMAXPROCS goroutines); the result does
// not depend on the parallelism. X must be rectangular and categories, if
// set, must have one entry per feature: otherwise NewBinned returns an
// error wrapping ErrData (as does a panic recovered from a binning
// goroutine).
func NewBinned(X [][]float64, categories []int, maxBins int) (*Binned, error) {
	if maxBins < 2 || maxBins > MaxBins {
		maxBins = MaxBins
	}
	if categories != nil && len(categories) != len(X) {
		return nil, fmt.Errorf("%w: NewBinned: %d category counts for %d features", ErrData, len(categories), len(X))
	}
	n, err := rectangular(X)
	if err != nil {
		return nil, fmt.Errorf("NewBinned: %w", err)
	}
	b := &Binned{N: n, Uppers: make([][]float64, len(X))}
	if categories != nil {
		b.Categories = slices.Clone(categories)
	}
	sample := sampleRows(n)
	err = par.For(runtime.GOMAXPROCS(0), len(X), func(j int) {
		if b.IsCategorical(j) {
			return
		}
		b.Uppers[j] = quantileEdges(X[j], sample, maxBins)
	})
	if err != nil {
		return nil, fmt.Errorf("%w: NewBinned: %w", ErrData, err)
	}
	if b.Codes, err = b.codes(X); err != nil {
		return nil, fmt.Errorf("%w: NewBinned: %w", ErrData, err)
	}
	return b, nil
}

// Bin returns X (new rows with the same columns) binned with b's edges, e.g.
// a validation set. X must have len(b.Uppers) rectangular columns; Bin
// returns an error wrapping ErrData otherwise.
func (b *Binned) Bin(X [][]float64) (*Binned, error) {
	if len(X) != len(b.Uppers) {
		return nil, fmt.Errorf("%w: Binned.Bin: %d features, the bins have %d", ErrData, len(X), len(b.Uppers))
	}
	n, err := rectangular(X)
	if err != nil {
		return nil, fmt.Errorf("Binned.Bin: %w", err)
	}
	out := &Binned{N: n, Uppers: b.Uppers, Categories: b.Categories}
	if out.Codes, err = out.codes(X); err != nil {
		return nil, fmt.Errorf("%w: Binned.Bin: %w", ErrData, err)
	}
	return out, nil
}

// rectangular returns the common length of X's columns (0 for no columns)
// or an error wrapping ErrData naming the first ragged one.
func rectangular(X [][]float64) (int, error) {
	n := 0
	if len(X) > 0 {
		n = len(X[0])
	}
	for j, c := range X {
		if len(c) != n {
			return 0, fmt.Errorf("%w: feature %d has %d rows, feature 0 has %d", ErrData, j, len(c), n)
		}
	}
	return n, nil
}

// IsCategorical reports whether feature j is categorical.
func (b *Binned) IsCategorical(j int) bool {
	return b.Categories != nil && b.Categories[j] > 0
}

// NumBins returns the number of value bins of feature j (codes
// 0..NumBins-1, plus MissingBin): len(Uppers[j]) for a numeric feature,
// min(Categories[j], 255) for a categorical one, 255 when unknown.
func (b *Binned) NumBins(j int) int {
	if b.IsCategorical(j) {
		return min(b.Categories[j], MaxBins)
	}
	if b.Uppers[j] != nil {
		return len(b.Uppers[j])
	}
	return MaxBins
}

// BinValue returns the bin code of value v in feature j.
func (b *Binned) BinValue(j int, v float64) uint8 {
	if b.IsCategorical(j) || b.Uppers[j] == nil {
		return CategoryCode(v)
	}
	return binOf(b.Uppers[j], v)
}

// binOf returns the first b with v <= up[b], or MissingBin for NaN. The
// search halves a window of candidates a fixed number of times with a
// conditional move instead of a branch (quantile edges make the branch
// unpredictable).
func binOf(up []float64, v float64) uint8 {
	if v != v {
		return MissingBin
	}
	// The answer is in [base, base+n); up[len(up)-1] is +Inf.
	base, n := 0, len(up)
	for n > 1 {
		half := n >> 1
		if up[base+half-1] < v {
			base += half
		}
		n -= half
	}
	return uint8(base)
}

// binIndexBuckets is the number of equal-width buckets of a binIndex.
const binIndexBuckets = 2048

// binIndex finds bins through a table of equal-width buckets between the
// first and the last finite edge: bucket k can only hold values of bins
// first[k]..first[k+1], so a short binary search finishes the job.
type binIndex struct {
	up        []float64
	lo, scale float64
	first     []uint8 // first[k]: edges in buckets before k; first[buckets] = len(up)-1
}

func newBinIndex(up []float64) *binIndex {
	x := &binIndex{up: up}
	nf := len(up) - 1 // finite edges
	if nf < 2 || !(up[nf-1] > up[0]) || math.IsInf(up[0], 0) || math.IsInf(up[nf-1], 0) {
		return x
	}
	x.lo = up[0]
	x.scale = binIndexBuckets / (up[nf-1] - up[0])
	if math.IsInf(x.scale, 0) || x.scale == 0 {
		return x
	}
	x.first = make([]uint8, binIndexBuckets+1)
	// first[k] = number of finite edges whose bucket is < k.
	b := 0
	for k := range binIndexBuckets + 1 {
		for b < nf && x.bucket(up[b]) < k {
			b++
		}
		x.first[k] = uint8(b)
	}
	return x
}

// bucket is monotone in v (so edges and values agree on it).
func (x *binIndex) bucket(v float64) int {
	f := (v - x.lo) * x.scale
	switch {
	case !(f > 0):
		return 0
	case f >= binIndexBuckets-1:
		return binIndexBuckets - 1
	}
	return int(f)
}

// binTo writes the bin of each src value into dst (as binOf).
func (x *binIndex) binTo(dst []uint8, src []float64) {
	if x.first == nil {
		for i, v := range src {
			dst[i] = binOf(x.up, v)
		}
		return
	}
	dst = dst[:len(src)]
	up, first := x.up, x.first[:binIndexBuckets+1]
	for i, v := range src {
		if v != v {
			dst[i] = MissingBin
			continue
		}
		k := x.bucket(v)
		// Edges of bucket k are up[lo:hi]; any value in it has its bin in
		// [lo, hi] (hi: the first edge of a later bucket).
		lo, hi := int(first[k]), int(first[k+1])
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if v <= up[m] {
				hi = m
			} else {
				lo = m + 1
			}
		}
		dst[i] = uint8(lo)
	}
}

// codes bins X column by column into one contiguous block.
func (b *Binned) codes(X [][]float64) ([][]uint8, error) {
	n := b.N
	block := make([]uint8, n*len(X))
	codes := make([][]uint8, len(X))
	for j := range X {
		codes[j] = block[j*n : (j+1)*n : (j+1)*n]
	}
	err := par.For(runtime.GOMAXPROCS(0), len(X), func(j int) {
		dst, src := codes[j], X[j]
		if b.IsCategorical(j) || b.Uppers[j] == nil {
			for i, v := range src {
				dst[i] = CategoryCode(v)
			}
			return
		}
		up := b.Uppers[j]
		if len(src) < 4096 {
			for i, v := range src {
				dst[i] = binOf(up, v)
			}
			return
		}
		newBinIndex(up).binTo(dst, src)
	})
	return codes, err
}

// Subset returns the rows listed in rows, copied; edges are shared.
func (b *Binned) Subset(rows []int) *Binned {
	s := &Binned{N: len(rows), Uppers: b.Uppers, Categories: b.Categories, Codes: make([][]uint8, len(b.Codes))}
	block := make([]uint8, len(rows)*len(b.Codes))
	for j, c := range b.Codes {
		col := block[j*len(rows) : (j+1)*len(rows) : (j+1)*len(rows)]
		for k, i := range rows {
			col[k] = c[i]
		}
		s.Codes[j] = col
	}
	return s
}

// sampleRows returns nil (all rows) when n <= binSampleRows, else a sorted
// deterministic sample of binSampleRows row indices.
func sampleRows(n int) []int {
	if n <= binSampleRows {
		return nil
	}
	rng := rand.New(rand.NewPCG(0x9e3779b97f4a7c15, 0xb1))
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	for i := range binSampleRows {
		k := i + rng.IntN(n-i)
		perm[i], perm[k] = perm[k], perm[i]
	}
	s := perm[:binSampleRows]
	slices.Sort(s)
	return s
}

// quantileEdges returns the upper bin edges of one numeric column, the last
// being +Inf.
func quantileEdges(col []float64, sample []int, maxBins int) []float64 {
	var vals []float64
	if sample == nil {
		vals = make([]float64, 0, len(col))
		for _, v := range col {
			if v == v {
				vals = append(vals, v)
			}
		}
	} else {
		vals = make([]float64, 0, len(sample))
		for _, i := range sample {
			if v := col[i]; v == v {
				vals = append(vals, v)
			}
		}
	}
	if len(vals) == 0 {
		return []float64{math.Inf(1)}
	}
	sortFloats(vals)
	d := 1
	for i := 1; i < len(vals); i++ {
		if vals[i] != vals[i-1] {
			d++
		}
	}
	edges := make([]float64, 0, min(d, maxBins))
	if d <= maxBins {
		for i := 1; i < len(vals); i++ {
			if vals[i] != vals[i-1] {
				edges = append(edges, midpoint(vals[i-1], vals[i]))
			}
		}
		return append(edges, math.Inf(1))
	}
	// Greedy equal-count bins over the runs of equal values: cut when the
	// running count reaches the remaining rows per remaining bin; cut
	// before a run that would overshoot by more than half of it.
	rest := float64(len(vals))
	binsLeft := maxBins
	target := rest / float64(binsLeft)
	acc := 0.0
	runsLeft := d
	for i := 0; i < len(vals) && binsLeft > 1; {
		k := i + 1
		for k < len(vals) && vals[k] == vals[i] {
			k++
		}
		runsLeft--
		if k == len(vals) {
			break
		}
		c := float64(k - i)
		if acc > 0 && acc+c/2 > target {
			edges = append(edges, midpoint(vals[i-1], vals[i]))
			binsLeft--
			rest -= acc
			acc = 0
			target = rest / float64(binsLeft)
			if binsLeft == 1 {
				break
			}
		}
		acc += c
		if acc >= target || runsLeft <= binsLeft-1 {
			edges = append(edges, midpoint(vals[k-1], vals[k]))
			binsLeft--
			rest -= acc
			acc = 0
			if binsLeft > 0 {
				target = rest / float64(binsLeft)
			}
		}
		i = k
	}
	return append(edges, math.Inf(1))
}

// radixScratch holds *[]uint64 buffers for sortFloats (one per binning
// goroutine at a time, instead of two fresh arrays per feature).
var radixScratch sync.Pool

// sortFloats sorts NaN-free values ascending (-0 before +0): an LSD radix
// sort on 11-bit digits of the order-preserving bit pattern for long
// slices, skipping digits that all values share; slices.Sort otherwise.
func sortFloats(v []float64) {
	if len(v) < 4096 {
		slices.Sort(v)
		return
	}
	const bits, size = 11, 1 << 11
	sp, _ := radixScratch.Get().(*[]uint64)
	if sp == nil {
		sp = new([]uint64)
	}
	defer radixScratch.Put(sp)
	if cap(*sp) < 2*len(v) {
		*sp = make([]uint64, 2*len(v))
	}
	keys, tmp := (*sp)[:len(v)], (*sp)[len(v):2*len(v)]
	for i, x := range v {
		u := math.Float64bits(x)
		// Negative: flip all bits; positive: flip the sign bit.
		keys[i] = u ^ (uint64(int64(u)>>63) | 1<<63)
	}
	var count [size]int
	for shift := uint(0); shift < 64; shift += bits {
		count = [size]int{}
		for _, k := range keys {
			count[k>>shift&(size-1)]++
		}
		if count[keys[0]>>shift&(size-1)] == len(keys) {
			continue // every key has this digit
		}
		sum := 0
		for d, c := range count {
			count[d] = sum
			sum += c
		}
		for _, k := range keys {
			d := k >> shift & (size - 1)
			tmp[count[d]] = k
			count[d]++
		}
		keys, tmp = tmp, keys
	}
	for i, k := range keys {
		// Undo the flip: keys with the top bit set came from positives.
		v[i] = math.Float64frombits(k ^ (uint64(int64(^k)>>63) | 1<<63))
	}
}

// midpoint returns an edge e with a <= e < b.
func midpoint(a, b float64) float64 {
	m := a/2 + b/2
	if !(m >= a && m < b) || math.IsInf(m, 0) {
		return a
	}
	return m
}
