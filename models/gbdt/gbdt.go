package gbdt

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"time"
	"unsafe"

	"github.com/automl-agent/automl/internal/par"
	"github.com/automl-agent/automl/models"
)

// Model is a histogram gradient-boosted tree ensemble. Make one with New;
// the zero value is not usable. After Fit returns, Predict and
// Importances are safe for concurrent use; Fit must not run concurrently
// with anything else on the same Model.
type Model struct {
	cfg config

	// Fitted state (serialized).
	nf         int
	numClasses int
	obj        uint8
	k          int       // trees per round: 1, or NumClasses for multiclass
	base       []float64 // initial raw score per output
	trees      []tree    // round r, output c is trees[r*k+c]
	imp        []float64
	bestIter   int // rounds kept (early stopping), = len(trees)/k

	forest *forest // prediction layout of trees, built by Fit and UnmarshalBinary
}

// New returns an unfitted model with hyperparameters p (absent names take
// their defaults):
//
//	objective              "" (by task: squared / binary / multiclass), "squared",
//	                       "huber", "absolute", "binary", "multiclass"
//	num_rounds             100 boosting rounds when early stopping does not
//	                       apply (off, or too few rows)
//	learning_rate          0.1
//	max_leaves             31 (leaf-wise growth, best leaf first)
//	max_depth              0 = unlimited (-1 too)
//	min_data_in_leaf       20 rows (estimated from hessians, as LightGBM)
//	min_child_weight       1e-3 (least hessian sum in a child)
//	lambda_l2, lambda_l1   1, 0
//	min_split_gain         0
//	bagging_fraction       1 (row subsample per round, without replacement)
//	feature_fraction       1 (feature subsample per tree)
//	max_bins               255 (only when Fit bins the data itself)
//	early_stopping_rounds  50: stop after this many rounds without a lower
//	                       validation loss and keep the best round; 0 = off
//	                       (then Data.Valid is ignored and num_rounds run)
//	max_rounds             2000: upper bound of rounds when early stopping applies
//	early_stopping_min_rows 10000: with fewer training rows and no Data.Valid,
//	                       no validation split is carved and num_rounds run
//	validation_fraction    0.1: share of the training rows held out for early
//	                       stopping when Data.Valid is nil (at least 50 rows or a
//	                       quarter, at most 10,000; stratified by class)
//	cat_smooth, cat_l2     10, 10 (categorical splits)
//	max_cat_to_onehot      4 (fewer categories: one-vs-rest splits)
//	max_cat_threshold      32 (most categories on the left of a split)
//	min_data_per_group     10 (rarer categories always go right)
//	huber_delta            1
//	seed                   0 (>= 0): seeds the row bagging, the feature sampling
//	                       and the validation split; a fixed seed gives the same
//	                       model at any GOMAXPROCS
//	threads                0 = GOMAXPROCS
//	time_limit             0 = none; else the seconds boosting may take: Fit
//	                       stops adding rounds once they are spent and keeps
//	                       the rounds so far (the best ones with a validation
//	                       set). The result then depends on the machine's
//	                       speed; the search sets it only on timed runs of
//	                       big tables.
//
// A bad name or value is an error wrapping models.ErrParam.
func New(p models.Params) (*Model, error) {
	c, err := parseConfig(p)
	if err != nil {
		return nil, err
	}
	return &Model{cfg: c}, nil
}

