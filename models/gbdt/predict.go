package gbdt

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/automl-agent/automl/models"
)

// pnode is a node of the prediction layout: 16 bytes, children adjacent.
// A row goes to left+1 when its value v > thr, or when v is NaN and the
// nanRight bit is set; otherwise to left. A leaf is a node that loops to
// itself (left = its own index, thr = +Inf, nanRight clear), so every row
// can walk a fixed number of steps (the tree depth) without a leaf test.
type pnode struct {
	thr  float64 // numeric threshold; for a categorical node, the offset of its set in forest.cats
	feat uint32  // feature | flag bits
	left int32
}

const (
	pnNaNRight = 1 << 31 // NaN goes to the right child
	pnCat      = 1 << 30 // categorical split: right when the code's bit is clear
	pnFeat     = pnCat - 1
)

// ptree locates one tree in forest.nodes.
type ptree struct {
	off int32
	// minDepth and depth are the least and largest leaf depths: every row
	// takes minDepth steps, then at most depth-minDepth more until it
	// reaches a leaf.
	minDepth, depth int32
}

// forest is the prediction layout of a model: every tree as a flat node
// array in breadth-first order, trees grouped by output (all trees of
// output 0 in round order, then output 1, ...), leaf values in vals at the
// leaf's node index. It is built once after Fit or UnmarshalBinary and is
// read-only afterwards.
type forest struct {
	nodes  []pnode
	vals   []float64 // leaf value at a leaf's node index, 0 elsewhere
	cats   []uint64  // 4 words per categorical node
	trees  []ptree   // output c owns trees[c*rounds:(c+1)*rounds]
	hasCat bool
}

// buildForest converts m.trees into the prediction layout.
func buildForest(trees []tree, k int) *forest {
	f := &forest{trees: make([]ptree, 0, len(trees))}
	rounds := len(trees) / max(k, 1)
	queue := make([]int32, 0, 64)
	for c := range k {
		for r := range rounds {
			t := &trees[r*k+c]
			off := int32(len(f.nodes))
			// Breadth-first: entries of queue are node ids of t (>= 0) or
			// ^leaf; position p in queue is pnode off+p.
			queue = append(queue[:0], 0)
			if len(t.nodes) == 0 {
				queue[0] = ^int32(0)
			}
			depth := make([]int32, 1, 64)
			minDepth, maxDepth := int32(math.MaxInt32), int32(0)
			for p := 0; p < len(queue); p++ {
				id := queue[p]
				self := off + int32(p)
				if id < 0 {
					f.nodes = append(f.nodes, pnode{thr: math.Inf(1), left: self - off})
					f.vals = append(f.vals, t.leaves[^id])
					maxDepth = max(maxDepth, depth[p])
					minDepth = min(minDepth, depth[p])
					continue
				}
				nd := &t.nodes[id]
				pn := pnode{thr: nd.thr, feat: uint32(nd.feature), left: int32(len(queue))}
				if nd.cat >= 0 {
					pn.feat |= pnCat
					pn.thr = float64(len(f.cats))
					f.cats = append(f.cats, t.cats[int(nd.cat)*4:int(nd.cat)*4+4]...)
					f.hasCat = true
				} else if !nd.defLeft {
					pn.feat |= pnNaNRight
				}
				f.nodes = append(f.nodes, pn)
				f.vals = append(f.vals, 0)
				queue = append(queue, nd.left, nd.right)
				depth = append(depth, depth[p]+1, depth[p]+1)
			}
			f.trees = append(f.trees, ptree{off: off, minDepth: minDepth, depth: maxDepth})
		}
	}
	return f
}

// predictRows is the number of rows scored together: their values are
// copied row-major into a buffer that stays in L1 while every tree runs
// over them.
func predictRows(nf int) int {
	return min(256, max(16, (16<<10)/max(nf, 1)))
}

// parallelRows is the least number of rows rawTo spreads over
// goroutines. Below it the caller's goroutine predicts alone: a small
// batch gains little from a fan-out, and concurrent callers (a server
// answering one record per request) would queue behind each other's
// goroutines, which stretches the tail latency.
const parallelRows = 2048

