package gbdt

import "github.com/automl-agent/automl/models"

// node is an internal node of a flat tree. A child index c >= 0 is another
// node; c < 0 is the leaf ^c. Children always have larger indices than
// their parent, so traversal terminates.
type node struct {
	// thr is the upper edge of bin binThr: a numeric value v goes left
	// when v <= thr (NaN follows defLeft).
	thr         float64
	feature     int32
	left, right int32
	// cat is the index of the node's 256-bit left set in tree.cats, or
	// -1 for a numeric split. Categorical values go left when the bit of
	// their code (models.CategoryCode, NaN = 255) is set.
	cat int32
	// gain is the split's loss reduction (for importances).
	gain    float32
	binThr  uint8
	defLeft bool
}

// tree is one regression tree in flat layout.
type tree struct {
	nodes  []node
	leaves []float64 // leaf outputs, learning rate included
	cats   []uint64  // 4 words per categorical split
}

// leafBinned returns the leaf reached by row i of binned codes.
func (t *tree) leafBinned(codes [][]uint8, i int) int {
	if len(t.nodes) == 0 {
		return 0
	}
	n := int32(0)
	for {
		nd := &t.nodes[n]
		c := codes[nd.feature][i]
		var left bool
		switch {
		case nd.cat >= 0:
			left = t.cats[int(nd.cat)*4+int(c>>6)]>>(c&63)&1 != 0
		case c == models.MissingBin:
			left = nd.defLeft
		default:
			left = c <= nd.binThr
		}
		next := nd.right
		if left {
			next = nd.left
		}
		if next < 0 {
			return int(^next)
		}
		n = next
	}
}

// depth returns the maximum depth of t (0 for a single leaf).
func (t *tree) depth() int {
	if len(t.nodes) == 0 {
		return 0
	}
	d := make([]int, len(t.nodes))
	best := 1
	for i, nd := range t.nodes {
		for _, c := range [2]int32{nd.left, nd.right} {
			if c >= 0 {
				d[c] = d[i] + 1
				best = max(best, d[c]+1)
			}
		}
	}
	return best
}