// Fit trains the ensemble on d. If d.Bins is nil it bins d.X itself (with
// max_bins); otherwise it uses d.Bins as is (shared, read-only).
//
// Early stopping applies when early_stopping_rounds > 0 (the default) and
// either d.Valid is set or d has at least early_stopping_min_rows rows.
// Then Fit runs up to max_rounds rounds, stops when early_stopping_rounds
// rounds in a row have not lowered the loss on the validation set, and
// keeps the trees of the best round (it does not refit). The validation
// set is d.Valid when the caller gives one; otherwise Fit holds out
// validation_fraction of d's rows (stratified by class, drawn with seed)
// and trains on the others, so the held-out rows of a cross-validation
// fold are never seen. Otherwise num_rounds rounds run on all rows and
// d.Valid is ignored. RefitParams reports the rounds kept either way.
//
// Fit checks ctx between trees and returns ctx.Err() if it is cancelled.
// A panic inside Fit, on its goroutine or one of its workers, is returned
// as an error (naming the panic value) instead of ending the process; the
// model is then unfitted.
func (m *Model) Fit(ctx context.Context, d *models.Data) (err error) {
	defer par.Recover(&err)
	m.forest = nil // unfitted until the end
	if err := d.Check(); err != nil {
		return err
	}
	obj, ok := objectiveCode(m.cfg.objective, d.NumClasses)
	if !ok {
		return fmt.Errorf("%w: objective %q with NumClasses %d", models.ErrTask, m.cfg.objective, d.NumClasses)
	}
	n, nf := d.Rows(), d.NumFeatures()
	if n >= math.MaxInt32 {
		return fmt.Errorf("%w: %d rows, at most %d", models.ErrData, n, math.MaxInt32-1)
	}
	bins := d.Bins
	if bins == nil {
		if bins, err = models.NewBinned(d.X, d.Categories, m.cfg.maxBins); err != nil {
			return err
		}
	} else if err := checkBins(bins, n, nf); err != nil {
		return err
	}
	c := &m.cfg
	train := rowSet{bins: bins, y: d.Y, w: d.W}
	var valid *rowSet
	switch {
	case c.earlyStop == 0:
	case d.Valid != nil:
		if valid, err = checkValid(d.Valid, bins, nf, d.NumClasses); err != nil {
			return err
		}
	case n >= c.esMinRows:
		if vr := validationRows(d.Y, d.NumClasses, c.validFraction, c.seed); vr != nil {
			var tr *rowSet
			tr, valid = train.split(vr)
			train = *tr
		}
	}
	rounds := c.rounds
	if valid != nil {
		rounds = c.maxRounds
	}
	n = train.bins.N
	bins = train.bins

	k := 1
	if obj == objMulticlass {
		k = d.NumClasses
	}
	m.nf, m.numClasses, m.obj, m.k = nf, d.NumClasses, obj, k
	m.base = baseScores(obj, k, train.y, train.w)
	m.trees = m.trees[:0]
	m.forest = nil
	score := make([]float64, n*k)
	for i := range score {
		score[i] = m.base[i%k]
	}
	var vscore []float64
	if valid != nil {
		vscore = make([]float64, valid.bins.N*k)
		for i := range vscore {
			vscore[i] = m.base[i%k]
		}
	}
	var prob []float64
	if obj == objMulticlass {
		prob = make([]float64, n*k)
	}

	threads := c.threads
	if threads == 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	g := newGrower(c, bins, threads)
	defer g.close()
	rng := rand.New(rand.NewPCG(c.seed, 0x6762647421))
	bestLoss, bestRound := math.Inf(1), 0
	treeLeaf := make([]int32, n) // leaf of each row in the last tree (without bagging)
	start := time.Now()
	for round := 0; round < rounds; round++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if c.timeLimit > 0 && round > 0 && time.Since(start).Seconds() > c.timeLimit {
			break // out of its time: keep the rounds so far (the best, with validation)
		}
		rows, all := n, true
		if c.bagging < 1 {
			rows, all = 0, false
			for i := range n {
				if rng.Float64() < c.bagging {
					g.idx[rows] = int32(i)
					rows++
				}
			}
			if rows == 0 {
				g.idx[0] = int32(rng.IntN(n))
				rows = 1
			}
		}
		for kc := range k {
			if kc > 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			err := g.rowChunks(n, func(lo, hi int) {
				var w, pr []float64
				if train.w != nil {
					w = train.w[lo:hi]
				}
				if prob != nil {
					pr = prob[lo*k : hi*k]
				}
				gradients(obj, g.gh[lo:hi], score[lo*k:hi*k], k, kc, train.y[lo:hi], w, pr, c.huberDelta)
			})
			if err != nil {
				return err
			}
			if all {
				if err := g.rowChunks(n, func(lo, hi int) {
					for i := lo; i < hi; i++ {
						g.idx[i] = int32(i)
					}
				}); err != nil {
					return err
				}
			} else if kc > 0 {
				// The previous class's tree partitioned the bag.
				slices.Sort(g.idx[:rows])
			}
			g.sampleFeatures(rng, nf)
			t, leaves, err := g.grow(rows, all)
			if err != nil {
				return err
			}
			if obj == objAbsolute {
				renewAbsolute(&t, leaves, g.idx, score, train.y, train.w, c.lr)
			}
			if all {
				// Leaves are ranges of idx covering each row once: note each
				// row's leaf (a small array), then add in row order.
				if err := g.forLeaves(n, leaves, func(li int) {
					for _, r := range g.idx[leaves[li].start:leaves[li].end] {
						treeLeaf[r] = int32(li)
					}
				}); err != nil {
					return err
				}
				err = g.rowChunks(n, func(lo, hi int) {
					for i, l := range treeLeaf[lo:hi] {
						score[(lo+i)*k+kc] += t.leaves[l]
					}
				})
			} else {
				err = g.rowChunks(n, func(lo, hi int) {
					for i := lo; i < hi; i++ {
						score[i*k+kc] += t.leaves[t.leafBinned(bins.Codes, i)]
					}
				})
			}
			if err != nil {
				return err
			}
			if valid != nil {
				err := g.rowChunks(valid.bins.N, func(lo, hi int) {
					for i := lo; i < hi; i++ {
						vscore[i*k+kc] += t.leaves[t.leafBinned(valid.bins.Codes, i)]
					}
				})
				if err != nil {
					return err
				}
			}
			m.trees = append(m.trees, t)
		}
		if valid != nil {
			l := loss(obj, vscore, k, valid.y, valid.w, c.huberDelta)
			if l < bestLoss {
				bestLoss, bestRound = l, round+1
			} else if round+1-bestRound >= c.earlyStop {
				break
			}
		}
	}
	if valid != nil && bestRound > 0 {
		m.trees = m.trees[:bestRound*k]
	}
	m.bestIter = len(m.trees) / k
	m.forest = buildForest(m.trees, k)
	m.imp = make([]float64, nf)
	for i := range m.trees {
		for _, nd := range m.trees[i].nodes {
			m.imp[nd.feature] += float64(nd.gain)
		}
	}
	return nil
}

