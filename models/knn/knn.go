package knn

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/automl-agent/automl/internal/par"
	"github.com/automl-agent/automl/models"
)

// Defaults of KNN.
const (
	DefaultNeighbors    = 5
	DefaultMaxTrainRows = 20000
)

// Weighting says how the neighbours of a query are weighted.
type Weighting int

const (
	// Uniform gives every neighbour the same vote.
	Uniform Weighting = iota
	// Distance weights a neighbour by 1/distance; if some neighbours sit
	// at distance 0, only they vote (scikit-learn's rule).
	Distance
)

// String returns "uniform" or "distance".
func (w Weighting) String() string {
	switch w {
	case Uniform:
		return "uniform"
	case Distance:
		return "distance"
	}
	return fmt.Sprintf("Weighting(%d)", int(w))
}

// ParseWeighting parses "uniform" or "distance".
func ParseWeighting(s string) (Weighting, error) {
	switch s {
	case "uniform":
		return Uniform, nil
	case "distance":
		return Distance, nil
	}
	return 0, fmt.Errorf("%w: knn weights = %q, want \"uniform\" or \"distance\"", models.ErrParam, s)
}

// Block sizes of the distance products. A 64×192 product stays on
// Dgemm's serial path (fewer than 4 blocks of 64×64), so Predict's own
// goroutines are the only ones.
const (
	queryBlock = 64  // queries per GEMM block
	trainBlock = 192 // training rows per GEMM block
)

// DefaultThreads is the number of goroutines Predict uses when
// KNN.Threads is 0.
const DefaultThreads = 2

// KNN is brute-force k-nearest-neighbours by Euclidean distance, for
// classification (class probabilities are the weighted vote fractions of
// the neighbours) and regression (the weighted mean of their targets).
//
// The neighbour weight is the row's sample weight times 1 (Uniform) or
// 1/distance (Distance). Rows of weight 0 are dropped at Fit. Fit keeps at
// most MaxTrainRows rows, a uniform sample drawn with Seed, so that Predict
// stays affordable; the kept rows stay in their original order. Equal
// distances are broken by the lower training row, so results are
// deterministic. With fewer kept rows than Neighbors, all of them vote.
//
// Squared distances are computed as ||q||² + ||t||² - 2 q·t with blocked
// GEMM (clamped at 0), as scikit-learn's brute force does. Features are
// used as given: scale them first (the dense feature view is standardised).
//
// Neighbors, Weights and Threads are read when predicting, MaxTrainRows
// and Seed when fitting. The zero value is ready to use with the
// defaults. Predict is safe for concurrent use after Fit and uses Threads
// goroutines (two by default).
type KNN struct {
	// Neighbors is k (>= 1); 0 means DefaultNeighbors.
	Neighbors int
	// Weights is the neighbour weighting; the zero value is Uniform.
	Weights Weighting
	// MaxTrainRows caps the rows kept at Fit; 0 means DefaultMaxTrainRows.
	MaxTrainRows int
	// Seed drives the sample kept when there are more rows than
	// MaxTrainRows.
	Seed uint64
	// Threads is the number of goroutines Predict uses (at most one per
	// block of 64 queries); 0 means DefaultThreads. The result does not
	// depend on it.
	Threads int
	// Smoothing adds, for classification, this many pseudo-neighbours
	// whose votes follow the training class proportions: probabilities are
	// (v_c + s·prior_c) / (k + s), v_c the class's share of the weighted
	// votes times the k neighbours. Vote fractions alone give probability
	// 0 to every class no neighbour has, and one such row wrong costs a
	// blend scored on log loss 34 nats. 0 (the zero value) means none, as
	// scikit-learn; New's default is 1. The predicted class changes only
	// where votes tie.
	Smoothing float64

	p, k    int       // features, classes (0: regression)
	n       int       // kept rows; 0 before Fit
	train   []float64 // p×n, feature-major: train[j*n+r] is feature j of kept row r
	norms   []float64
	y       []float64
	w       []float64 // nil: all 1
	classes bool      // fitted for classification
	prior   []float64 // class proportions of the kept rows (weighted)
}

var (
	_ models.Model = (*KNN)(nil)
	_ models.Sizer = (*KNN)(nil)
)

