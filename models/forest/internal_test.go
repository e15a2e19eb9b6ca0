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

// expanded returns a copy of m whose pure leaves carry their K
// probabilities in values, as every leaf did in format version 1.
func expanded(m *Forest) *Forest {
	k := m.numClasses
	out := *m
	out.trees = make([]tree, len(m.trees))
	for ti, t := range m.trees {
		e := tree{nodes: append([]node(nil), t.nodes...), values: append([]float64(nil), t.values...), cats: t.cats}
		for i := range e.nodes {
			nd := &e.nodes[i]
			if nd.isLeaf() && nd.child < 0 {
				v := make([]float64, k)
				v[-nd.child-1] = 1
				nd.child = int32(len(e.values))
				e.values = append(e.values, v...)
			}
		}
		out.trees[ti] = e
	}
	return &out
}

// TestPureLeavesMatchFullLeaves: a pure leaf stored as its class predicts
// bit for bit what its K probabilities did, takes 8K bytes less, and
// version 1 bytes (every leaf with K probabilities) still decode to the
// same predictions; a class index in version 1 bytes is an error.
func TestPureLeavesMatchFullLeaves(t *testing.T) {
	d := xorData(1500, 4, 21)
	d.NumClasses = 3
	for i := range d.Y {
		if i%5 == 1 {
			d.Y[i] = 2 // label noise: leaves of 3+ rows are often impure
		}
	}
	m, err := New(Config{Kind: RandomForest, Trees: 10, MinSamplesLeaf: 3})
	require.NoError(t, err)
	require.NoError(t, m.Fit(t.Context(), d))
	var pure, impure int
	for _, tr := range m.trees {
		for _, nd := range tr.nodes {
			if nd.isLeaf() && nd.child < 0 {
				pure++
			} else if nd.isLeaf() {
				impure++
			}
		}
	}
	require.Positive(t, pure)
	require.Positive(t, impure)

	full := expanded(m)
	want, got := predict(t, full, d, 3), predict(t, m, d, 3)
	for i := range want {
		require.Equal(t, math.Float64bits(want[i]), math.Float64bits(got[i]), "row %d", i/3)
	}
	assert.Equal(t, full.SizeBytes()-m.SizeBytes(), int64(pure*3*8))

	b1, err := full.MarshalBinary()
	require.NoError(t, err)
	b1[len(magic)] = 1
	var back Forest
	require.NoError(t, back.UnmarshalBinary(b1))
	got = predict(t, &back, d, 3)
	for i := range want {
		require.Equal(t, math.Float64bits(want[i]), math.Float64bits(got[i]), "row %d", i/3)
	}

	b2, err := m.MarshalBinary()
	require.NoError(t, err)
	assert.Equal(t, byte(2), b2[len(magic)])
	assert.Less(t, len(b2), len(b1)-pure*3*8+100)
	b2[len(magic)] = 1
	assert.ErrorContains(t, new(Forest).UnmarshalBinary(b2), "leaf class")
	b2[len(magic)] = 3
	assert.ErrorIs(t, new(Forest).UnmarshalBinary(b2), ErrFormat)
}
