package hyperopt

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// toySpace is a 4-D quadratic with a categorical switch and a parameter
// active only for one branch.
var toySpace = Space{
	{Name: "x1", Kind: Float, Low: -5, High: 5},
	{Name: "x2", Kind: Float, Low: -5, High: 5},
	{Name: "lr", Kind: Float, Low: 1e-4, High: 1, Log: true},
	{Name: "n", Kind: Int, Low: 1, High: 200, Log: true},
	{Name: "kind", Kind: Categorical, Choices: []any{"a", "b", "c"}},
	{Name: "y", Kind: Float, Low: -3, High: 3, Cond: &Cond{Param: "kind", In: []any{"b"}}},
}

func toyLoss(cfg map[string]any) float64 {
	x1 := cfg["x1"].(float64)
	x2 := cfg["x2"].(float64)
	lr := math.Log10(cfg["lr"].(float64))
	n := math.Log(float64(cfg["n"].(int)))
	loss := (x1-1)*(x1-1) + (x2+2)*(x2+2) + (lr+2)*(lr+2) + (n-math.Log(20))*(n-math.Log(20))
	switch cfg["kind"] {
	case "a":
		loss += 2
	case "b":
		y := cfg["y"].(float64)
		loss += (y - 1) * (y - 1)
	case "c":
		loss += 4
	}
	return loss
}

// sequential runs a sampler one trial at a time and returns the best loss.
func sequential(t testing.TB, s Sampler, seed uint64, trials int) float64 {
	var hist []Observation
	best := math.Inf(1)
	for i := range trials {
		cfg, err := s.Next(rand.New(rand.NewPCG(seed, uint64(i))), i, hist)
		require.NoError(t, err)
		l := toyLoss(cfg)
		best = math.Min(best, l)
		hist = append(hist, Observation{Trial: i, Config: cfg, Loss: l})
	}
	return best
}

func TestTPEBeatsRandom(t *testing.T) {
	const seeds, trials = 20, 60
	var sumT, sumR float64
	for seed := range uint64(seeds) {
		sumT += sequential(t, &TPE{Space: toySpace}, seed, trials)
		sumR += sequential(t, Random{Space: toySpace}, seed, trials)
	}
	meanT, meanR := sumT/seeds, sumR/seeds
	t.Logf("mean best loss over %d seeds, %d trials: TPE %.3f, random %.3f (ratio %.2f)", seeds, trials, meanT, meanR, meanT/meanR)
	assert.Less(t, meanT, 0.6*meanR, "TPE should beat random search by a clear margin")
}