// rowSet is the part of the training data the boosting loop reads.
type rowSet struct {
	bins *models.Binned
	y, w []float64 // w nil: every weight is 1
}

// split returns the rows of s not in valid (sorted row indices) and the
// rows in it, both copied in row order.
func (s *rowSet) split(valid []int) (train, held *rowSet) {
	in := make([]bool, s.bins.N)
	for _, i := range valid {
		in[i] = true
	}
	rest := make([]int, 0, s.bins.N-len(valid))
	for i, v := range in {
		if !v {
			rest = append(rest, i)
		}
	}
	return s.subset(rest), s.subset(valid)
}

func (s *rowSet) subset(rows []int) *rowSet {
	out := &rowSet{bins: s.bins.Subset(rows), y: make([]float64, len(rows))}
	for k, i := range rows {
		out.y[k] = s.y[i]
	}
	if s.w != nil {
		out.w = make([]float64, len(rows))
		for k, i := range rows {
			out.w[k] = s.w[i]
		}
	}
	return out
}

// checkValid checks a caller's validation set against the training data
// and bins it with the training edges unless it comes binned.
func checkValid(v *models.Data, bins *models.Binned, nf, numClasses int) (*rowSet, error) {
	if err := v.Check(); err != nil {
		return nil, fmt.Errorf("validation data: %w", err)
	}
	if len(v.X) != nf || v.NumClasses != numClasses {
		return nil, fmt.Errorf("%w: validation data has %d features and %d classes, training %d and %d",
			models.ErrData, len(v.X), v.NumClasses, nf, numClasses)
	}
	vbins := v.Bins
	if vbins == nil {
		var err error
		if vbins, err = bins.Bin(v.X); err != nil {
			return nil, fmt.Errorf("validation data: %w", err)
		}
	} else if err := checkBins(vbins, v.Rows(), nf); err != nil {
		return nil, fmt.Errorf("validation data: %w", err)
	}
	return &rowSet{bins: vbins, y: v.Y, w: v.W}, nil
}

