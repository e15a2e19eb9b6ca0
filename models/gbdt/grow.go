package gbdt

import (
	"math"

	"github.com/automl-agent/automl/internal/par"
	"github.com/automl-agent/automl/models"
)

// bin is one histogram cell: sums of gradients and hessians.
type bin struct{ g, h float64 }

// histBins is the histogram stride per feature (255 value bins + missing).
const histBins = 256

// parallelWork is the feature-task work of a node (see nodeWork) from
// which its tasks are spread over the pool. A loop on the pool costs about
// a microsecond while the workers spin (par.Spin), against roughly a
// nanosecond per unit of work, so nodes of a few hundred rows on 40
// features already pay: split finding over every bin of every feature
// weighs as much there as the histogram pass.
const parallelWork = 16 << 10

// split is the best split found for a leaf (feature -1: none).
type split struct {
	gain    float64
	lg, lh  float64
	rg, rh  float64
	set     [4]uint64 // categorical: codes going left
	feature int32
	thr     uint8
	defLeft bool
	cat     bool
}

// leafInfo holds what split finding needs to know about a leaf.
type leafInfo struct {
	G, H   float64
	minH   float64 // least child hessian (min_child_weight and min_data_in_leaf)
	cf     float64 // rows per unit of hessian, to estimate counts
	pscore float64 // G²/(H+λ) with L1 thresholding
	split  bool    // look for a split at all
}

// leafState is a leaf of the tree being grown.
type leafState struct {
	start, end int // its rows: grower.idx[start:end]
	depth      int
	G, H       float64
	hist       []bin // nil when the leaf will not be split
	best       split
	parent     int32 // node whose child this leaf is (-1 for the root)
	isLeft     bool
}

// task is the per-node job the feature workers run.
type task struct {
	small, large []bin
	rows         []int32 // nil: all rows in order (root without bagging)
	ogh          []gpair
	sInfo, lInfo leafInfo
}

// grower builds one tree at a time on fixed binned data. It owns all
// scratch memory, so growing a tree allocates only the tree itself.
type grower struct {
	c       *config
	codes   [][]uint8
	uppers  [][]float64
	nbins   []int
	isCat   []bool
	n       int
	idx     []int32
	scratch []int32
	gh      []gpair
	ogh     []gpair
	free    [][]bin
	feats   []int32
	resA    []split
	resB    []split
	leaves  []leafState
	task    task
	imp     []float64

	// serialTasks and parTasks cut g.feats into feature tasks for nodes
	// built on one goroutine or on the pool (see planTasks).
	serialTasks, parTasks []featureRange

	// pool runs the per-node feature tasks, the partition and the
	// per-row loops of Fit; nil when growing runs on one goroutine.
	pool *par.Pool
}

func newGrower(c *config, b *models.Binned, threads int) *grower {
	nf := len(b.Codes)
	g := &grower{
		c: c, codes: b.Codes, uppers: b.Uppers, n: b.N,
		nbins:   make([]int, nf),
		isCat:   make([]bool, nf),
		idx:     make([]int32, b.N),
		scratch: make([]int32, b.N),
		gh:      make([]gpair, b.N),
		ogh:     make([]gpair, b.N),
		feats:   make([]int32, 0, nf),
		resA:    make([]split, nf),
		resB:    make([]split, nf),
		leaves:  make([]leafState, 0, c.maxLeaves),
		imp:     make([]float64, nf),
	}
	for j := range nf {
		g.nbins[j] = b.NumBins(j)
		g.isCat[j] = b.IsCategorical(j)
	}
	if threads > 1 {
		g.pool = par.NewPool(threads)
	}
	return g
}

// close stops the workers.
func (g *grower) close() {
	if g.pool != nil {
		g.pool.Close()
	}
}

// parallel reports whether g has workers besides the caller.
func (g *grower) parallel() bool { return g.pool != nil }

