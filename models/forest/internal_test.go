package forest

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
)

// newTestGrower fits nothing: it prepares a grower on d as Fit would.
func newTestGrower(t *testing.T, d *models.Data, c Config) *grower {
	c = c.withDefaults()
	ts, err := newTrainSet(d, c)
	require.NoError(t, err)
	return newGrower(ts, c, c.tries(ts.f, ts.k))
}

func TestBootstrapSample(t *testing.T) {
	d := regData(10000, 3, 1)
	for _, tc := range []struct {
		name     string
		c        Config
		distinct float64 // expected fraction of distinct rows
		total    float64 // expected total weight / n
	}{
		{"bootstrap", Config{Kind: RandomForest}, 1 - 0.36788, 1},
		{"half", Config{Kind: RandomForest, MaxSamples: 0.5}, 1 - 0.60653, 0.5},
		{"no-bootstrap", Config{Kind: RandomForest, NoBootstrap: true}, 1, 1},
		{"extra-trees", Config{Kind: ExtraTrees}, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newTestGrower(t, d, tc.c)
			g.rng = rand.New(rand.NewPCG(1, 2))
			g.sample()
			var w float64
			for _, v := range g.wt {
				w += v
			}
			assert.InDelta(t, tc.distinct, float64(len(g.idx))/10000, 0.015)
			assert.InDelta(t, tc.total, w/10000, 1e-9)
		})
	}
}

func TestSubtractMatchesDirectBuild(t *testing.T) {
	for _, k := range []int{0, 2, 3} {
		d := regData(3000, 4, 2)
		for i := range d.X[1] {
			d.X[1][i] = float64(i % 5)
		}
		d.X[1][7] = 100 // a lone value: its bin is empty in the right rows
		if k > 0 {
			d.NumClasses = k
			for i := range d.Y {
				d.Y[i] = float64(i % k)
			}
		}
		g := newTestGrower(t, d, Config{Kind: CART})
		g.rng = rand.New(rand.NewPCG(1, 2))
		g.sample()
		parent, child, direct := g.getHist(), g.getHist(), g.getHist()
		g.buildAll(parent, g.idx)
		left := g.idx[:1000] // any subset of the parent's rows
		right := g.idx[1000:]
		g.buildAll(child, left)
		g.subtract(parent, child)
		g.buildAll(direct, right)
		assert.Equal(t, direct.bm, parent.bm, "k=%d", k)
		assert.InDeltaSlice(t, direct.v, parent.v, 1e-9, "k=%d", k)
	}
}

// expanded returns a copy of m whose pure and sparse leaves carry their K
// probabilities in values, as every leaf did in format version 1.
func expanded(m *Forest) *Forest {
	k := m.numClasses
	out := *m
	out.trees = make([]tree, len(m.trees))
	for ti, t := range m.trees {
		e := tree{nodes: append([]node(nil), t.nodes...), values: append([]float64(nil), t.values...), cats: t.cats}
		for i := range e.nodes {
			nd := &e.nodes[i]
			if !nd.isLeaf() || (nd.child >= 0 && nd.thr == 0) {
				continue
			}
			v := make([]float64, k)
			t.addLeaf(v, nd)
			nd.child, nd.thr = int32(len(e.values)), 0
			e.values = append(e.values, v...)
		}
		out.trees[ti] = e
	}
	return &out
}

// leafKinds counts m's pure, sparse and dense classification leaves.
func leafKinds(m *Forest) (pure, sparse, dense int) {
	for _, tr := range m.trees {
		for _, nd := range tr.nodes {
			switch {
			case !nd.isLeaf():
			case nd.child < 0:
				pure++
			case nd.thr > 0:
				sparse++
			default:
				dense++
			}
		}
	}
	return pure, sparse, dense
}

// sameBits requires got to hold want's k-class predictions bit for bit.
func sameBits(t *testing.T, want, got []float64, k int) {
	t.Helper()
	for i := range want {
		require.Equal(t, math.Float64bits(want[i]), math.Float64bits(got[i]), "k=%d row %d", k, i/k)
	}
}

