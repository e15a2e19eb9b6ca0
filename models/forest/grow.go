package forest

import (
	"context"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"

	"github.com/automl-agent/automl/models"
)

// nbin is the number of bin slots per feature histogram (value bins plus
// models.MissingBin).
const nbin = 256

// fullHistLimit caps features*stride for keeping a histogram of every
// feature per node (which enables the subtraction trick); above it nodes
// build one sampled feature at a time.
const fullHistLimit = 1024

// etHistMin is the least node size for which Extra-Trees builds full
// histograms (when it tries most features); smaller nodes read their rows.
const etHistMin = 1024

// trainSet is the read-only training data shared by the growers of a fit.
type trainSet struct {
	n, f, k  int // rows, features, classes (0 = regression)
	stride   int // histogram entries per bin: count, then weight sums
	codes    [][]uint8
	uppers   [][]float64 // nil for categorical features
	catWords []uint8     // bitset words per categorical feature, 0 if numeric
	y        []float64
	cls      []int32 // class per row (classification)
	w        []float64
}

// hist holds per-feature histograms of a node: block j is
// v[j*nbin*S:(j+1)*nbin*S], bin b's entries at b*S: [count, then weighted
// sums: w and w*y (regression) or w per class]. bm[j] marks the non-empty
// bins; entries of unmarked bins are zero (the invariant of pooled hists).
type hist struct {
	v  []float64
	bm [][4]uint64
}

// frame is a node waiting on the grower's stack. Its stats live at
// grower.stat(position in the stack).
type frame struct {
	node       int32
	lo, hi     int32
	depth      int32
	h          *hist // full mode: the node's histograms
	ymin, ymax float64
}

// split is a candidate split.
type split struct {
	ok        bool
	feat      int
	bin       int // numeric: left iff code <= bin
	cat       bool
	set       [4]uint64 // categorical: left iff code's bit is set
	missLeft  bool
	missKnown bool // the node had missing values, so missLeft was learned
	proxy     float64
	wl, wr    float64
}

// grower grows trees one after another, reusing its buffers.
type grower struct {
	ts    *trainSet
	cfg   Config
	tries int
	full  bool // keep every feature's histogram per node (subtraction trick)
	// direct evaluates numeric features from the rows, without histograms
	// (Extra-Trees: one threshold per feature needs no histogram).
	direct bool
	// histMin is the least node size that gets histograms in full mode;
	// smaller nodes are evaluated like in sampled mode.
	histMin int32
	rng     *rand.Rand

	wt, wy []float64 // per-row weight (0 = out of bag) and weight*y
	idx    []int32   // in-bag rows, partitioned in place by the nodes
	pool   []*hist
	one    *hist // sampled mode: one feature block
	perm   []int
	bins   []uint8
	cats   []uint8
	key    []float64
	cum    []float64
	tmp    []float64
	rst    []float64
	lst    []float64
	rtot   []float64
	lst2   []float64
	stats  []float64
	stack  []frame
	imp    []float64
	wRoot  float64
	nodes  []node
	values []float64
	bitset []uint64
}

func newGrower(ts *trainSet, cfg Config, tries int) *grower {
	S := ts.stride
	g := &grower{
		ts: ts, cfg: cfg, tries: tries,
		full:   2*tries > ts.f && ts.f*S <= fullHistLimit,
		direct: cfg.Kind == ExtraTrees,
		one:    &hist{v: make([]float64, nbin*S), bm: make([][4]uint64, 1)},
		wt:     make([]float64, ts.n),
		idx:    make([]int32, 0, ts.n),
		perm:   make([]int, ts.f),
		bins:   make([]uint8, 0, nbin),
		cats:   make([]uint8, 0, nbin),
		key:    make([]float64, nbin),
		cum:    make([]float64, S),
		tmp:    make([]float64, S),
		rst:    make([]float64, S),
		lst:    make([]float64, S),
		rtot:   make([]float64, S),
		lst2:   make([]float64, S),
		imp:    make([]float64, ts.f),
	}
	if ts.k == 0 {
		g.wy = make([]float64, ts.n)
	}
	if g.direct {
		// Two passes over a small node's rows beat building and
		// subtracting histograms.
		g.histMin = etHistMin
	}
	return g
}