// Bounds of the internal validation split (see validationRows).
const (
	minValidRows = 50
	maxValidRows = 10_000
)

// validationRows picks the rows Fit holds out for early stopping when the
// caller gives no validation set: round(fraction × n) rows, at least
// minValidRows (but never more than a quarter of the rows) and at most
// maxValidRows, drawn with a stream seeded by seed. For classification
// the draw is stratified: each class gives its share (rounded, at least
// one row of a class with two or more, never all of a class's rows), so
// every class that can be in both sets is. It returns the sorted row
// indices, or nil when fewer than 20 rows would be held out (then no
// early stopping: too few rows to judge by).
func validationRows(y []float64, numClasses int, fraction float64, seed uint64) []int {
	n := len(y)
	nv := int(math.Round(fraction * float64(n)))
	nv = max(nv, min(minValidRows, n/4))
	nv = min(nv, maxValidRows)
	if nv < 20 {
		return nil
	}
	rng := rand.New(rand.NewPCG(seed, 0x76616c6964)) // "valid"
	var groups [][]int
	if numClasses == 0 {
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		groups = [][]int{all}
	} else {
		groups = make([][]int, numClasses)
		for i, v := range y {
			groups[int(v)] = append(groups[int(v)], i)
		}
	}
	out := make([]int, 0, nv+len(groups))
	for _, rows := range groups {
		take := int(math.Round(float64(nv) * float64(len(rows)) / float64(n)))
		if len(rows) >= 2 {
			take = min(max(take, 1), len(rows)-1)
		} else {
			take = 0
		}
		// Partial Fisher-Yates: the first take entries are the sample.
		for i := range take {
			j := i + rng.IntN(len(rows)-i)
			rows[i], rows[j] = rows[j], rows[i]
		}
		out = append(out, rows[:take]...)
	}
	slices.Sort(out)
	return out
}

// sampleFeatures picks the features of the next tree (all of them when
// feature_fraction is 1).
func (g *grower) sampleFeatures(rng *rand.Rand, nf int) {
	g.feats = g.feats[:0]
	if g.c.featureFraction >= 1 {
		for j := range nf {
			g.feats = append(g.feats, int32(j))
		}
		g.planTasks()
		return
	}
	want := max(1, int(math.Round(g.c.featureFraction*float64(nf))))
	// Selection sampling keeps the features in order.
	for j := 0; j < nf && len(g.feats) < want; j++ {
		if rng.IntN(nf-j) < want-len(g.feats) {
			g.feats = append(g.feats, int32(j))
		}
	}
	g.planTasks()
}

// renewAbsolute sets each leaf of t to the weighted median of its rows'
// residuals (times lr), as LightGBM does for L1 loss.
func renewAbsolute(t *tree, leaves []leafState, idx []int32, score, y, w []float64, lr float64) {
	var res, wts []float64
	for li, l := range leaves {
		res = res[:0]
		wts = wts[:0]
		for _, r := range idx[l.start:l.end] {
			res = append(res, y[r]-score[r])
			if w != nil {
				wts = append(wts, w[r])
			}
		}
		if len(res) == 0 {
			continue
		}
		var ww []float64
		if w != nil {
			ww = wts
		}
		t.leaves[li] = weightedMedian(res, ww) * lr
	}
}