// testHookFeatureTask, when set by a test, runs at the start of every
// feature task (on whichever goroutine runs it).
var testHookFeatureTask func(i int)

// runTask runs featureTask over g.feats, in parallel when the node is big.
// A panic in a task (on any goroutine) is returned as an error wrapping
// par.ErrPanic.
func (g *grower) runTask(rows int) (err error) {
	if !g.parallel() || len(g.feats) < 2 || g.nodeWork(rows) < parallelWork {
		defer par.Recover(&err)
		for i := range g.serialTasks {
			g.featureTask(g.serialTasks[i])
		}
		return nil
	}
	return g.pool.For(len(g.parTasks), func(i int) { g.featureTask(g.parTasks[i]) })
}

// nodeWork estimates the work of g.task's feature tasks on a node of rows
// rows, in histogram updates (one row of one feature): the pass over the
// rows, plus one unit per bin for the small child's split search, and for
// the large child's subtraction and search when they run.
func (g *grower) nodeWork(rows int) int {
	per := rows
	if g.task.sInfo.split {
		per += histBins
	}
	if g.task.large != nil {
		per += histBins / 2
		if g.task.lInfo.split {
			per += histBins
		}
	}
	return per * len(g.feats)
}

// forLeaves calls f(li) for every leaf of a tree grown on rows rows, on
// the pool when there are many (f must touch only its leaf's rows). A
// panic in f is returned as an error.
func (g *grower) forLeaves(rows int, leaves []leafState, f func(li int)) (err error) {
	if !g.parallel() || len(leaves) < 2 || rows < 2*parallelPartition {
		defer par.Recover(&err)
		for li := range leaves {
			f(li)
		}
		return nil
	}
	return g.pool.For(len(leaves), f)
}

// rowChunks calls f on contiguous chunks of [0, n) at once (rows of at
// least 16k each, at most one per thread); for per-row work the result
// does not depend on the split. A panic in f is returned as an error.
func (g *grower) rowChunks(n int, f func(lo, hi int)) (err error) {
	parts := 1
	if g.parallel() {
		parts = min(n/(16<<10), g.pool.Threads())
	}
	if parts <= 1 {
		defer par.Recover(&err)
		f(0, n)
		return nil
	}
	return g.pool.For(parts, func(p int) { f(p*n/parts, (p+1)*n/parts) })
}

func (g *grower) alloc() []bin {
	if k := len(g.free); k > 0 {
		h := g.free[k-1]
		g.free = g.free[:k-1]
		return h
	}
	return make([]bin, len(g.codes)*histBins)
}

func (g *grower) release(h []bin) {
	if h != nil {
		g.free = append(g.free, h)
	}
}

// featureGroup is the number of features whose histograms one pass over
// the rows builds (one gradient load and conversion per row for all of
// them, and independent accumulation chains).
const featureGroup = 4

// featureRange is a feature task: the features g.feats[lo:hi].
type featureRange struct{ lo, hi int32 }

// planTasks cuts g.feats into feature tasks. Serial nodes take groups of
// featureGroup (the fastest kernel). Parallel nodes take as many full
// groups as divide evenly among the threads, then single features, so the
// threads finish together even with few features: on 2 threads, 5
// features as 4+1 take 4/5 of the serial time, as singles 3/5; 12 as
// 4, 4, 4 take 8/12, as 4, 4, 1, 1, 1, 1 take 6/12. A feature's histogram
// is summed in row order whatever its task, so the plan does not change
// the model.
func (g *grower) planTasks() {
	nf := len(g.feats)
	g.serialTasks = g.serialTasks[:0]
	for lo := 0; lo < nf; lo += featureGroup {
		g.serialTasks = append(g.serialTasks, featureRange{int32(lo), int32(min(lo+featureGroup, nf))})
	}
	g.parTasks = g.parTasks[:0]
	if !g.parallel() {
		return
	}
	threads := g.pool.Threads()
	groups := nf / featureGroup / threads * threads
	for k := range groups {
		g.parTasks = append(g.parTasks, featureRange{int32(k * featureGroup), int32((k + 1) * featureGroup)})
	}
	for f := groups * featureGroup; f < nf; f++ {
		g.parTasks = append(g.parTasks, featureRange{int32(f), int32(f + 1)})
	}
}

