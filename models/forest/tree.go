package forest

import (
	"math"

	"github.com/automl-agent/automl/models"
)

// Bits of node.feat.
const (
	featMask     = 1<<30 - 1 // the feature index
	flagMissLeft = 1 << 30   // NaN (and unseen categories) go left
	flagCat      = 1 << 31   // categorical split: left iff the code's bit is set
	leafMark     = featMask  // feat of a leaf
	maxFeatures  = featMask - 1
)

// node is one node of a flat tree, 16 bytes. An internal node sends a row to
// child (left) or child+1 (right).
type node struct {
	// thr is, for a numeric split, the threshold (left iff x <= thr); for a
	// categorical split, the offset of its left-category bitset in
	// tree.cats (as math.Float64bits); for a regression leaf, its value.
	thr float64
	// feat is the split feature with flag bits, or leafMark.
	feat uint32
	// child is the left child's index (internal) or, for a classification
	// leaf, -(c+1) for a pure leaf of class c (probability 1 for c, 0 for
	// the others) or the offset of its probabilities in tree.values: K of
	// them when thr is 0 (dense), else thr (class, probability) pairs for
	// the classes present (sparse, used when they take less room). Fully
	// grown classification trees end in pure leaves and deep ones in leaves
	// of few classes, so a K-class forest stays near 16 bytes a node
	// instead of 16+8K a leaf.
	child int32
}

func (nd *node) isLeaf() bool   { return nd.feat == leafMark }
func (nd *node) feature() int   { return int(nd.feat & featMask) }
func (nd *node) catOff() int    { return int(math.Float64bits(nd.thr)) }
func (nd *node) isCat() bool    { return nd.feat&flagCat != 0 }
func (nd *node) missLeft() bool { return nd.feat&flagMissLeft != 0 }

// tree is one fitted tree, laid out for prediction. Children of a node are
// adjacent and come after it, so traversal always terminates.
type tree struct {
	nodes  []node
	values []float64 // classification: probabilities of impure leaves
	cats   []uint64  // left-category bitsets of categorical splits
}

// leaf returns the leaf that row i of X reaches. catWords[j] is the bitset
// length (in words) of categorical feature j.
func (t *tree) leaf(X [][]float64, i int, catWords []uint8) *node {
	nodes := t.nodes
	nd := &nodes[0]
	for {
		if nd.feat == leafMark {
			return nd
		}
		f := nd.feat & featMask
		v := X[f][i]
		var left bool
		if nd.feat&flagCat == 0 {
			if v <= nd.thr {
				left = true
			} else if v != v {
				left = nd.feat&flagMissLeft != 0
			}
		} else {
			code := int(models.CategoryCode(v))
			if code == models.MissingBin || code >= 64*int(catWords[f]) {
				left = nd.feat&flagMissLeft != 0
			} else {
				left = t.cats[nd.catOff()+code>>6]&(1<<(code&63)) != 0
			}
		}
		if left {
			nd = &nodes[nd.child]
		} else {
			nd = &nodes[nd.child+1]
		}
	}
}

// addLeaf adds classification leaf nd's class probabilities to row (K
// values).
func (t *tree) addLeaf(row []float64, nd *node) {
	o := int(nd.child)
	switch {
	case o < 0:
		row[-o-1]++
	case nd.thr == 0:
		addTo(row, t.values[o:o+len(row)])
	default:
		pairs := t.values[o : o+2*int(nd.thr)]
		for j := 0; j < len(pairs); j += 2 {
			row[int(pairs[j])] += pairs[j+1]
		}
	}
}