// rawTo writes raw scores (n×k row-major) into dst: base score plus the
// trees' leaf values in round order, per output. Batches of at least
// parallelRows rows are scored on up to GOMAXPROCS goroutines.
func (m *Model) rawTo(dst []float64, X [][]float64, n int) {
	f := m.forest
	k := m.k
	nf := len(X)
	br := min(predictRows(nf), max(n, 1))
	nblocks := (n + br - 1) / br
	rounds := len(f.trees) / k
	do := func(b int, buf, acc []float64) {
		lo, hi := b*br, min((b+1)*br, n)
		rows := hi - lo
		buf = buf[:rows*nf]
		for j, col := range X {
			col = col[lo:hi]
			for i, v := range col {
				buf[i*nf+j] = v
			}
		}
		acc = acc[:rows]
		for c := range k {
			for i := range acc {
				acc[i] = m.base[c]
			}
			for _, t := range f.trees[c*rounds : (c+1)*rounds] {
				if f.hasCat {
					f.walkCat(acc, buf, nf, t)
				} else {
					f.walk(acc, buf, nf, t)
				}
			}
			out := dst[lo*k : hi*k]
			for i, v := range acc {
				out[i*k+c] = v
			}
		}
	}
	workers := min(runtime.GOMAXPROCS(0), nblocks)
	if n < parallelRows {
		workers = 1
	}
	if workers <= 1 {
		buf, acc := make([]float64, br*nf), make([]float64, br)
		for b := range nblocks {
			do(b, buf, acc)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			buf, acc := make([]float64, br*nf), make([]float64, br)
			for {
				b := int(next.Add(1) - 1)
				if b >= nblocks {
					return
				}
				do(b, buf, acc)
			}
		})
	}
	wg.Wait()
}

// b2i is 1 for true (compiled without a branch).
func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

// step moves one level down from node n for row x (numeric splits only).
func step(nodes []pnode, n int32, x []float64) int32 {
	nd := &nodes[n]
	v := x[nd.feat&pnFeat]
	r := b2i(v > nd.thr)
	if v != v {
		r = int32(nd.feat >> 31)
	}
	return nd.left + r
}

// walk adds tree t's leaf value to acc[i] for each row i of buf (row-major,
// nf values per row), four rows at a time so their walks overlap.
func (f *forest) walk(acc, buf []float64, nf int, t ptree) {
	nodes := f.nodes[t.off:]
	vals := f.vals[t.off:]
	rows := len(acc)
	i := 0
	for ; i+4 <= rows; i += 4 {
		x0 := buf[i*nf : (i+1)*nf]
		x1 := buf[(i+1)*nf : (i+2)*nf]
		x2 := buf[(i+2)*nf : (i+3)*nf]
		x3 := buf[(i+3)*nf : (i+4)*nf]
		var n0, n1, n2, n3 int32
		for range t.minDepth {
			n0 = step(nodes, n0, x0)
			n1 = step(nodes, n1, x1)
			n2 = step(nodes, n2, x2)
			n3 = step(nodes, n3, x3)
		}
		// A leaf loops to itself: stop when no row moved.
		for range t.depth - t.minDepth {
			m0 := step(nodes, n0, x0)
			m1 := step(nodes, n1, x1)
			m2 := step(nodes, n2, x2)
			m3 := step(nodes, n3, x3)
			if m0 == n0 && m1 == n1 && m2 == n2 && m3 == n3 {
				break
			}
			n0, n1, n2, n3 = m0, m1, m2, m3
		}
		a := acc[i : i+4]
		a[0] += vals[n0]
		a[1] += vals[n1]
		a[2] += vals[n2]
		a[3] += vals[n3]
	}
	for ; i < rows; i++ {
		x := buf[i*nf : (i+1)*nf]
		var n int32
		for range t.minDepth {
			n = step(nodes, n, x)
		}
		for range t.depth - t.minDepth {
			m := step(nodes, n, x)
			if m == n {
				break
			}
			n = m
		}
		acc[i] += vals[n]
	}
}

// walkCat is walk for forests with categorical splits.
func (f *forest) walkCat(acc, buf []float64, nf int, t ptree) {
	nodes := f.nodes[t.off:]
	vals := f.vals[t.off:]
	for i := range acc {
		x := buf[i*nf : (i+1)*nf]
		var n int32
		for range t.depth {
			nd := &nodes[n]
			v := x[nd.feat&pnFeat]
			var r int32
			switch {
			case nd.feat&pnCat != 0:
				c := models.CategoryCode(v)
				r = 1 - int32(f.cats[int(nd.thr)+int(c>>6)]>>(c&63)&1)
			case v != v:
				r = int32(nd.feat >> 31)
			default:
				r = b2i(v > nd.thr)
			}
			n = nd.left + r
		}
		acc[i] += vals[n]
	}
}
