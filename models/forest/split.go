package forest

import (
	"math"
	"math/bits"

	"github.com/automl-agent/automl/models"
)

// findSplit returns the best split of a node over a random subset of
// g.tries non-constant features (all features, in order, when tries covers
// them). h holds the node's histograms in full mode and is nil otherwise
// (then each feature is read from the rows).
func (g *grower) findSplit(rows []int32, h *hist, tot []float64) split {
	best := split{proxy: math.Inf(-1)}
	f, S := g.ts.f, g.ts.stride
	sampling := g.tries < f
	visited := 0
	for i := 0; i < f && visited < g.tries; i++ {
		j := i
		if sampling {
			k := i + g.rng.IntN(f-i)
			g.perm[i], g.perm[k] = g.perm[k], g.perm[i]
			j = g.perm[i]
		}
		if h == nil && g.direct && g.ts.uppers[j] != nil {
			if !g.evalRandomDirect(j, rows, tot, &best) {
				visited++
			}
			continue
		}
		var v []float64
		var bm *[4]uint64
		if h != nil {
			v, bm = h.v[j*nbin*S:(j+1)*nbin*S], &h.bm[j]
		} else {
			v, bm = g.one.v, &g.one.bm[0]
			g.buildBlock(v, bm, g.ts.codes[j], rows)
		}
		if !g.evalFeature(j, v, bm, tot, &best) {
			visited++
		}
		if h == nil {
			clearBlock(v, bm, S)
		}
	}
	return best
}

// evalFeature updates best with the splits of feature j whose histogram is
// v, bm; it reports whether the feature is constant in the node.
func (g *grower) evalFeature(j int, v []float64, bm *[4]uint64, tot []float64, best *split) (constant bool) {
	g.bins = g.bins[:0]
	for w := range bm {
		for x := bm[w]; x != 0; x &= x - 1 {
			g.bins = append(g.bins, uint8(w<<6|bits.TrailingZeros64(x)))
		}
	}
	hasMiss := len(g.bins) > 0 && g.bins[len(g.bins)-1] == models.MissingBin
	if hasMiss {
		g.bins = g.bins[:len(g.bins)-1]
	}
	if len(g.bins) == 0 || len(g.bins) == 1 && !hasMiss {
		return true
	}
	switch {
	case g.ts.uppers[j] == nil:
		g.evalCategorical(j, v, bm, hasMiss, tot, best)
	case g.cfg.Kind == ExtraTrees:
		g.evalRandom(j, v, hasMiss, tot, best)
	default:
		g.evalNumeric(j, v, hasMiss, tot, best)
	}
	return false
}

// candidate returns the proxy of the split with left stats L, or -Inf if a
// child would be too small or weightless. The right stats go to g.tmp.
func (g *grower) candidate(L, tot []float64) (proxy, wl, wr float64) {
	R := g.tmp
	msl := float64(g.cfg.MinSamplesLeaf)
	if L[0] < msl || tot[0]-L[0] < msl {
		return math.Inf(-1), 0, 0
	}
	for e := range R {
		R[e] = tot[e] - L[e]
	}
	wl, wr = g.weight(L), g.weight(R)
	if !(wl > 0 && wr > 0) {
		return math.Inf(-1), 0, 0
	}
	return g.proxy(L) + g.proxy(R), wl, wr
}

// addTo adds src to dst elementwise.
func addTo(dst, src []float64) {
	src = src[:len(dst)]
	for e := range dst {
		dst[e] += src[e]
	}
}

// tryNumeric evaluates "code <= b goes left" with missing values right and,
// if there are any, left; cum holds the stats of the bins <= b.
func (g *grower) tryNumeric(j, b int, cum, miss, tot []float64, best *split) {
	if p, wl, wr := g.candidate(cum, tot); p > best.proxy {
		*best = split{ok: true, feat: j, bin: b, missKnown: miss != nil, proxy: p, wl: wl, wr: wr}
	}
	if miss == nil {
		return
	}
	L := g.rtot
	copy(L, cum)
	addTo(L, miss)
	if p, wl, wr := g.candidate(L, tot); p > best.proxy {
		*best = split{ok: true, feat: j, bin: b, missLeft: true, missKnown: true, proxy: p, wl: wl, wr: wr}
	}
}