// stat returns the stats slot of stack position p, growing the arena.
func (g *grower) stat(p int) []float64 {
	S := g.ts.stride
	if need := (p + 1) * S; need > len(g.stats) {
		g.stats = append(g.stats, make([]float64, need-len(g.stats)+4*S)...)
	}
	return g.stats[p*S : (p+1)*S]
}

// grow grows tree t and returns it with its normalized importances. If
// inbag is not nil, it marks there the rows the tree was trained on.
func (g *grower) grow(ctx context.Context, t int, inbag []uint64) (tree, []float64, error) {
	cfg := g.cfg
	g.rng = rand.New(rand.NewPCG(cfg.Seed, uint64(t)))
	g.sample()
	if inbag != nil {
		for _, r := range g.idx {
			inbag[r>>6] |= 1 << (r & 63)
		}
	}
	clear(g.imp)
	g.nodes, g.values, g.bitset = g.nodes[:0], g.values[:0], g.bitset[:0]
	for i := range g.perm {
		g.perm[i] = i
	}
	g.nodes = append(g.nodes, node{})
	g.stack = append(g.stack[:0], frame{node: 0, lo: 0, hi: int32(len(g.idx))})
	root := &g.stack[0]
	root.ymin, root.ymax = g.rowStats(g.idx, g.stat(0))
	g.wRoot = g.weight(g.stat(0))
	if g.wantHist(root) && g.splittable(root, g.stat(0)) {
		root.h = g.getHist()
		g.buildAll(root.h, g.idx)
	}
	minGain := cfg.MinImpurityDecrease * g.wRoot
	for popped := 0; len(g.stack) > 0; popped++ {
		p := len(g.stack) - 1
		fr := g.stack[p]
		g.stack = g.stack[:p]
		if popped&63 == 63 {
			if err := ctx.Err(); err != nil {
				g.releaseStack(fr.h)
				return tree{}, nil, err
			}
		}
		tot := g.stat(p)
		if !g.splittable(&fr, tot) {
			g.putHist(fr.h)
			g.makeLeaf(fr.node, tot)
			continue
		}
		rows := g.idx[fr.lo:fr.hi]
		sp := g.findSplit(rows, fr.h, tot)
		gain := sp.proxy - g.proxy(tot)
		if !sp.ok || gain+1e-12*math.Abs(gain) < minGain && minGain > 0 {
			g.putHist(fr.h)
			g.makeLeaf(fr.node, tot)
			continue
		}
		g.imp[sp.feat] += max(gain, 0)
		m := fr.lo + int32(g.partition(rows, &sp))
		c := int32(len(g.nodes))
		g.nodes = append(g.nodes, node{}, node{})
		g.setSplit(fr.node, c, &sp)

		left := frame{node: c, lo: fr.lo, hi: m, depth: fr.depth + 1}
		right := frame{node: c + 1, lo: m, hi: fr.hi, depth: fr.depth + 1}
		left.ymin, left.ymax = g.rowStats(g.idx[left.lo:left.hi], g.lst)
		right.ymin, right.ymax = g.rowStats(g.idx[right.lo:right.hi], g.rst)
		canL, canR := g.splittable(&left, g.lst), g.splittable(&right, g.rst)
		if !canL {
			g.makeLeaf(left.node, g.lst)
		}
		if !canR {
			g.makeLeaf(right.node, g.rst)
		}
		// small is built directly, large (if it is to be split) by subtraction.
		small, large := &left, &right
		canS, canLg := canL, canR
		sst, lstat := g.lst, g.rst
		if right.hi-right.lo < left.hi-left.lo {
			small, large, canS, canLg, sst, lstat = &right, &left, canR, canL, g.rst, g.lst
		}
		if fr.h != nil {
			canS, canLg := canS && g.wantHist(small), canLg && g.wantHist(large)
			switch {
			case canLg:
				hs := g.getHist()
				g.buildAll(hs, g.idx[small.lo:small.hi])
				g.subtract(fr.h, hs)
				large.h = fr.h
				if canS {
					small.h = hs
				} else {
					g.putHist(hs)
				}
			case canS:
				g.putHist(fr.h)
				small.h = g.getHist()
				g.buildAll(small.h, g.idx[small.lo:small.hi])
			default:
				g.putHist(fr.h)
			}
		}
		if canLg {
			copy(g.stat(len(g.stack)), lstat)
			g.stack = append(g.stack, *large)
		}
		if canS {
			copy(g.stat(len(g.stack)), sst)
			g.stack = append(g.stack, *small)
		}
	}
	// Normalize this tree's importances.
	imp := slices.Clone(g.imp)
	var s float64
	for _, v := range imp {
		s += v
	}
	if s > 0 {
		for j := range imp {
			imp[j] /= s
		}
	}
	return tree{
		nodes:  slices.Clone(g.nodes),
		values: slices.Clone(g.values),
		cats:   slices.Clone(g.bitset),
	}, imp, nil
}