// featureTask builds the small child's histograms of features
// g.feats[i*featureGroup:][:featureGroup], derives the large child's by
// subtraction when asked, and finds the best split of each child on each
// of those features.
func (g *grower) featureTask(r featureRange) {
	if testHookFeatureTask != nil {
		testHookFeatureTask(int(r.lo))
	}
	t := &g.task
	lo, hi := int(r.lo), int(r.hi)
	var hs [featureGroup]*[histBins]bin
	var cols [featureGroup][]uint8
	for f := lo; f < hi; f++ {
		j := g.feats[f]
		h := (*[histBins]bin)(t.small[int(j)*histBins:])
		clear(h[:g.nbins[j]])
		h[models.MissingBin] = bin{}
		hs[f-lo] = h
		cols[f-lo] = g.codes[j]
	}
	switch {
	case hi-lo == featureGroup && t.rows == nil:
		histAll4(hs[0], hs[1], hs[2], hs[3], cols[0], cols[1], cols[2], cols[3], t.ogh)
	case hi-lo == featureGroup:
		histRows4(hs[0], hs[1], hs[2], hs[3], cols[0], cols[1], cols[2], cols[3], t.rows, t.ogh)
	default:
		for f := range hi - lo {
			if t.rows == nil {
				histAll(hs[f], cols[f], t.ogh)
			} else {
				histRows(hs[f], cols[f], t.rows, t.ogh)
			}
		}
	}
	for f := lo; f < hi; f++ {
		g.splitFeature(f, hs[f-lo])
	}
}

// splitFeature finds the best splits on feature g.feats[f] of the small
// child (histogram hs, already built) and of the large child.
func (g *grower) splitFeature(f int, hs *[histBins]bin) {
	t := &g.task
	j := g.feats[f]
	nb := g.nbins[j]
	g.resA[f].feature = -1
	if t.sInfo.split {
		g.findBest(&g.resA[f], hs, j, nb, &t.sInfo)
	}
	if t.large == nil {
		return
	}
	hl := (*[histBins]bin)(t.large[int(j)*histBins:])
	sub := hl[:nb]
	src := hs[:len(sub)]
	for b := range sub {
		sub[b].g -= src[b].g
		sub[b].h -= src[b].h
	}
	hl[models.MissingBin].g -= hs[models.MissingBin].g
	hl[models.MissingBin].h -= hs[models.MissingBin].h
	g.resB[f].feature = -1
	if t.lInfo.split {
		g.findBest(&g.resB[f], hl, j, nb, &t.lInfo)
	}
}

// histAll4 is histAll for four features at once.
//
//go:noinline
func histAll4(h0, h1, h2, h3 *[histBins]bin, c0, c1, c2, c3 []uint8, gh []gpair) {
	n := len(gh)
	c0, c1, c2, c3 = c0[:n], c1[:n], c2[:n], c3[:n]
	// Slices of the arrays: no nil check per row.
	s0, s1, s2, s3 := h0[:], h1[:], h2[:], h3[:]
	for i, p := range gh {
		g, h := float64(p.g), float64(p.h)
		q := &s0[c0[i]]
		q.g += g
		q.h += h
		q = &s1[c1[i]]
		q.g += g
		q.h += h
		q = &s2[c2[i]]
		q.g += g
		q.h += h
		q = &s3[c3[i]]
		q.g += g
		q.h += h
	}
}

