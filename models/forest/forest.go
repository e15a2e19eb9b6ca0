package forest

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/automl-agent/automl/models"

	"github.com/automl-agent/automl/internal/par"
)

// Forest is a random forest, an extra-trees ensemble or a single CART tree
// on histogram bins. Make one with New, NewRandomForest, NewExtraTrees or
// NewCART. Fit is not safe for concurrent use; Predict, Importances and
// MarshalBinary are, once Fit (or UnmarshalBinary) has returned.
type Forest struct {
	cfg        Config
	features   int
	numClasses int
	catWords   []uint8
	trees      []tree
	imp        []float64
	oob        []float64
}

// Compile-time checks of the optional capabilities.
var (
	_ models.Model       = (*Forest)(nil)
	_ models.Importancer = (*Forest)(nil)
	_ models.Sizer       = (*Forest)(nil)
)

// SizeBytes implements models.Sizer: the trees' nodes, leaf values and
// category sets, and the importances and out-of-bag predictions.
func (f *Forest) SizeBytes() int64 {
	n := int64(len(f.imp)+len(f.oob)) * 8
	for i := range f.trees {
		t := &f.trees[i]
		n += int64(len(t.nodes))*int64(unsafe.Sizeof(node{})) + int64(len(t.values)+len(t.cats))*8
	}
	return n
}