func checkBins(b *models.Binned, n, nf int) error {
	if b.N != n || len(b.Codes) != nf || len(b.Uppers) != nf {
		return fmt.Errorf("%w: Bins has %d rows and %d features, data %d and %d", models.ErrData, b.N, len(b.Codes), n, nf)
	}
	if b.Categories != nil && len(b.Categories) != nf {
		return fmt.Errorf("%w: Bins has %d category counts for %d features", models.ErrData, len(b.Categories), nf)
	}
	for j, col := range b.Codes {
		if len(col) != n {
			return fmt.Errorf("%w: Bins feature %d has %d rows, want %d", models.ErrData, j, len(col), n)
		}
		if !b.IsCategorical(j) && len(b.Uppers[j]) == 0 {
			return fmt.Errorf("%w: Bins feature %d is numeric but has no edges", models.ErrData, j)
		}
		if !b.IsCategorical(j) && len(b.Uppers[j]) > models.MaxBins {
			return fmt.Errorf("%w: Bins feature %d has %d bins, at most %d", models.ErrData, j, len(b.Uppers[j]), models.MaxBins)
		}
	}
	return nil
}

// Predict writes predictions for the rows of X (column-major, NaN =
// missing): n values for regression, n*K class probabilities row-major for
// classification. Rows are scored in parallel blocks; the result does not
// depend on the parallelism.
func (m *Model) Predict(dst []float64, X [][]float64) error {
	if m.base == nil || m.forest == nil {
		return models.ErrNotFitted
	}
	if err := models.CheckPredict(dst, X, m.nf, m.numClasses); err != nil {
		return err
	}
	n := 0
	if len(X) > 0 {
		n = len(X[0])
	}
	k := m.k
	raw := dst[:n*k]
	m.rawTo(raw, X, n)
	switch m.obj {
	case objBinary:
		for i := n - 1; i >= 0; i-- {
			p := sigmoid(raw[i])
			dst[2*i], dst[2*i+1] = 1-p, p
		}
	case objMulticlass:
		softmaxRows(raw, raw, k)
	}
	return nil
}

// Importances returns the total split gain per feature (nil before Fit).
func (m *Model) Importances() []float64 {
	if m.imp == nil {
		return nil
	}
	return append([]float64(nil), m.imp...)
}

// RefitParams implements models.Refitter: a refit on all rows runs the
// rounds this fit kept (num_rounds = rounds kept, at least 1), with early
// stopping off (early_stopping_rounds = 0), so it neither holds out rows
// nor reads a validation set. The orchestrator averages num_rounds over
// the fold models.
func (m *Model) RefitParams(p models.Params) models.Params {
	return p.Merge(models.Params{"num_rounds": max(1, m.bestIter), "early_stopping_rounds": 0})
}

var _ models.Sizer = (*Model)(nil)

// SizeBytes implements models.Sizer: the trees (nodes, leaf outputs,
// category sets) and their prediction layout.
func (m *Model) SizeBytes() int64 {
	n := int64(len(m.base)+len(m.imp)) * 8
	for i := range m.trees {
		t := &m.trees[i]
		n += int64(len(t.nodes))*int64(unsafe.Sizeof(node{})) + int64(len(t.leaves)+len(t.cats))*8
	}
	if f := m.forest; f != nil {
		n += int64(len(f.nodes))*int64(unsafe.Sizeof(pnode{})) + int64(len(f.vals)+len(f.cats))*8 + int64(len(f.trees))*int64(unsafe.Sizeof(ptree{}))
	}
	return n
}

// NumTrees returns the number of trees kept (rounds × outputs).
func (m *Model) NumTrees() int { return len(m.trees) }