// TestCompactLeavesMatchFullLeaves: pure leaves stored as their class and
// sparse ones as (class, probability) pairs predict bit for bit what their
// K probabilities did, in less room, and version 1 bytes (every leaf with K
// probabilities) still decode to the same predictions; a class index or a
// pair count in version 1 bytes, and a bad pair, are errors.
func TestCompactLeavesMatchFullLeaves(t *testing.T) {
	for _, k := range []int{3, 9} {
		d := xorData(3000, 4, 21)
		d.NumClasses = k
		r := rand.New(rand.NewPCG(5, uint64(k)))
		for i := range d.Y {
			if i%4 == 1 {
				d.Y[i] = float64(r.IntN(k)) // label noise: leaves of 3+ rows are often impure
			}
		}
		m, err := New(Config{Kind: RandomForest, Trees: 10, MinSamplesLeaf: 3})
		require.NoError(t, err)
		require.NoError(t, m.Fit(t.Context(), d))
		pure, sparse, dense := leafKinds(m)
		require.Positive(t, pure, "k=%d", k)
		require.Positive(t, dense, "k=%d", k) // 2 of 3 classes is dense; 5 of 9 too
		if k == 9 {
			require.Positive(t, sparse)
		} else {
			require.Zero(t, sparse) // one pair is pure; two take more room than 3 values
		}

		full := expanded(m)
		want := predict(t, full, d, k)
		sameBits(t, want, predict(t, m, d, k), k)
		if saved := full.SizeBytes() - int64(pure*k*8); sparse > 0 {
			assert.Less(t, m.SizeBytes(), saved)
		} else {
			assert.Equal(t, m.SizeBytes(), saved)
		}

		b1, err := full.MarshalBinary()
		require.NoError(t, err)
		b1[len(magic)] = 1
		var back Forest
		require.NoError(t, back.UnmarshalBinary(b1))
		sameBits(t, want, predict(t, &back, d, k), k)

		b2, err := m.MarshalBinary()
		require.NoError(t, err)
		assert.Equal(t, byte(2), b2[len(magic)])
		require.NoError(t, back.UnmarshalBinary(b2))
		sameBits(t, want, predict(t, &back, d, k), k)
		b2[len(magic)] = 1
		assert.ErrorContains(t, new(Forest).UnmarshalBinary(b2), "in version 1 bytes")
		b2[len(magic)] = 3
		assert.ErrorIs(t, new(Forest).UnmarshalBinary(b2), ErrFormat)
	}
}

// TestCheckLeaf: decoded classification leaves that would index out of
// range are rejected.
func TestCheckLeaf(t *testing.T) {
	tr := tree{values: []float64{0.5, 0.5, 2, 0.25, 1, 0.75}}
	for _, tc := range []struct {
		nd   node
		want string
	}{
		{node{child: -3}, ""},
		{node{child: -4}, "leaf class 3 out of range"},
		{node{child: 3}, ""},
		{node{child: 4}, "offset 4 out of range"},
		{node{child: 2, thr: 2}, ""},
		{node{child: 3, thr: 1}, "leaf class 0.25"},
		{node{child: 4, thr: 2}, "offset 4 out of range"},
		{node{child: 2, thr: 1.5}, "pair count 1.5"},
		{node{child: 2, thr: 4}, "pair count 4"},
		{node{child: 2, thr: math.NaN()}, "pair count NaN"},
		{node{child: 0, thr: 1}, "leaf class 0.5"},
	} {
		err := tr.checkLeaf(&tc.nd, 3, 2)
		if tc.want == "" {
			assert.NoError(t, err, "%+v", tc.nd)
		} else {
			assert.ErrorContains(t, err, tc.want, "%+v", tc.nd)
		}
	}
	tr.values[2] = 3 // class 3 of 3
	assert.ErrorContains(t, tr.checkLeaf(&node{child: 2, thr: 2}, 3, 2), "leaf class 3")
	tr.values[2] = -1
	assert.ErrorContains(t, tr.checkLeaf(&node{child: 2, thr: 2}, 3, 2), "leaf class -1")
}
