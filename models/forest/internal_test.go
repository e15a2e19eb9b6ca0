package forest

import (
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