// histRows4 is histRows for four features at once.
//
//go:noinline
func histRows4(h0, h1, h2, h3 *[histBins]bin, c0, c1, c2, c3 []uint8, rows []int32, ogh []gpair) {
	ogh = ogh[:len(rows)]
	// Equal lengths let one bounds check cover all four columns.
	n := len(c0)
	c1, c2, c3 = c1[:n], c2[:n], c3[:n]
	// Slices of the arrays: no nil check per row.
	s0, s1, s2, s3 := h0[:], h1[:], h2[:], h3[:]
	for i, r := range rows {
		p := ogh[i]
		g, h := float64(p.g), float64(p.h)
		q := &s0[c0[r]]
		q.g += g
		q.h += h
		q = &s1[c1[r]]
		q.g += g
		q.h += h
		q = &s2[c2[r]]
		q.g += g
		q.h += h
		q = &s3[c3[r]]
		q.g += g
		q.h += h
	}
}

// histAll accumulates all rows in order (the root without bagging).
func histAll(h *[histBins]bin, col []uint8, gh []gpair) {
	gh = gh[:len(col)]
	for i, b := range col {
		p := &h[b]
		p.g += float64(gh[i].g)
		p.h += float64(gh[i].h)
	}
}

// histRows accumulates the listed rows; ogh holds their gradients in the
// same order.
func histRows(h *[histBins]bin, col []uint8, rows []int32, ogh []gpair) {
	ogh = ogh[:len(rows)]
	for i, r := range rows {
		p := &h[col[r]]
		p.g += float64(ogh[i].g)
		p.h += float64(ogh[i].h)
	}
}

// thresholdL1 soft-thresholds a gradient sum.
func thresholdL1(s, l1 float64) float64 {
	if s > l1 {
		return s - l1
	}
	if s < -l1 {
		return s + l1
	}
	return 0
}

func (g *grower) leafScore(G, H float64) float64 {
	if g.c.l1 > 0 {
		G = thresholdL1(G, g.c.l1)
	}
	return G * G / (H + g.c.l2)
}

// info fills the split-finding context of a leaf with rows rows.
func (g *grower) info(G, H float64, rows, depth int) leafInfo {
	c := g.c
	li := leafInfo{G: G, H: H, pscore: g.leafScore(G, H)}
	li.split = (c.maxDepth == 0 || depth < c.maxDepth) && rows >= 2*max(c.minDataInLeaf, 1) && H > 0 && H >= 2*c.minChildWeight
	if H > 0 {
		li.cf = float64(rows) / H
		li.minH = max(c.minChildWeight, float64(c.minDataInLeaf)/li.cf)
	}
	return li
}

// findBest finds the best split of one feature's histogram.
func (g *grower) findBest(sp *split, h *[histBins]bin, j int32, nb int, li *leafInfo) {
	sp.feature = -1
	sp.gain = g.c.minGain
	if g.isCat[j] {
		g.findCategorical(sp, h, j, nb, li)
	} else {
		g.findNumeric(sp, h, j, nb, li)
	}
}