// missingBlock returns the stats of the missing bin, or nil.
func (g *grower) missingBlock(v []float64, hasMiss bool) []float64 {
	if !hasMiss {
		return nil
	}
	S := g.ts.stride
	return v[models.MissingBin*S : models.MissingBin*S+S]
}

// tryMissingOnly evaluates "all present values left, missing right".
func (g *grower) tryMissingOnly(j int, miss, tot []float64, best *split) {
	L := g.rtot
	for e := range L {
		L[e] = tot[e] - miss[e]
	}
	if p, wl, wr := g.candidate(L, tot); p > best.proxy {
		*best = split{ok: true, feat: j, bin: models.MissingBin - 1, missKnown: true, proxy: p, wl: wl, wr: wr}
	}
}

// evalNumeric scans every threshold between present bins of feature j.
func (g *grower) evalNumeric(j int, v []float64, hasMiss bool, tot []float64, best *split) {
	if g.ts.stride == 3 {
		g.evalNumeric3(j, v, hasMiss, tot, best)
		return
	}
	S := g.ts.stride
	cum := g.cum
	clear(cum)
	miss := g.missingBlock(v, hasMiss)
	for _, b := range g.bins[:len(g.bins)-1] {
		addTo(cum, v[int(b)*S:int(b)*S+S])
		g.tryNumeric(j, int(b), cum, miss, tot, best)
	}
	if hasMiss {
		g.tryMissingOnly(j, miss, tot, best)
	}
}

// evalNumeric3 is evalNumeric for stride 3 (regression: count, w, w*y;
// binary classification: count, w0, w1) on scalars, without missing values
// (evalNumeric3Miss handles those).
func (g *grower) evalNumeric3(j int, v []float64, hasMiss bool, tot []float64, best *split) {
	if hasMiss {
		g.evalNumeric3Miss(j, v, tot, best)
		return
	}
	h := (*[nbin * 3]float64)(v)
	msl := float64(g.cfg.MinSamplesLeaf)
	tn, ta, tb := tot[0], tot[1], tot[2]
	bp, bb := best.proxy, -1
	var bwl, bwr float64
	var cn, ca, cb float64
	bins := g.bins[:len(g.bins)-1]
	if g.ts.k == 0 {
		for _, b := range bins {
			o := uint(b) * 3
			cn += h[o]
			ca += h[o+1]
			cb += h[o+2]
			ra, rb := ta-ca, tb-cb
			if cn < msl || tn-cn < msl || !(ca > 0 && ra > 0) {
				continue
			}
			if p := cb*cb/ca + rb*rb/ra; p > bp {
				bp, bb, bwl, bwr = p, int(b), ca, ra
			}
		}
	} else {
		for _, b := range bins {
			o := uint(b) * 3
			cn += h[o]
			ca += h[o+1]
			cb += h[o+2]
			ra, rb := ta-ca, tb-cb
			wl, wr := ca+cb, ra+rb
			if cn < msl || tn-cn < msl || !(wl > 0 && wr > 0) {
				continue
			}
			if p := (ca*ca+cb*cb)/wl + (ra*ra+rb*rb)/wr; p > bp {
				bp, bb, bwl, bwr = p, int(b), wl, wr
			}
		}
	}
	if bb >= 0 {
		*best = split{ok: true, feat: j, bin: bb, proxy: bp, wl: bwl, wr: bwr}
	}
}