// wantHist reports whether node fr gets full histograms.
func (g *grower) wantHist(fr *frame) bool { return g.full && fr.hi-fr.lo >= g.histMin }

// releaseStack returns the histograms held by the stack (and h) to the pool.
func (g *grower) releaseStack(h *hist) {
	g.putHist(h)
	for _, fr := range g.stack {
		g.putHist(fr.h)
	}
	g.stack = g.stack[:0]
}

// sample draws the tree's rows: a bootstrap multiset (as weights) or all
// rows; rows of weight 0 are left out of idx.
func (g *grower) sample() {
	ts := g.ts
	wt := g.wt
	if g.cfg.bootstrap() {
		clear(wt)
		m := max(1, int(math.Round(g.cfg.MaxSamples*float64(ts.n))))
		for range m {
			wt[g.rng.IntN(ts.n)]++
		}
		if ts.w != nil {
			for i, w := range ts.w {
				wt[i] *= w
			}
		}
	} else if ts.w != nil {
		copy(wt, ts.w)
	} else {
		for i := range wt {
			wt[i] = 1
		}
	}
	g.idx = g.idx[:0]
	for i, w := range wt {
		if w > 0 {
			g.idx = append(g.idx, int32(i))
		}
	}
	if g.wy != nil {
		for i, w := range wt {
			g.wy[i] = w * ts.y[i]
		}
	}
}

// rowStats writes the stats of rows into st and returns the target range
// (regression).
func (g *grower) rowStats(rows []int32, st []float64) (ymin, ymax float64) {
	clear(st)
	ts := g.ts
	wt := g.wt
	if ts.k == 0 {
		ymin, ymax = math.Inf(1), math.Inf(-1)
		y, wy := ts.y, g.wy
		var n, w, s float64
		for _, r := range rows {
			n++
			w += wt[r]
			s += wy[r]
			ymin = min(ymin, y[r])
			ymax = max(ymax, y[r])
		}
		st[0], st[1], st[2] = n, w, s
		return ymin, ymax
	}
	cls := ts.cls
	for _, r := range rows {
		st[0]++
		st[1+cls[r]] += wt[r]
	}
	return 0, 0
}

// weight returns the total weight of a stats vector.
func (g *grower) weight(st []float64) float64 {
	if g.ts.k == 0 {
		return st[1]
	}
	var w float64
	for _, v := range st[1:] {
		w += v
	}
	return w
}