func (g *grower) findNumeric(sp *split, h *[histBins]bin, j int32, nb int, li *leafInfo) {
	G, H, minH := li.G, li.H, li.minH
	l2, l1 := g.c.l2, g.c.l1
	mg, mh := h[models.MissingBin].g, h[models.MissingBin].h
	hasMiss := mh > 1e-10*H
	best := sp.gain + li.pscore // compare raw child scores
	bestB, bestLeft := -1, false
	var lg, lh float64
	if nb > len(h) {
		nb = len(h)
	}
	if l1 == 0 {
		for b := 0; b < nb-1; b++ {
			lg += h[b].g
			lh += h[b].h
			rg, rh := G-lg, H-lh
			if rh < minH {
				break
			}
			if lh >= minH {
				if s := lg*lg/(lh+l2) + rg*rg/(rh+l2); s > best {
					best, bestB, bestLeft = s, b, false
				}
			}
			if hasMiss {
				lg2, lh2 := lg+mg, lh+mh
				rg2, rh2 := G-lg2, H-lh2
				if lh2 >= minH && rh2 >= minH {
					if s := lg2*lg2/(lh2+l2) + rg2*rg2/(rh2+l2); s > best {
						best, bestB, bestLeft = s, b, true
					}
				}
			}
		}
	} else {
		for b := 0; b < nb-1; b++ {
			lg += h[b].g
			lh += h[b].h
			rg, rh := G-lg, H-lh
			if rh < minH {
				break
			}
			if lh >= minH {
				if s := g.leafScore(lg, lh) + g.leafScore(rg, rh); s > best {
					best, bestB, bestLeft = s, b, false
				}
			}
			if hasMiss {
				lg2, lh2 := lg+mg, lh+mh
				if lh2 >= minH && H-lh2 >= minH {
					if s := g.leafScore(lg2, lh2) + g.leafScore(G-lg2, H-lh2); s > best {
						best, bestB, bestLeft = s, b, true
					}
				}
			}
		}
	}
	if hasMiss {
		// All values left, missing right.
		lg, lh := G-mg, H-mh
		if lh >= minH && mh >= minH {
			if s := g.leafScore(lg, lh) + g.leafScore(mg, mh); s > best {
				best, bestB, bestLeft = s, nb-1, false
			}
		}
	}
	if bestB < 0 {
		return
	}
	// Recompute the sums of the chosen split.
	lg, lh = 0, 0
	for b := 0; b <= bestB; b++ {
		lg += h[b].g
		lh += h[b].h
	}
	if bestLeft {
		lg += mg
		lh += mh
	}
	sp.gain = best - li.pscore
	sp.feature = j
	sp.thr = uint8(bestB)
	sp.cat = false
	sp.lg, sp.lh, sp.rg, sp.rh = lg, lh, G-lg, H-lh
	sp.defLeft = bestLeft
	if !hasMiss {
		sp.defLeft = sp.lh >= sp.rh // unseen missing goes to the bigger child
	}
}

type catStat struct {
	key, g, h float64
	code      int
}

func (g *grower) findCategorical(sp *split, h *[histBins]bin, j int32, nb int, li *leafInfo) {
	c := g.c
	G, H, minH := li.G, li.H, li.minH
	var buf [histBins]catStat
	cats := buf[:0]
	eps := 1e-10 * H
	for b := range min(nb, models.MaxBins) {
		if h[b].h > eps {
			cats = append(cats, catStat{g: h[b].g, h: h[b].h, code: b})
		}
	}
	missSeen := h[models.MissingBin].h > eps
	if missSeen {
		cats = append(cats, catStat{g: h[models.MissingBin].g, h: h[models.MissingBin].h, code: models.MissingBin})
	}
	if len(cats) < 2 {
		return
	}
	best := sp.gain + li.pscore
	var set [4]uint64
	found := false
	if len(cats) <= c.maxCatOneHot {
		for _, cs := range cats {
			rg, rh := G-cs.g, H-cs.h
			if cs.h < minH || rh < minH {
				continue
			}
			if s := g.leafScore(cs.g, cs.h) + g.leafScore(rg, rh); s > best {
				best, found = s, true
				set = [4]uint64{}
				set[cs.code>>6] |= 1 << (cs.code & 63)
			}
		}
	} else {
		kept := cats[:0] // filtered in place: cats is not used after this
		for _, cs := range cats {
			if cs.h*li.cf >= float64(c.minDataPerGroup) {
				cs.key = cs.g / (cs.h + c.catSmooth)
				kept = append(kept, cs)
			}
		}
		// Insertion sort by key, ties by code.
		for a := 1; a < len(kept); a++ {
			for b := a; b > 0 && (kept[b].key < kept[b-1].key || kept[b].key == kept[b-1].key && kept[b].code < kept[b-1].code); b-- {
				kept[b], kept[b-1] = kept[b-1], kept[b]
			}
		}
		l2c := c.l2 + c.catL2
		score := func(G, H float64) float64 {
			if c.l1 > 0 {
				G = thresholdL1(G, c.l1)
			}
			return G * G / (H + l2c)
		}
		bestLen, bestRev := 0, false
		limit := min(c.maxCatThreshold, len(kept)-1)
		for _, rev := range [2]bool{false, true} {
			var lg, lh float64
			for t := range limit {
				cs := kept[t]
				if rev {
					cs = kept[len(kept)-1-t]
				}
				lg += cs.g
				lh += cs.h
				rg, rh := G-lg, H-lh
				if lh < minH || rh < minH {
					continue
				}
				if s := score(lg, lh) + score(rg, rh); s > best {
					best, bestLen, bestRev, found = s, t+1, rev, true
				}
			}
		}
		if found {
			for t := range bestLen {
				cs := kept[t]
				if bestRev {
					cs = kept[len(kept)-1-t]
				}
				set[cs.code>>6] |= 1 << (cs.code & 63)
			}
		}
	}
	if !found {
		return
	}
	// Sums from the histogram itself (cats was reordered in place).
	var lg, lh float64
	for b := range min(nb, models.MaxBins) {
		if set[b>>6]>>(b&63)&1 != 0 {
			lg += h[b].g
			lh += h[b].h
		}
	}
	if set[3]>>63&1 != 0 {
		lg += h[models.MissingBin].g
		lh += h[models.MissingBin].h
	}
	if !missSeen && lh >= H-lh {
		set[models.MissingBin>>6] |= 1 << (models.MissingBin & 63) // unseen missing goes to the bigger child
	}
	sp.gain = best - li.pscore
	sp.feature = j
	sp.cat = true
	sp.set = set
	sp.lg, sp.lh, sp.rg, sp.rh = lg, lh, G-lg, H-lh
	sp.defLeft = set[3]>>63&1 != 0
}