// SizeBytes implements models.Sizer: the kept training rows, their norms,
// targets, weights and the class prior.
func (m *KNN) SizeBytes() int64 {
	return int64(len(m.train)+len(m.norms)+len(m.y)+len(m.w)+len(m.prior)) * 8
}

func (m *KNN) config() (k, maxRows int, err error) {
	k, maxRows = m.Neighbors, m.MaxTrainRows
	if k == 0 {
		k = DefaultNeighbors
	}
	if maxRows == 0 {
		maxRows = DefaultMaxTrainRows
	}
	if k < 1 {
		return 0, 0, fmt.Errorf("%w: knn k = %d, want >= 1", models.ErrParam, k)
	}
	if maxRows < 1 {
		return 0, 0, fmt.Errorf("%w: knn max_train_rows = %d, want >= 1", models.ErrParam, maxRows)
	}
	if m.Weights != Uniform && m.Weights != Distance {
		return 0, 0, fmt.Errorf("%w: knn weights = %v", models.ErrParam, m.Weights)
	}
	return k, maxRows, nil
}

// Fit stores (a sample of) the rows of d with positive weight. Features
// must be finite.
func (m *KNN) Fit(ctx context.Context, d *models.Data) error {
	if err := d.Check(); err != nil {
		return err
	}
	_, maxRows, err := m.config()
	if err != nil {
		return err
	}
	if err := checkFinite(d.X); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m.n = 0
	keep := make([]int, 0, d.Rows())
	for i := range d.Y {
		if d.Weight(i) > 0 {
			keep = append(keep, i)
		}
	}
	if len(keep) == 0 {
		return fmt.Errorf("%w: every sample weight is 0", models.ErrData)
	}
	if len(keep) > maxRows {
		rng := rand.New(rand.NewPCG(m.Seed, 0x6b6e6e))
		for i := 0; i < maxRows; i++ {
			j := i + rng.IntN(len(keep)-i)
			keep[i], keep[j] = keep[j], keep[i]
		}
		keep = keep[:maxRows]
		slices.Sort(keep)
	}
	n, p := len(keep), len(d.X)
	train := make([]float64, p*n)
	for j, col := range d.X {
		dst := train[j*n : (j+1)*n]
		for r, i := range keep {
			dst[r] = col[i]
		}
	}
	y := make([]float64, n)
	var w []float64
	if d.W != nil {
		w = make([]float64, n)
	}
	for r, i := range keep {
		y[r] = d.Y[i]
		if w != nil {
			w[r] = d.W[i]
		}
	}
	m.p, m.k, m.classes = p, d.NumClasses, d.NumClasses > 0
	m.train, m.y, m.w = train, y, w
	m.norms = rowNorms(train, n, p)
	m.n = n
	m.prior = classPrior(y, w, m.k)
	return nil
}

// classPrior returns the weighted class proportions of y (nil for
// regression).
func classPrior(y, w []float64, k int) []float64 {
	if k == 0 {
		return nil
	}
	prior := make([]float64, k)
	sum := 0.0
	for i, c := range y {
		wt := 1.0
		if w != nil {
			wt = w[i]
		}
		prior[int(c)] += wt
		sum += wt
	}
	for c := range prior {
		prior[c] /= sum
	}
	return prior
}

// rowNorms returns the squared norm of each column of the p×n matrix a
// (each kept row), summed feature by feature as the Dgemm products are.
func rowNorms(a []float64, n, p int) []float64 {
	out := make([]float64, n)
	for j := 0; j < p; j++ {
		for r, v := range a[j*n : (j+1)*n] {
			// float64() forbids a fused multiply-add, which the products
			// (separate multiply and add) do not use either.
			out[r] += float64(v * v)
		}
	}
	return out
}

// sqNorm returns x·x summed exactly as the Dgemm products sum a row with
// itself, so that ||x||² + ||x||² - 2 x·x is exactly 0 and a duplicate row
// is at distance 0 (TestDuplicateDistanceZero guards this).
func sqNorm(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += float64(v * v)
	}
	return s
}