// proxy returns the impurity proxy of a stats vector: sum_y^2/w for
// regression, sum_c w_c^2/w for classification. A split's weighted impurity
// decrease is proxy(L) + proxy(R) - proxy(parent).
func (g *grower) proxy(st []float64) float64 {
	if g.ts.k == 0 {
		if st[1] <= 0 {
			return 0
		}
		return st[2] * st[2] / st[1]
	}
	var w, q float64
	for _, v := range st[1:] {
		w += v
		q += v * v
	}
	if w <= 0 {
		return 0
	}
	return q / w
}

// splittable reports whether a node may be split.
func (g *grower) splittable(fr *frame, st []float64) bool {
	cfg := g.cfg
	n := int(fr.hi - fr.lo)
	if cfg.MaxDepth > 0 && int(fr.depth) >= cfg.MaxDepth || n < cfg.MinSamplesSplit || n < 2*cfg.MinSamplesLeaf {
		return false
	}
	if g.ts.k == 0 {
		return fr.ymin < fr.ymax
	}
	nz := 0
	for _, v := range st[1:] {
		if v > 0 {
			nz++
		}
	}
	return nz > 1
}

// makeLeaf turns node k into a leaf with the value(s) of st.
func (g *grower) makeLeaf(k int32, st []float64) {
	if g.ts.k == 0 {
		v := 0.0
		if st[1] > 0 {
			v = st[2] / st[1]
		}
		g.nodes[k] = node{feat: leafMark, thr: v}
		return
	}
	w := g.weight(st)
	nz, last := 0, 0
	for c, v := range st[1:] {
		if v != 0 {
			nz, last = nz+1, c
		}
	}
	// A pure leaf's probabilities are exactly 1 and 0s (w[c]/w[c] is 1 in
	// floating point), and adding a sparse leaf's pairs gives the same sums
	// as adding its dense vector (x+0 is x), so both forms predict bit for
	// bit what K probabilities would.
	switch {
	case w > 0 && nz == 1:
		g.nodes[k] = node{feat: leafMark, child: int32(-last - 1)}
	case w > 0 && 2*nz < g.ts.k:
		// Sparse: (class, probability) pairs for the nz classes present.
		g.nodes[k] = node{feat: leafMark, child: int32(len(g.values)), thr: float64(nz)}
		for c, v := range st[1:] {
			if v != 0 {
				g.values = append(g.values, float64(c), v/w)
			}
		}
	default:
		g.nodes[k] = node{feat: leafMark, child: int32(len(g.values))}
		for _, v := range st[1:] {
			if w > 0 {
				v /= w
			}
			g.values = append(g.values, v)
		}
	}
}

// setSplit writes split sp into node k with children c, c+1.
func (g *grower) setSplit(k, c int32, sp *split) {
	nd := node{feat: uint32(sp.feat), child: c}
	missLeft := sp.missLeft
	if !sp.missKnown {
		missLeft = sp.wl >= sp.wr
	}
	if missLeft {
		nd.feat |= flagMissLeft
	}
	switch {
	case sp.cat:
		nd.feat |= flagCat
		nd.thr = math.Float64frombits(uint64(len(g.bitset)))
		g.bitset = append(g.bitset, sp.set[:g.ts.catWords[sp.feat]]...)
	case sp.bin >= len(g.ts.uppers[sp.feat])-1:
		nd.thr = math.Inf(1)
	default:
		nd.thr = g.ts.uppers[sp.feat][sp.bin]
	}
	g.nodes[k] = nd
}

// partition reorders rows so the ones going left come first and returns
// how many they are.
func (g *grower) partition(rows []int32, sp *split) int {
	col := g.ts.codes[sp.feat]
	i, j := 0, len(rows)-1
	goesLeft := func(r int32) bool {
		c := col[r]
		if c == models.MissingBin {
			return sp.missLeft
		}
		if sp.cat {
			return sp.set[c>>6]&(1<<(c&63)) != 0
		}
		return int(c) <= sp.bin
	}
	for i <= j {
		if goesLeft(rows[i]) {
			i++
		} else {
			rows[i], rows[j] = rows[j], rows[i]
			j--
		}
	}
	return i
}