// reduce returns the best of res[:len(g.feats)] (first feature on ties).
func (g *grower) reduce(res []split) split {
	best := split{feature: -1, gain: math.Inf(-1)}
	for i := range g.feats {
		if r := &res[i]; r.feature >= 0 && r.gain > best.gain {
			best = *r
		}
	}
	return best
}

// parallelPartition is the node size (rows) from which the pool's
// goroutines partition a node, and gather its gradients, in chunks (about
// 2 ns a row, against a microsecond a loop while the workers spin).
const parallelPartition = 4 << 10

// partition reorders idx[start:end] so the rows going left come first,
// keeping their order, and returns the boundary. Big nodes are cut into
// one chunk per thread, partitioned at once and stitched (left parts in
// chunk order, then right parts): the result is the same.
func (g *grower) partition(start, end int, s *split) (int, error) {
	rows := g.idx[start:end]
	col := g.codes[s.feature]
	sc := g.scratch[:len(rows)]
	if !g.parallel() || len(rows) < parallelPartition {
		w, k := partitionRows(rows, sc, col, s)
		copy(rows[w:], sc[:k])
		return start + w, nil
	}
	parts := g.pool.Threads()
	var wk [maxThreadsStack][2]int
	counts := wk[:0]
	if parts > maxThreadsStack {
		counts = make([][2]int, parts)
	} else {
		counts = wk[:parts]
	}
	n := len(rows)
	err := g.pool.For(parts, func(c int) {
		lo, hi := c*n/parts, (c+1)*n/parts
		w, k := partitionRows(rows[lo:hi], sc[lo:hi], col, s)
		counts[c] = [2]int{w, k}
	})
	if err != nil {
		return 0, err
	}
	// Chunk c holds its left rows at rows[lo:lo+w] and its right rows at
	// sc[lo:lo+k]. Left parts move down in chunk order (never over a part
	// not yet moved), then the right parts follow from sc.
	at := counts[0][0]
	for c := 1; c < parts; c++ {
		lo := c * n / parts
		at += copy(rows[at:], rows[lo:lo+counts[c][0]])
	}
	mid := at
	for c := range parts {
		lo := c * n / parts
		at += copy(rows[at:], sc[lo:lo+counts[c][1]])
	}
	return start + mid, nil
}