// evalNumeric3Miss is evalNumeric3 for a node with missing values: each
// threshold is tried with them on either side, and present vs missing too.
func (g *grower) evalNumeric3Miss(j int, v []float64, tot []float64, best *split) {
	h := (*[nbin * 3]float64)(v)
	reg := g.ts.k == 0
	msl := float64(g.cfg.MinSamplesLeaf)
	tn, ta, tb := tot[0], tot[1], tot[2]
	mn, ma, mb := h[models.MissingBin*3], h[models.MissingBin*3+1], h[models.MissingBin*3+2]
	try := func(n, a, b float64, bin int, missLeft bool) {
		rn, ra, rb := tn-n, ta-a, tb-b
		if n < msl || rn < msl {
			return
		}
		wl, wr := a, ra
		var p float64
		if reg {
			if !(a > 0 && ra > 0) {
				return
			}
			p = b*b/a + rb*rb/ra
		} else {
			wl, wr = a+b, ra+rb
			if !(wl > 0 && wr > 0) {
				return
			}
			p = (a*a+b*b)/wl + (ra*ra+rb*rb)/wr
		}
		if p > best.proxy {
			*best = split{ok: true, feat: j, bin: bin, missLeft: missLeft, missKnown: true, proxy: p, wl: wl, wr: wr}
		}
	}
	var cn, ca, cb float64
	for _, b := range g.bins[:len(g.bins)-1] {
		o := uint(b) * 3
		cn += h[o]
		ca += h[o+1]
		cb += h[o+2]
		try(cn, ca, cb, int(b), false)
		try(cn+mn, ca+ma, cb+mb, int(b), true)
	}
	try(tn-mn, ta-ma, tb-mb, models.MissingBin-1, false)
}

// evalRandom tries one random threshold of feature j (Extra-Trees): a bin
// drawn uniformly between the node's lowest and highest present bins.
func (g *grower) evalRandom(j int, v []float64, hasMiss bool, tot []float64, best *split) {
	S := g.ts.stride
	miss := g.missingBlock(v, hasMiss)
	if len(g.bins) < 2 {
		g.tryMissingOnly(j, miss, tot, best)
		return
	}
	lo, hi := int(g.bins[0]), int(g.bins[len(g.bins)-1])
	t := lo + g.rng.IntN(hi-lo)
	cum := g.cum
	clear(cum)
	for _, b := range g.bins {
		if int(b) > t {
			break
		}
		addTo(cum, v[int(b)*S:int(b)*S+S])
	}
	g.tryNumeric(j, t, cum, miss, tot, best)
}

// evalRandomDirect is evalRandom straight from the rows, without a
// histogram: one pass finds the node's lowest and highest bin, a second sums
// the rows left of the random threshold. It reports whether feature j is
// constant in the node. It draws from g.rng exactly as evalRandom does.
func (g *grower) evalRandomDirect(j int, rows []int32, tot []float64, best *split) (constant bool) {
	col := g.ts.codes[j]
	lo, hi, nmiss := 255, -1, 0
	for _, r := range rows {
		c := int(col[r])
		if c == models.MissingBin {
			nmiss++
			continue
		}
		lo = min(lo, c)
		hi = max(hi, c)
	}
	if hi < 0 || lo == hi && nmiss == 0 {
		return true
	}
	t := models.MissingBin - 1
	if lo < hi {
		t = lo + g.rng.IntN(hi-lo)
	}
	cum, miss := g.cum, g.lst2
	clear(cum)
	clear(miss)
	// Branch-free sums of the rows with code <= t (a random threshold
	// makes that branch unpredictable); missing rows (code 255 > t) drop
	// out and are summed apart. Adding a masked +0 leaves sums unchanged.
	wt := g.wt
	cnt := 0
	if g.ts.k == 0 {
		wy := g.wy
		var w, s float64
		for _, r := range rows {
			keep := uint64(int64(int(col[r])-t-1) >> 63) // all ones iff code <= t
			cnt += int(keep & 1)
			w += math.Float64frombits(math.Float64bits(wt[r]) & keep)
			s += math.Float64frombits(math.Float64bits(wy[r]) & keep)
		}
		cum[1], cum[2] = w, s
		if nmiss > 0 {
			for _, r := range rows {
				if col[r] == models.MissingBin {
					miss[0]++
					miss[1] += wt[r]
					miss[2] += wy[r]
				}
			}
		}
	} else {
		cls := g.ts.cls
		for _, r := range rows {
			keep := uint64(int64(int(col[r])-t-1) >> 63)
			cnt += int(keep & 1)
			cum[1+cls[r]] += math.Float64frombits(math.Float64bits(wt[r]) & keep)
		}
		if nmiss > 0 {
			for _, r := range rows {
				if col[r] == models.MissingBin {
					miss[0]++
					miss[1+cls[r]] += wt[r]
				}
			}
		}
	}
	cum[0] = float64(cnt)
	if nmiss == 0 {
		miss = nil
	}
	if lo == hi {
		g.tryMissingOnly(j, miss, tot, best)
	} else {
		g.tryNumeric(j, t, cum, miss, tot, best)
	}
	return false
}