// Predict writes class probabilities (n*K, row-major) or regression values
// (n) for the rows of X. A NaN or infinite feature is an error naming it.
// A panic in one of its goroutines is returned as an error, not a crash.
func (m *KNN) Predict(dst []float64, X [][]float64) error {
	if m.n == 0 {
		return models.ErrNotFitted
	}
	if err := models.CheckPredict(dst, X, m.p, m.k); err != nil {
		return err
	}
	if err := checkFinite(X); err != nil {
		return err
	}
	nq := len(X[0])
	if nq == 0 {
		return nil
	}
	k, _, err := m.config()
	if err != nil {
		return err
	}
	k = min(k, m.n)
	blocks := (nq + queryBlock - 1) / queryBlock
	threads := m.Threads
	if threads <= 0 {
		threads = DefaultThreads
	}
	nw := min(threads, blocks)
	// Worker g takes blocks g, g+nw, ...; a panic in one is an error.
	err = par.For(nw, nw, func(g int) {
		s := m.newScratch(k)
		for b := g; b < blocks; b += nw {
			lo := b * queryBlock
			hi := min(lo+queryBlock, nq)
			m.searchBlock(s, X, lo, hi)
			for r := 0; r < hi-lo; r++ {
				m.vote(dst, lo+r, s.heap[r*k:(r+1)*k])
			}
		}
	})
	if err != nil {
		return fmt.Errorf("knn: predict: %w", err)
	}
	return nil
}

// neighbor is a candidate: squared distance and kept-row index.
type neighbor struct {
	d2  float64
	idx int
}

func less(a, b neighbor) bool { return a.d2 < b.d2 || (a.d2 == b.d2 && a.idx < b.idx) }

type scratch struct {
	k    int
	q    []float64  // queryBlock×p
	qn   []float64  // queryBlock
	dots []float64  // queryBlock×trainBlock
	heap []neighbor // queryBlock×k max-heaps
	size []int      // entries used per heap
}

func (m *KNN) newScratch(k int) *scratch {
	return &scratch{
		k:    k,
		q:    make([]float64, queryBlock*m.p),
		qn:   make([]float64, queryBlock),
		dots: make([]float64, queryBlock*trainBlock),
		heap: make([]neighbor, queryBlock*k),
		size: make([]int, queryBlock),
	}
}

// searchBlock fills s.heap with the k nearest kept rows of queries lo..hi,
// each heap sorted by (distance, index) on return.
func (m *KNN) searchBlock(s *scratch, X [][]float64, lo, hi int) {
	p, k, nb := m.p, s.k, hi-lo
	for j, col := range X {
		for r := 0; r < nb; r++ {
			s.q[r*p+j] = col[lo+r]
		}
	}
	for r := 0; r < nb; r++ {
		s.qn[r] = sqNorm(s.q[r*p : (r+1)*p])
		s.size[r] = 0
	}
	q := blas64.General{Rows: nb, Cols: p, Stride: p, Data: s.q}
	for t0 := 0; t0 < m.n; t0 += trainBlock {
		tb := min(trainBlock, m.n-t0)
		dots := blas64.General{Rows: nb, Cols: tb, Stride: tb, Data: s.dots[:nb*tb]}
		// Q (nb×p) times the p×tb slice of the feature-major training
		// matrix: Dgemm adds q_l·t_l over l = 0..p-1 in order, one AXPY
		// of length tb per query and feature.
		tr := blas64.General{Rows: p, Cols: tb, Stride: m.n, Data: m.train[t0 : (p-1)*m.n+t0+tb]}
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, q, tr, 0, dots)
		for r := 0; r < nb; r++ {
			h := s.heap[r*k : (r+1)*k]
			size := s.size[r]
			row := s.dots[r*tb : (r+1)*tb]
			qn := s.qn[r]
			for t, dot := range row {
				d2 := qn + m.norms[t0+t] - 2*dot
				if d2 < 0 {
					d2 = 0
				}
				// Rows arrive in increasing index, so on equal distance
				// the kept (earlier) row wins without comparing indices.
				if size < k {
					h[size] = neighbor{d2, t0 + t}
					size++
					siftUp(h, size-1)
				} else if d2 < h[0].d2 {
					h[0] = neighbor{d2, t0 + t}
					siftDown(h, 0, k)
				}
			}
			s.size[r] = size
		}
	}
	for r := 0; r < nb; r++ {
		slices.SortFunc(s.heap[r*k:(r+1)*k], func(a, b neighbor) int {
			if less(a, b) {
				return -1
			}
			if less(b, a) {
				return 1
			}
			return 0
		})
	}
}