// maxThreadsStack is the thread count up to which partition keeps its
// per-chunk counts on the stack.
const maxThreadsStack = 16

// gather writes the gradients of rows into ogh (ogh[k] = gh[rows[k]]), in
// chunks on the pool for big nodes.
func (g *grower) gather(ogh []gpair, rows []int32) error {
	gh := g.gh
	if !g.parallel() || len(rows) < parallelPartition {
		ogh = ogh[:len(rows)]
		for k, r := range rows {
			ogh[k] = gh[r]
		}
		return nil
	}
	parts := g.pool.Threads()
	n := len(rows)
	return g.pool.For(parts, func(c int) {
		lo, hi := c*n/parts, (c+1)*n/parts
		dst := ogh[lo:hi]
		for k, r := range rows[lo:hi] {
			dst[k] = gh[r]
		}
	})
}

// partitionRows writes the rows going left to rows[:w] and the others to
// sc[:k], both in their original order (sc and rows have equal length).
func partitionRows(rows, sc []int32, col []uint8, s *split) (w, k int) {
	sc = sc[:len(rows)]
	if s.cat {
		set := s.set
		for _, r := range rows {
			c := col[r]
			l := int(set[c>>6] >> (c & 63) & 1)
			rows[w] = r
			sc[k] = r
			w += l
			k += 1 - l
		}
		return w, k
	}
	thr := s.thr
	if s.defLeft {
		for _, r := range rows {
			c := col[r]
			l := 0
			if c <= thr || c == models.MissingBin {
				l = 1
			}
			rows[w] = r
			sc[k] = r
			w += l
			k += 1 - l
		}
		return w, k
	}
	for _, r := range rows {
		c := col[r]
		l := 0
		if c <= thr {
			l = 1
		}
		rows[w] = r
		sc[k] = r
		w += l
		k += 1 - l
	}
	return w, k
}

