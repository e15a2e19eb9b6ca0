package forest

import (
	"math"
	"math/bits"

	"github.com/automl-agent/automl/models"
)

// findSplit returns the best split of a node over a random subset of
// g.tries non-constant features (all features, in order, when tries covers
// them). h holds the node's histograms in full mode and is nil otherwise.
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
		var v []float64
		var bm *[4]uint64
		if g.full {
			v, bm = h.v[j*nbin*S:(j+1)*nbin*S], &h.bm[j]
		} else {
			v, bm = g.one.v, &g.one.bm[0]
			g.buildBlock(v, bm, g.ts.codes[j], rows)
		}
		if !g.evalFeature(j, v, bm, tot, &best) {
			visited++
		}
		if !g.full {
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
