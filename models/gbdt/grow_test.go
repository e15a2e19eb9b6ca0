package gbdt

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
)

// TestPartitionParallelMatchesSerial checks the chunked parallel partition
// (and gather) of big nodes against a stable filter, for chunk counts that
// do and do not divide the node.
func TestPartitionParallelMatchesSerial(t *testing.T) {
	const n = parallelPartition*2 + 123
	rng := rand.New(rand.NewPCG(9, 9))
	col := make([]uint8, n)
	for i := range col {
		col[i] = uint8(rng.IntN(256))
	}
	bins := &models.Binned{N: n, Codes: [][]uint8{col, col}, Uppers: [][]float64{nil, nil}} // two features: workers start
	c, err := parseConfig(nil)
	require.NoError(t, err)
	var set [4]uint64
	for w := range set {
		set[w] = rng.Uint64()
	}
	splits := map[string]split{
		"numeric":      {feature: 0, thr: 100},
		"default left": {feature: 0, thr: 30, defLeft: true},
		"categorical":  {feature: 0, cat: true, set: set},
	}
	goesLeft := func(s split, c uint8) bool {
		switch {
		case s.cat:
			return s.set[c>>6]>>(c&63)&1 != 0
		case c == models.MissingBin:
			return s.defLeft
		}
		return c <= s.thr
	}
	for name, s := range splits {
		for _, threads := range []int{2, 3, 5} {
			t.Run(fmt.Sprintf("%s/threads=%d", name, threads), func(t *testing.T) {
				testPartition(t, &c, bins, col, s, threads, goesLeft)
			})
		}
	}
}

func testPartition(t *testing.T, c *config, bins *models.Binned, col []uint8, s split, threads int, goesLeft func(split, uint8) bool) {
	t.Helper()
	n := bins.N
	g := newGrower(c, bins, threads)
	defer g.close()
	require.True(t, g.parallel())
	// A node of every other row, from row 7 on.
	var node []int32
	for i := 7; i < n; i += 2 {
		node = append(node, int32(i))
	}
	copy(g.idx[7:], node)
	var want []int32
	for _, r := range node {
		if goesLeft(s, col[r]) {
			want = append(want, r)
		}
	}
	nleft := len(want)
	for _, r := range node {
		if !goesLeft(s, col[r]) {
			want = append(want, r)
		}
	}
	mid, err := g.partition(7, 7+len(node), &s)
	require.NoError(t, err)
	assert.Equal(t, 7+nleft, mid)
	assert.True(t, slices.Equal(want, g.idx[7:7+len(node)]))
	// gather follows the same chunks.
	for i := range g.gh {
		g.gh[i] = gpair{float32(i), 1}
	}
	rows := g.idx[7 : 7+len(node)]
	require.NoError(t, g.gather(g.ogh, rows))
	for k, r := range rows {
		require.Equal(t, float32(r), g.ogh[k].g)
	}
}

func TestPlanTasksCoversEveryFeatureOnce(t *testing.T) {
	c, err := parseConfig(nil)
	require.NoError(t, err)
	sizes := func(ts []featureRange) []int {
		var out []int
		for _, r := range ts {
			out = append(out, int(r.hi-r.lo))
		}
		return out
	}
	for _, tc := range []struct {
		nf, threads int
		par         []int
	}{
		{40, 2, []int{4, 4, 4, 4, 4, 4, 4, 4, 4, 4}},
		{12, 2, []int{4, 4, 1, 1, 1, 1}},
		{9, 2, []int{4, 4, 1}},
		{5, 2, []int{1, 1, 1, 1, 1}},
		{9, 3, []int{1, 1, 1, 1, 1, 1, 1, 1, 1}},
		{3, 1, nil},
	} {
		X := make([][]float64, tc.nf)
		for j := range X {
			X[j] = []float64{1, 2, 3}
		}
		g := newGrower(&c, mustBin(t, X), tc.threads)
		g.sampleFeatures(nil, tc.nf)
		assert.Equal(t, tc.par, sizes(g.parTasks), "nf %d threads %d", tc.nf, tc.threads)
		for _, plan := range [][]featureRange{g.serialTasks, g.parTasks} {
			if plan == nil {
				continue
			}
			next := int32(0)
			for _, r := range plan {
				require.Equal(t, next, r.lo)
				require.Greater(t, r.hi, r.lo)
				next = r.hi
			}
			require.Equal(t, int32(tc.nf), next)
		}
		g.close()
	}
}