// grow builds one tree on the rows idx[:rows] with gradients g.gh. When all
// is true, idx is the identity and rows == n. The returned leaves hold the
// row ranges of the tree's leaves, in leaf order. A panic in a worker is
// returned as an error wrapping par.ErrPanic.
func (g *grower) grow(rows int, all bool) (tree, []leafState, error) {
	c := g.c
	var G, H float64
	if all {
		for _, p := range g.gh[:rows] {
			G += float64(p.g)
			H += float64(p.h)
		}
		g.task.ogh = g.gh
		g.task.rows = nil
	} else {
		ogh := g.ogh[:rows]
		for k, r := range g.idx[:rows] {
			p := g.gh[r]
			ogh[k] = p
			G += float64(p.g)
			H += float64(p.h)
		}
		g.task.ogh = ogh
		g.task.rows = g.idx[:rows]
	}
	g.leaves = g.leaves[:0]
	root := leafState{start: 0, end: rows, G: G, H: H, parent: -1}
	g.task.sInfo = g.info(G, H, rows, 0)
	var t tree
	if g.task.sInfo.split {
		root.hist = g.alloc()
		g.task.small, g.task.large = root.hist, nil
		if err := g.runTask(rows); err != nil {
			return tree{}, nil, err
		}
		root.best = g.reduce(g.resA)
		if root.best.feature < 0 {
			g.release(root.hist)
			root.hist = nil
		}
	} else {
		root.best.feature = -1
	}
	g.leaves = append(g.leaves, root)
	for len(g.leaves) < c.maxLeaves {
		// Best leaf to split (first on ties).
		bi := -1
		for i := range g.leaves {
			if l := &g.leaves[i]; l.best.feature >= 0 && (bi < 0 || l.best.gain > g.leaves[bi].best.gain) {
				bi = i
			}
		}
		if bi < 0 {
			break
		}
		L := g.leaves[bi]
		s := L.best
		mid, err := g.partition(L.start, L.end, &s)
		if err != nil {
			return tree{}, nil, err
		}
		ni := int32(len(t.nodes))
		nd := node{feature: s.feature, cat: -1, defLeft: s.defLeft, gain: float32(s.gain)}
		if s.cat {
			nd.cat = int32(len(t.cats) / 4)
			t.cats = append(t.cats, s.set[:]...)
		} else {
			nd.binThr = s.thr
		}
		t.nodes = append(t.nodes, nd)
		if L.parent >= 0 {
			if L.isLeft {
				t.nodes[L.parent].left = ni
			} else {
				t.nodes[L.parent].right = ni
			}
		}
		g.imp[s.feature] += s.gain
		left := leafState{start: L.start, end: mid, depth: L.depth + 1, G: s.lg, H: s.lh, parent: ni, isLeft: true}
		right := leafState{start: mid, end: L.end, depth: L.depth + 1, G: s.rg, H: s.rh, parent: ni}
		left.best.feature, right.best.feature = -1, -1
		li := g.info(left.G, left.H, mid-L.start, left.depth)
		ri := g.info(right.G, right.H, L.end-mid, right.depth)
		// The tree is full after this split: no need for histograms.
		if len(g.leaves)+1 >= c.maxLeaves {
			li.split, ri.split = false, false
		}
		small, large := &left, &right
		sInfo, lInfo := li, ri
		if mid-L.start > L.end-mid {
			small, large = &right, &left
			sInfo, lInfo = ri, li
		}
		switch {
		case !sInfo.split && !lInfo.split:
			g.release(L.hist)
		default:
			nsm := small.end - small.start
			ogh := g.ogh[:nsm]
			srows := g.idx[small.start:small.end]
			if err := g.gather(ogh, srows); err != nil {
				return tree{}, nil, err
			}
			g.task.rows, g.task.ogh = srows, ogh
			g.task.sInfo, g.task.lInfo = sInfo, lInfo
			if lInfo.split {
				g.task.small, g.task.large = g.alloc(), L.hist
			} else {
				g.task.small, g.task.large = L.hist, nil
			}
			if err := g.runTask(nsm); err != nil {
				return tree{}, nil, err
			}
			if sInfo.split {
				small.best = g.reduce(g.resA)
			}
			if lInfo.split {
				large.best = g.reduce(g.resB)
			}
			small.hist, large.hist = g.task.small, g.task.large
			if small.best.feature < 0 {
				g.release(small.hist)
				small.hist = nil
			}
			if large.best.feature < 0 {
				g.release(large.hist)
				large.hist = nil
			}
		}
		g.leaves[bi] = left
		g.leaves = append(g.leaves, right)
	}
	// Leaf outputs and child pointers.
	t.leaves = make([]float64, len(g.leaves))
	for i := range g.leaves {
		l := &g.leaves[i]
		g.release(l.hist)
		l.hist = nil
		t.leaves[i] = g.leafOutput(l.G, l.H)
		if l.parent >= 0 {
			if l.isLeft {
				t.nodes[l.parent].left = ^int32(i)
			} else {
				t.nodes[l.parent].right = ^int32(i)
			}
		}
	}
	for i := range t.nodes {
		nd := &t.nodes[i]
		if nd.cat < 0 {
			nd.thr = g.upper(nd.feature, nd.binThr)
		}
	}
	return t, g.leaves, nil
}

// leafOutput is the shrunken Newton step -T(G)/(H+λ)·lr.
func (g *grower) leafOutput(G, H float64) float64 {
	if H+g.c.l2 <= 0 {
		return 0
	}
	if g.c.l1 > 0 {
		G = thresholdL1(G, g.c.l1)
	}
	return -G / (H + g.c.l2) * g.c.lr
}

// upper returns the float upper edge of bin b of numeric feature f.
func (g *grower) upper(f int32, b uint8) float64 { return g.uppers[f][b] }
