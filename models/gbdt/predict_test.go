package gbdt

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
)

// leafRaw returns the leaf reached by row i of X (column-major, raw values).
func (t *tree) leafRaw(X [][]float64, i int) int {
	if len(t.nodes) == 0 {
		return 0
	}
	n := int32(0)
	for {
		nd := &t.nodes[n]
		v := X[nd.feature][i]
		var left bool
		switch {
		case nd.cat >= 0:
			c := models.CategoryCode(v)
			left = t.cats[int(nd.cat)*4+int(c>>6)]>>(c&63)&1 != 0
		case nd.defLeft:
			left = !(v > nd.thr)
		default:
			left = v <= nd.thr
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

// refRaw is the straightforward reference for rawTo: the base score plus
// each tree's leaf, walked node by node on the raw values, in tree order.
func refRaw(m *Model, X [][]float64) []float64 {
	n := len(X[0])
	out := make([]float64, n*m.k)
	for i := range n {
		for c := range m.k {
			out[i*m.k+c] = m.base[c]
		}
		for ti := range m.trees {
			t := &m.trees[ti]
			out[i*m.k+ti%m.k] += t.leaves[t.leafRaw(X, i)]
		}
	}
	return out
}

// noisyRows returns n random rows like synth's, with NaN in every feature
// and unseen category codes (negative, large, fractional).
func noisyRows(n, p int, catCol int, seed uint64) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 3))
	X := make([][]float64, p)
	for j := range X {
		X[j] = make([]float64, n)
		for i := range X[j] {
			switch {
			case rng.IntN(8) == 0:
				X[j][i] = math.NaN()
			case j == catCol:
				X[j][i] = []float64{-1, 0, 3, 6.5, 7, 11, 12, 40, 300}[rng.IntN(9)]
			default:
				X[j][i] = 1.5 * rng.NormFloat64()
			}
		}
	}
	return X
}

func TestPredictMatchesReferenceWalk(t *testing.T) {
	cases := []struct {
		name    string
		classes int
		cat     bool
		p       models.Params
	}{
		{"binary leaf-wise categorical", 2, true, models.Params{"max_leaves": 31, "min_data_in_leaf": 5}},
		{"regression depth 6", 0, false, models.Params{"max_depth": 6, "max_leaves": 64, "min_data_in_leaf": 0}},
		{"regression deep", 0, true, models.Params{"max_leaves": 63, "min_data_in_leaf": 1}},
		{"multiclass categorical", 4, true, models.Params{"max_leaves": 15}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := synth(3000, 6, tc.classes, tc.cat, 41)
			m := fit(t, d, models.Params{"num_rounds": 15, "max_rounds": 15}.Merge(tc.p))
			X := noisyRows(1037, 6, 1, 42)
			want := refRaw(m, X)
			got := m.rawScores(X)
			require.Len(t, got, len(want))
			for i := range want {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("row %d output %d: got %v, want %v", i/m.k, i%m.k, got[i], want[i])
				}
			}
			// Predict applies the link to the same raw scores.
			out := predict(t, m, X)
			switch m.obj {
			case objBinary:
				for i := range want {
					assert.Equal(t, sigmoid(want[i]), out[2*i+1])
				}
			case objMulticlass:
				softmaxRows(want, want, m.k)
				assert.Equal(t, want, out)
			default:
				assert.Equal(t, want, out)
			}
		})
	}
}

func TestPredictSingleLeafTrees(t *testing.T) {
	// A constant target gives trees without splits.
	d := synth(200, 3, 0, false, 5)
	for i := range d.Y {
		d.Y[i] = 2.5
	}
	m := fit(t, d, models.Params{"num_rounds": 3})
	X := noisyRows(10, 3, -1, 6)
	assert.Equal(t, refRaw(m, X), m.rawScores(X))
}