// evalCategorical orders the node's categories of feature j (missing counts
// as one) by mean target, or by a class's share, and tries every prefix as
// the left set (Breiman's trick; for multiclass one ordering per class, or
// only the node's majority class when there are more than 4 classes).
// Extra-Trees tries one random prefix of one ordering.
func (g *grower) evalCategorical(j int, v []float64, bm *[4]uint64, hasMiss bool, tot []float64, best *split) {
	S := g.ts.stride
	g.cats = append(g.cats[:0], g.bins...)
	if hasMiss {
		g.cats = append(g.cats, models.MissingBin)
	}
	k := g.ts.k
	var classes []int
	switch {
	case k == 0:
		classes = []int{-1}
	case k == 2:
		classes = []int{1}
	case g.cfg.Kind == ExtraTrees:
		classes = []int{g.rng.IntN(k)}
	case k <= 4:
		classes = []int{0, 1, 2, 3}[:k]
	default:
		top := 0
		for c := 1; c < k; c++ {
			if tot[1+c] > tot[1+top] {
				top = c
			}
		}
		classes = []int{top}
	}
	for _, c := range classes {
		for _, b := range g.cats {
			e := v[int(b)*S : int(b)*S+S]
			w := g.weight(e)
			switch {
			case w <= 0:
				g.key[b] = 0
			case c < 0:
				g.key[b] = e[2] / w
			default:
				g.key[b] = e[1+c] / w
			}
		}
		order := g.cats
		// Insertion sort by key; ties keep code order (the list starts sorted).
		for a := 1; a < len(order); a++ {
			x := order[a]
			b := a - 1
			for b >= 0 && g.key[order[b]] > g.key[x] {
				order[b+1] = order[b]
				b--
			}
			order[b+1] = x
		}
		first, last := 1, len(order)-1
		if g.cfg.Kind == ExtraTrees {
			first = 1 + g.rng.IntN(len(order)-1)
			last = first
		}
		cum := g.cum
		clear(cum)
		for p := 1; p <= last; p++ {
			b := order[p-1]
			addTo(cum, v[int(b)*S:int(b)*S+S])
			if p < first {
				continue
			}
			if pr, wl, wr := g.candidate(cum, tot); pr > best.proxy {
				*best = split{ok: true, feat: j, cat: true, missKnown: hasMiss, proxy: pr, wl: wl, wr: wr}
				for _, c := range order[:p] {
					if c == models.MissingBin {
						best.missLeft = true
					} else {
						best.set[c>>6] |= 1 << (c & 63)
					}
				}
				if wl >= wr {
					// Categories absent from the node follow the larger side.
					for w := range best.set {
						best.set[w] |= ^bm[w]
					}
					best.set[3] &^= 1 << 63
				}
			}
		}
		// Restore code order for the next ordering.
		if len(classes) > 1 {
			g.cats = append(g.cats[:0], g.bins...)
			if hasMiss {
				g.cats = append(g.cats, models.MissingBin)
			}
		}
	}
}
