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

func TestTPEConditionalParams(t *testing.T) {
	var hist []Observation
	tpe := &TPE{Space: toySpace, Startup: 5}
	for i := range 80 {
		cfg, err := tpe.Next(rand.New(rand.NewPCG(7, uint64(i))), i, hist)
		require.NoError(t, err)
		_, hasY := cfg["y"]
		assert.Equal(t, cfg["kind"] == "b", hasY, "trial %d: y must be present exactly when kind is b: %v", i, cfg)
		assert.Len(t, cfg, 5+map[bool]int{true: 1}[hasY])
		hist = append(hist, Observation{Trial: i, Config: cfg, Loss: toyLoss(cfg)})
	}
}

func TestTPEValuesInRange(t *testing.T) {
	space := Space{
		{Name: "f", Kind: Float, Low: 2, High: 3},
		{Name: "lf", Kind: Float, Low: 1e-3, High: 1e3, Log: true},
		{Name: "i", Kind: Int, Low: 0, High: 4},
		{Name: "li", Kind: Int, Low: 1, High: 1000, Log: true},
		{Name: "one", Kind: Int, Low: 5, High: 5},
		{Name: "c", Kind: Categorical, Choices: []any{true, false}},
	}
	var hist []Observation
	tpe := &TPE{Space: space, Startup: 3}
	for i := range 60 {
		cfg, err := tpe.Next(rand.New(rand.NewPCG(1, uint64(i))), i, hist)
		require.NoError(t, err)
		require.Len(t, cfg, len(space))
		assert.GreaterOrEqual(t, cfg["f"].(float64), 2.0)
		assert.LessOrEqual(t, cfg["f"].(float64), 3.0)
		assert.GreaterOrEqual(t, cfg["lf"].(float64), 1e-3)
		assert.LessOrEqual(t, cfg["lf"].(float64), 1e3)
		assert.GreaterOrEqual(t, cfg["i"].(int), 0)
		assert.LessOrEqual(t, cfg["i"].(int), 4)
		assert.GreaterOrEqual(t, cfg["li"].(int), 1)
		assert.LessOrEqual(t, cfg["li"].(int), 1000)
		assert.Equal(t, 5, cfg["one"])
		assert.IsType(t, true, cfg["c"])
		// A loss favouring large i and c == true.
		loss := -float64(cfg["i"].(int))
		if cfg["c"] == true {
			loss -= 2
		}
		hist = append(hist, Observation{Trial: i, Config: cfg, Loss: loss})
	}
	// After the model kicks in, the good region dominates the proposals.
	var hits int
	for _, h := range hist[30:] {
		if h.Config["i"] == 4 && h.Config["c"] == true {
			hits++
		}
	}
	assert.Greater(t, hits, 15, "TPE should concentrate on i=4, c=true in the last 30 trials")
}

func TestTPEStartupIsRandom(t *testing.T) {
	tpe := &TPE{Space: toySpace}
	var hist []Observation
	for i := range 10 {
		got, err := tpe.Next(rand.New(rand.NewPCG(3, uint64(i))), i, hist)
		require.NoError(t, err)
		want := toySpace.Sample(rand.New(rand.NewPCG(3, uint64(i))))
		assert.Equal(t, want, got, "trial %d", i)
		hist = append(hist, Observation{Trial: i, Config: got, Loss: toyLoss(got)})
	}
	// With 10 observations the model is used: the proposal differs from a random draw.
	got, err := tpe.Next(rand.New(rand.NewPCG(3, 10)), 10, hist)
	require.NoError(t, err)
	assert.NotEqual(t, toySpace.Sample(rand.New(rand.NewPCG(3, 10))), got)
}

func TestTPEDeterministic(t *testing.T) {
	var hist []Observation
	for i := range 20 {
		cfg := toySpace.Sample(rand.New(rand.NewPCG(9, uint64(i))))
		hist = append(hist, Observation{Trial: i, Config: cfg, Loss: toyLoss(cfg)})
	}
	tpe := &TPE{Space: toySpace}
	a, err := tpe.Next(rand.New(rand.NewPCG(1, 2)), 20, hist)
	require.NoError(t, err)
	b, err := tpe.Next(rand.New(rand.NewPCG(1, 2)), 20, hist)
	require.NoError(t, err)
	assert.Equal(t, a, b)
}

func TestTPESplit(t *testing.T) {
	obs := func(budget, loss float64) Observation {
		return Observation{Config: map[string]any{}, Loss: loss, Budget: budget}
	}
	tests := []struct {
		name       string
		hist       []Observation
		ok         bool
		good, bad  int
		goodBudget float64
	}{
		{name: "too few", hist: []Observation{obs(0, 1), obs(0, 2)}, ok: false},
		{name: "all failed", hist: []Observation{obs(0, math.NaN()), obs(0, math.Inf(1)), obs(0, math.NaN())}, ok: false},
		{name: "one good", hist: []Observation{obs(0, 3), obs(0, 1), obs(0, 2)}, ok: true, good: 1, bad: 2},
		{name: "failed are bad", hist: []Observation{obs(0, math.NaN()), obs(0, 5), obs(0, math.Inf(1))}, ok: true, good: 1, bad: 2},
		{
			name: "largest budget with enough",
			hist: []Observation{obs(1, 1), obs(1, 2), obs(1, 3), obs(1, 4), obs(9, 5), obs(9, 6), obs(9, 7), obs(27, 0), obs(27, 0)},
			ok:   true, good: 1, bad: 2, goodBudget: 9,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := (&TPE{Startup: 3}).withDefaults()
			good, bad, ok := o.split(tc.hist)
			require.Equal(t, tc.ok, ok)
			assert.Len(t, good, tc.good)
			assert.Len(t, bad, tc.bad)
			for _, g := range good {
				assert.Equal(t, tc.goodBudget, g.Budget)
				for _, b := range bad {
					assert.True(t, b.Failed() || b.Loss >= g.Loss)
				}
			}
		})
	}
}

func TestTPEBadSpace(t *testing.T) {
	_, err := (&TPE{Space: Space{{Name: "c", Kind: Categorical}}}).Next(rand.New(rand.NewPCG(1, 1)), 0, nil)
	assert.ErrorIs(t, err, ErrSpace)
}

func TestParzenDensity(t *testing.T) {
	// The mixture density integrates to 1 over its range and peaks near the data.
	p := Param{Name: "x", Kind: Float, Low: 0, High: 10}
	obs := []Observation{
		{Config: map[string]any{"x": 2.0}}, {Config: map[string]any{"x": 2.5}}, {Config: map[string]any{"x": 3.0}},
	}
	pz := (&TPE{}).withDefaults().newParzen(p, obs)
	const n = 10000
	var integral float64
	for k := range n {
		x := (float64(k) + 0.5) / n * 10
		integral += math.Exp(pz.logPDF(x)) * 10 / n
	}
	assert.InDelta(t, 1, integral, 1e-3)
	assert.Greater(t, pz.logPDF(2.5), pz.logPDF(8))
}

func BenchmarkTPENext(b *testing.B) {
	var hist []Observation
	for i := range 200 {
		cfg := toySpace.Sample(rand.New(rand.NewPCG(9, uint64(i))))
		hist = append(hist, Observation{Trial: i, Config: cfg, Loss: toyLoss(cfg)})
	}
	tpe := &TPE{Space: toySpace}
	rng := rand.New(rand.NewPCG(1, 1))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tpe.Next(rng, 200, hist); err != nil {
			b.Fatal(err)
		}
	}
}
