package forest

import "github.com/automl-agent/automl/models"

// Node flags.
const (
	flagMissLeft uint8 = 1 << iota // NaN (and unseen categories) go left
	flagCat                        // categorical split: left iff the code's bit is set
)

// node is one node of a flat tree. An internal node sends a row to child
// (left) or child+1 (right); a leaf has feat < 0 and child is the offset of
// its value(s) in tree.values.
type node struct {
	// thr is the numeric threshold: left iff x <= thr.
	thr float64
	// feat is the split feature, or -1 for a leaf.
	feat int32
	// child is the left child's index (internal) or the value offset (leaf).
	child int32
	// cat is the offset of the left-category bitset in tree.cats.
	cat int32
	// flags holds flagMissLeft and flagCat.
	flags uint8
}

// tree is one fitted tree, laid out for prediction. Children of a node are
// adjacent and come after it, so traversal always terminates.
type tree struct {
	nodes  []node
	values []float64 // per leaf: 1 value (regression) or K probabilities
	cats   []uint64  // left-category bitsets of categorical splits
}

// leaf returns the value offset of the leaf that row i of X reaches.
// catWords[j] is the bitset length (in words) of categorical feature j.
func (t *tree) leaf(X [][]float64, i int, catWords []uint8) int32 {
	nodes := t.nodes
	k := int32(0)
	for {
		nd := &nodes[k]
		if nd.feat < 0 {
			return nd.child
		}
		v := X[nd.feat][i]
		var left bool
		if nd.flags&flagCat == 0 {
			if v <= nd.thr {
				left = true
			} else if v != v {
				left = nd.flags&flagMissLeft != 0
			}
		} else {
			code := int(models.CategoryCode(v))
			if code == models.MissingBin || code >= 64*int(catWords[nd.feat]) {
				left = nd.flags&flagMissLeft != 0
			} else {
				left = t.cats[int(nd.cat)+code>>6]&(1<<(code&63)) != 0
			}
		}
		if left {
			k = nd.child
		} else {
			k = nd.child + 1
		}
	}
}