// getHist returns an all-zero histogram set from the pool.
func (g *grower) getHist() *hist {
	if n := len(g.pool); n > 0 {
		h := g.pool[n-1]
		g.pool = g.pool[:n-1]
		return h
	}
	f := g.ts.f
	return &hist{v: make([]float64, f*nbin*g.ts.stride), bm: make([][4]uint64, f)}
}

// putHist zeroes h's non-empty bins and returns it to the pool.
func (g *grower) putHist(h *hist) {
	if h == nil {
		return
	}
	S := g.ts.stride
	for j := range h.bm {
		clearBlock(h.v[j*nbin*S:(j+1)*nbin*S], &h.bm[j], S)
	}
	g.pool = append(g.pool, h)
}

// clearBlock zeroes the marked bins of one feature block and the marks.
func clearBlock(v []float64, bm *[4]uint64, S int) {
	for w := range bm {
		for x := bm[w]; x != 0; x &= x - 1 {
			b := w<<6 | bits.TrailingZeros64(x)
			clear(v[b*S : b*S+S])
		}
		bm[w] = 0
	}
}

// buildAll fills h (all zero) with the histograms of rows for every feature.
func (g *grower) buildAll(h *hist, rows []int32) {
	S := g.ts.stride
	for j := range g.ts.f {
		g.buildBlock(h.v[j*nbin*S:(j+1)*nbin*S], &h.bm[j], g.ts.codes[j], rows)
	}
}

// buildBlock fills one all-zero feature block with the histogram of rows.
func (g *grower) buildBlock(v []float64, bm *[4]uint64, col []uint8, rows []int32) {
	wt := g.wt
	S := g.ts.stride
	small := len(rows) < 2*nbin
	switch {
	case S == 3 && g.ts.k == 0:
		h := (*[nbin * 3]float64)(v)
		wy := g.wy
		for _, r := range rows {
			b := col[r]
			o := uint(b) * 3
			h[o]++
			h[o+1] += wt[r]
			h[o+2] += wy[r]
			if small {
				bm[b>>6] |= 1 << (b & 63)
			}
		}
	case S == 3:
		h := (*[nbin * 3]float64)(v)
		cls := g.ts.cls
		for _, r := range rows {
			b := col[r]
			o := uint(b) * 3
			h[o]++
			h[o+1+uint(cls[r]&1)] += wt[r]
			if small {
				bm[b>>6] |= 1 << (b & 63)
			}
		}
	default:
		cls := g.ts.cls
		for _, r := range rows {
			b := col[r]
			o := int(b) * S
			v[o]++
			v[o+1+int(cls[r])] += wt[r]
			if small {
				bm[b>>6] |= 1 << (b & 63)
			}
		}
	}
	if !small {
		for b := range nbin {
			if v[b*S] != 0 {
				bm[b>>6] |= 1 << (b & 63)
			}
		}
	}
}

// subtract turns p (a parent's histograms) into p - s (a child's): bins
// left empty are zeroed and unmarked.
func (g *grower) subtract(p, s *hist) {
	S := g.ts.stride
	for j := range p.bm {
		pv := p.v[j*nbin*S : (j+1)*nbin*S]
		sv := s.v[j*nbin*S : (j+1)*nbin*S]
		sb := &s.bm[j]
		pb := &p.bm[j]
		for w := range pb {
			for x := pb[w] & sb[w]; x != 0; x &= x - 1 {
				b := w<<6 | bits.TrailingZeros64(x)
				pe := pv[b*S : b*S+S]
				se := sv[b*S : b*S+S]
				if pe[0] == se[0] {
					clear(pe)
					pb[w] &^= 1 << (b & 63)
					continue
				}
				for e := range pe {
					pe[e] -= se[e]
				}
			}
		}
	}
}