// siftUp and siftDown keep h a max-heap under less.
func siftUp(h []neighbor, i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !less(h[parent], h[i]) {
			return
		}
		h[parent], h[i] = h[i], h[parent]
		i = parent
	}
}

func siftDown(h []neighbor, i, n int) {
	for {
		c := 2*i + 1
		if c >= n {
			return
		}
		if c+1 < n && less(h[c], h[c+1]) {
			c++
		}
		if !less(h[i], h[c]) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

// vote writes the prediction of query row i from its sorted neighbours.
func (m *KNN) vote(dst []float64, i int, nb []neighbor) {
	var buf [64]float64
	u := buf[:0]
	if len(nb) > len(buf) {
		u = make([]float64, 0, len(nb))
	}
	zero := false
	for _, c := range nb {
		if c.d2 == 0 {
			zero = true
		}
	}
	for _, c := range nb {
		wt := 1.0
		if m.Weights == Distance {
			switch {
			case zero && c.d2 == 0:
				wt = 1
			case zero:
				wt = 0
			default:
				wt = 1 / math.Sqrt(c.d2)
			}
		}
		if m.w != nil {
			wt *= m.w[c.idx]
		}
		u = append(u, wt)
	}
	if m.classes {
		row := dst[i*m.k : (i+1)*m.k]
		clear(row)
		sum := 0.0
		for t, c := range nb {
			row[int(m.y[c.idx])] += u[t]
		}
		for _, v := range row {
			sum += v
		}
		if !(sum > 0) || math.IsInf(sum, 0) { // weights underflowed: plain vote
			clear(row)
			for _, c := range nb {
				row[int(m.y[c.idx])]++
			}
			sum = float64(len(nb))
		}
		if s := m.Smoothing; s > 0 && m.prior != nil {
			votes := float64(len(nb))
			for c := range row {
				row[c] = (row[c]/sum*votes + s*m.prior[c]) / (votes + s)
			}
			return
		}
		for c := range row {
			row[c] /= sum
		}
		return
	}
	num, den := 0.0, 0.0
	for t, c := range nb {
		num += m.y[c.idx] * u[t]
		den += u[t]
	}
	if !(den > 0) || math.IsInf(den, 0) {
		num, den = 0, 0
		for _, c := range nb {
			num += m.y[c.idx]
			den++
		}
	}
	dst[i] = num / den
}

// Query returns, for each row of X, the kept-row indices and Euclidean
// distances of its nearest neighbours (n×k row-major, k = min(Neighbors,
// kept rows)), nearest first. It returns k. Kept rows are numbered in their
// Fit order after dropping zero-weight rows and sampling.
func (m *KNN) Query(X [][]float64) (idx []int, dist []float64, k int, err error) {
	if m.n == 0 {
		return nil, nil, 0, models.ErrNotFitted
	}
	nq := 0
	if len(X) > 0 {
		nq = len(X[0])
	}
	if err := models.CheckPredict(make([]float64, nq), X, m.p, 0); err != nil {
		return nil, nil, 0, err
	}
	if err := checkFinite(X); err != nil {
		return nil, nil, 0, err
	}
	k, _, err = m.config()
	if err != nil {
		return nil, nil, 0, err
	}
	k = min(k, m.n)
	idx, dist = make([]int, nq*k), make([]float64, nq*k)
	s := m.newScratch(k)
	for lo := 0; lo < nq; lo += queryBlock {
		hi := min(lo+queryBlock, nq)
		m.searchBlock(s, X, lo, hi)
		for r := 0; r < hi-lo; r++ {
			for t, c := range s.heap[r*k : (r+1)*k] {
				idx[(lo+r)*k+t] = c.idx
				dist[(lo+r)*k+t] = math.Sqrt(c.d2)
			}
		}
	}
	return idx, dist, k, nil
}

// checkFinite reports the first NaN or infinite value of X, naming its
// feature and row.
func checkFinite(X [][]float64) error {
	for j, col := range X {
		for i, v := range col {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: feature %d row %d is %v (knn needs the dense, imputed view)", models.ErrData, j, i, v)
			}
		}
	}
	return nil
}