// New returns an unfitted Forest with configuration c. A bad value is an
// error wrapping models.ErrParam.
func New(c Config) (*Forest, error) {
	if c.Kind == 0 {
		c.Kind = RandomForest
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return &Forest{cfg: c}, nil
}

// NewRandomForest makes a random forest from params (see Config for names).
func NewRandomForest(p models.Params) (*Forest, error) { return fromParams(RandomForest, p) }

// NewExtraTrees makes an extra-trees ensemble from params (see Config).
func NewExtraTrees(p models.Params) (*Forest, error) { return fromParams(ExtraTrees, p) }

// NewCART makes a single decision tree from params (see Config;
// n_estimators, max_features and bootstrap are ignored).
func NewCART(p models.Params) (*Forest, error) { return fromParams(CART, p) }

func fromParams(k Kind, p models.Params) (*Forest, error) {
	c, err := ConfigFromParams(k, p)
	if err != nil {
		return nil, err
	}
	return New(c)
}

// Config returns the configuration the forest was made with.
func (m *Forest) Config() Config { return m.cfg }

// NumTrees returns the number of fitted trees (0 before Fit).
func (m *Forest) NumTrees() int { return len(m.trees) }

// NumNodes returns the total number of nodes of the fitted trees.
func (m *Forest) NumNodes() int {
	n := 0
	for i := range m.trees {
		n += len(m.trees[i].nodes)
	}
	return n
}

// jobs resolves the configured parallelism.
func (m *Forest) jobs() int {
	if m.cfg.Jobs > 0 {
		return m.cfg.Jobs
	}
	return runtime.GOMAXPROCS(0)
}

// Fit grows the trees on d. Trees grow in parallel on Config.Jobs
// goroutines; tree t draws from its own stream rand.NewPCG(Seed, t), so the
// result does not depend on the parallelism. It uses d.Bins when set and
// bins d.X itself otherwise (models.NewBinned). Rows of weight 0 are
// ignored. Fit returns ctx.Err() if ctx ends first, leaving m unfitted.
//
// An unset min_samples_leaf means 1, except for regression on more than
// 10,000 rows, where it means 5 (as ranger's regression default).
func (m *Forest) Fit(ctx context.Context, d *models.Data) error {
	m.trees, m.imp, m.oob = nil, nil, nil
	if err := d.Check(); err != nil {
		return err
	}
	cfg := m.cfg
	if cfg.MinSamplesLeaf == 0 && d.NumClasses == 0 && d.Rows() > largeRegression {
		// Unlimited regression trees on many rows have a leaf per row or
		// two: ranger's regression default of 5 rows per leaf makes the
		// forest about five times smaller at no measurable cost.
		cfg.MinSamplesLeaf = 5
	}
	cfg = cfg.withDefaults()
	ts, err := newTrainSet(d, cfg)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	tries := cfg.tries(ts.f, ts.k)
	nt := cfg.Trees
	trees := make([]tree, nt)
	imps := make([][]float64, nt)
	var inbag [][]uint64
	if cfg.OOB && cfg.bootstrap() {
		inbag = make([][]uint64, nt)
		for t := range inbag {
			inbag[t] = make([]uint64, (ts.n+63)/64)
		}
	}
	workers := min(m.jobs(), nt)
	var next atomic.Int64
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			g := newGrower(ts, cfg, tries)
			for {
				t := int(next.Add(1) - 1)
				if t >= nt {
					return
				}
				if err := ctx.Err(); err != nil {
					errs[w] = err
					return
				}
				var in []uint64
				if inbag != nil {
					in = inbag[t]
				}
				tr, imp, err := g.grow(ctx, t, in)
				if err != nil {
					errs[w] = err
					return
				}
				trees[t], imps[t] = tr, imp
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	imp := make([]float64, ts.f)
	for _, ti := range imps {
		for j, v := range ti {
			imp[j] += v
		}
	}
	normalize(imp)
	m.features, m.numClasses, m.catWords = ts.f, ts.k, ts.catWords
	m.trees, m.imp = trees, imp
	if inbag != nil {
		if d.X == nil {
			m.trees, m.imp = nil, nil
			return fmt.Errorf("%w: out-of-bag predictions need Data.X, not bins alone", models.ErrData)
		}
		var err error
		if m.oob, err = m.outOfBag(d.X, inbag); err != nil {
			return err
		}
	}
	return nil
}

// outOfBag returns, for every training row, the mean prediction of the
// trees that did not train on it (NaN where every tree did). A panic in a
// worker is an error wrapping par.ErrPanic.
func (m *Forest) outOfBag(X [][]float64, inbag [][]uint64) ([]float64, error) {
	n := len(X[0])
	k := max(1, m.numClasses)
	out := make([]float64, n*k)
	bs := predictBlock(n, m.jobs())
	blocks := (n + bs - 1) / bs
	err := par.For(m.jobs(), blocks, func(b int) {
		lo, hi := b*bs, min(n, (b+1)*bs)
		for i := lo; i < hi; i++ {
			row := out[i*k : (i+1)*k]
			cnt := 0
			for t := range m.trees {
				if inbag[t][i>>6]&(1<<(i&63)) != 0 {
					continue
				}
				tr := &m.trees[t]
				lf := tr.leaf(X, i, m.catWords)
				if m.numClasses == 0 {
					row[0] += lf.thr
				} else {
					tr.addLeaf(row, lf)
				}
				cnt++
			}
			for c := range row {
				if cnt == 0 {
					row[c] = math.NaN()
				} else {
					row[c] /= float64(cnt)
				}
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// OOBPrediction returns the out-of-bag predictions of the training rows
// (same layout as Predict; NaN for a row that every tree trained on), or
// nil unless the forest was fitted with Config.OOB on bootstrap samples.
// They are an honest estimate of the forest on unseen rows, usable like
// out-of-fold predictions. They are not saved by MarshalBinary.
func (m *Forest) OOBPrediction() []float64 {
	if m.oob == nil {
		return nil
	}
	return append([]float64(nil), m.oob...)
}

// normalize scales v to sum 1 (left as is if the sum is 0).
func normalize(v []float64) {
	var s float64
	for _, x := range v {
		s += x
	}
	if s > 0 {
		for j := range v {
			v[j] /= s
		}
	}
}

// newTrainSet checks and gathers what the growers read.
func newTrainSet(d *models.Data, cfg Config) (*trainSet, error) {
	n, f := d.Rows(), d.NumFeatures()
	ts := &trainSet{n: n, f: f, k: d.NumClasses, w: d.W}
	if n > 1<<31-1 {
		return nil, fmt.Errorf("%w: %d rows, at most 2^31-1", models.ErrData, n)
	}
	if f > maxFeatures {
		return nil, fmt.Errorf("%w: %d features, at most %d", models.ErrData, f, maxFeatures)
	}
	bins := d.Bins
	if bins == nil {
		var err error
		if bins, err = models.NewBinned(d.X, d.Categories, cfg.MaxBins); err != nil {
			return nil, err
		}
	}
	if bins.N != n || len(bins.Codes) != f || len(bins.Uppers) != f {
		return nil, fmt.Errorf("%w: Bins has %d rows and %d features, data has %d and %d",
			models.ErrData, bins.N, len(bins.Codes), n, f)
	}
	ts.codes, ts.uppers = bins.Codes, make([][]float64, f)
	ts.catWords = make([]uint8, f)
	for j := range f {
		col := bins.Codes[j]
		if len(col) != n {
			return nil, fmt.Errorf("%w: Bins feature %d has %d rows, want %d", models.ErrData, j, len(col), n)
		}
		if bins.IsCategorical(j) || bins.Uppers[j] == nil {
			hi := 0
			for _, c := range col {
				if c != models.MissingBin {
					hi = max(hi, int(c))
				}
			}
			ts.catWords[j] = uint8(hi/64 + 1)
			continue
		}
		up := bins.Uppers[j]
		if len(up) == 0 || len(up) > models.MaxBins {
			return nil, fmt.Errorf("%w: Bins feature %d has %d edges", models.ErrData, j, len(up))
		}
		for i, c := range col {
			if c != models.MissingBin && int(c) >= len(up) {
				return nil, fmt.Errorf("%w: Bins feature %d row %d has code %d, only %d bins", models.ErrData, j, i, c, len(up))
			}
		}
		ts.uppers[j] = up
	}
	if ts.k == 0 {
		ts.stride = 3
		ts.y = d.Y
	} else {
		ts.stride = ts.k + 1
		ts.cls = make([]int32, n)
		for i, y := range d.Y {
			ts.cls[i] = int32(y)
		}
	}
	var tw float64
	for i := range n {
		tw += d.Weight(i)
	}
	if !(tw > 0) {
		return nil, fmt.Errorf("%w: total sample weight is 0", models.ErrData)
	}
	return ts, nil
}

// Bounds of the number of rows a prediction goroutine takes at a time. Big
// blocks reuse each tree's nodes from cache over more rows (4096 rows
// predicted 2x faster than 256 on deep trees); small ones spread small
// inputs over the goroutines. Results do not depend on the block size.
const (
	minPredictBlock = 256
	maxPredictBlock = 4096
)

// parallelRows is the least number of rows Predict spreads over
// goroutines. Below it the caller's goroutine predicts alone: a small
// batch gains little from a fan-out, and concurrent callers (a server
// answering one record per request) would queue behind each other's
// goroutines, which stretches the tail latency.
const parallelRows = 2048

// predictBlock returns the block size for n rows on workers goroutines.
func predictBlock(n, workers int) int {
	return max(minPredictBlock, min(maxPredictBlock, (n+workers-1)/max(1, workers)))
}

// Predict writes predictions for the rows of X (column-major) into dst: n
// values for regression (mean of the trees) or n*K class probabilities,
// row-major (mean of the trees' leaf class frequencies). NaN follows each
// split's learned missing direction; a categorical value that is negative,
// NaN or above every training code does too. Batches of at least
// parallelRows rows are split into blocks predicted in parallel; smaller
// ones run on the caller's goroutine. The result does not depend on the
// parallelism.
func (m *Forest) Predict(dst []float64, X [][]float64) error {
	if len(m.trees) == 0 {
		return models.ErrNotFitted
	}
	if err := models.CheckPredict(dst, X, m.features, m.numClasses); err != nil {
		return err
	}
	n := len(X[0])
	workers := m.jobs()
	if n < parallelRows {
		workers = 1
	}
	bs := predictBlock(n, workers)
	blocks := (n + bs - 1) / bs
	return par.For(workers, blocks, func(b int) {
		m.predictRange(dst, X, b*bs, min(n, (b+1)*bs))
	})
}

// predictRange predicts rows lo..hi-1, tree by tree (a block's rows stay in
// cache while a tree's nodes stream through).
func (m *Forest) predictRange(dst []float64, X [][]float64, lo, hi int) {
	k := max(1, m.numClasses)
	out := dst[lo*k : hi*k]
	clear(out)
	for t := range m.trees {
		tr := &m.trees[t]
		if k == 1 {
			for i := lo; i < hi; i++ {
				out[i-lo] += tr.leaf(X, i, m.catWords).thr
			}
			continue
		}
		for i := lo; i < hi; i++ {
			tr.addLeaf(out[(i-lo)*k:(i-lo+1)*k], tr.leaf(X, i, m.catWords))
		}
	}
	if len(m.trees) == 1 {
		return
	}
	nt := float64(len(m.trees))
	for i := range out {
		out[i] /= nt
	}
}

// Importances returns the mean decrease in impurity per feature: each
// tree's weighted impurity decreases (Gini or variance) summed per feature
// and normalized to 1, averaged over trees, normalized to sum 1 (all zero if
// no tree split). It returns nil before Fit.
func (m *Forest) Importances() []float64 {
	if m.imp == nil {
		return nil
	}
	out := make([]float64, len(m.imp))
	copy(out, m.imp)
	return out
}

// largeRegression is the row count above which regression forests default
// to 5 rows per leaf.
const largeRegression = 10_000
