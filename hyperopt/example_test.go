package hyperopt_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/automl-agent/automl/hyperopt"
)

// TPE minimizes a 2-D quadratic with a categorical switch; the result is
// the same at any parallelism.
func Example_tpe() {
	space := hyperopt.Space{
		{Name: "x", Kind: hyperopt.Float, Low: -5, High: 5},
		{Name: "lr", Kind: hyperopt.Float, Low: 1e-4, High: 1, Log: true},
		{Name: "kind", Kind: hyperopt.Categorical, Choices: []any{"slow", "fast"}},
	}
	loss := func(ctx context.Context, i int, cfg map[string]any) (float64, error) {
		x, lr := cfg["x"].(float64), math.Log10(cfg["lr"].(float64))
		l := (x-1)*(x-1) + (lr+2)*(lr+2)
		if cfg["kind"] == "slow" {
			l += 1
		}
		return l, nil
	}
	opts := hyperopt.SearchOptions{MaxTrials: 60, Seed: 1, Parallelism: 4}
	for _, s := range []struct {
		name    string
		sampler hyperopt.Sampler
	}{
		{"random", hyperopt.Random{Space: space}},
		{"tpe", hyperopt.DefaultSampler(space)},
	} {
		obs, err := hyperopt.Search(context.Background(), opts, s.sampler, loss)
		if err != nil {
			fmt.Println(err)
			return
		}
		best := obs[0]
		for _, o := range obs {
			if o.Loss < best.Loss {
				best = o
			}
		}
		fmt.Printf("%s: %d trials, best loss %.2f (%v)\n", s.name, len(obs), best.Loss, best.Config["kind"])
	}
	// Output:
	// random: 60 trials, best loss 0.33 (fast)
	// tpe: 60 trials, best loss 0.02 (fast)
}

// Run executes independent trials; a failure or a panic stays with its
// trial.
func ExampleRun() {
	errs := hyperopt.Run(context.Background(), 3, 2, func(ctx context.Context, i int) error {
		switch i {
		case 1:
			return errors.New("diverged")
		case 2:
			panic("index out of range")
		}
		return nil
	})
	for i, err := range errs {
		fmt.Printf("trial %d: %v\n", i, err)
	}
	// Output:
	// trial 0: <nil>
	// trial 1: diverged
	// trial 2: hyperopt: trial panicked: trial 2: panic: index out of range
}

// Successive halving over nine configurations with budgets 1, 3, 9.
func ExampleHalving_Run() {
	quality := []float64{5, 9, 1, 7, 2, 3, 4, 8, 6}
	configs := make([]map[string]any, len(quality))
	for i := range configs {
		configs[i] = map[string]any{"id": i}
	}
	h := hyperopt.Halving{Eta: 3, MinBudget: 1, MaxBudget: 9}
	obs, err := h.Run(context.Background(), configs,
		func(ctx context.Context, i int, cfg map[string]any, budget float64) (float64, error) {
			return quality[i] / budget, nil
		})
	if err != nil {
		fmt.Println(err)
		return
	}
	rungs := map[float64][]int{}
	for _, o := range obs {
		rungs[o.Budget] = append(rungs[o.Budget], o.Trial)
	}
	fmt.Println("budget 1:", rungs[1])
	fmt.Println("budget 3:", rungs[3])
	fmt.Println("budget 9:", rungs[9])
	// Output:
	// budget 1: [0 1 2 3 4 5 6 7 8]
	// budget 3: [2 4 5]
	// budget 9: [2]
}

// A Portfolio evaluates known-good configurations first, then hands over
// to random search.
func ExamplePortfolio() {
	space := hyperopt.Space{{Name: "depth", Kind: hyperopt.Int, Low: 1, High: 12}}
	sampler := hyperopt.Portfolio{
		Configs: []map[string]any{{"depth": 6}, {"depth": 3}},
		Then:    hyperopt.Random{Space: space},
	}
	obs, _ := hyperopt.Search(context.Background(), hyperopt.SearchOptions{MaxTrials: 4, Seed: 7}, sampler,
		func(ctx context.Context, i int, cfg map[string]any) (float64, error) {
			return math.Abs(float64(cfg["depth"].(int)) - 4), nil
		})
	for _, o := range obs[:2] {
		fmt.Println(o.Trial, o.Config, o.Loss)
	}
	// Output:
	// 0 map[depth:6] 2
	// 1 map[depth:3] 1
}

// Budget learns the cost of a model family and says whether a trial fits.
func ExampleBudget() {
	b := hyperopt.NewBudget(context.Background(), time.Hour)
	b.SetPrior("gbdt", 1e-6) // seconds per row × feature, a guess
	fmt.Println(b.Estimate("gbdt", 100_000, 20))
	b.Observe("gbdt", 100_000, 20, 500*time.Millisecond) // measured: replaces the guess
	fmt.Println(b.Estimate("gbdt", 200_000, 20))
	fmt.Println(b.Fits(b.Estimate("gbdt", 200_000, 20)))
	// Output:
	// 2s
	// 1s
	// true
}

// Stream lets the next task depend on the results reported so far.
func ExampleStream() {
	step := 0
	best := math.Inf(1)
	err := hyperopt.Stream(context.Background(), 1,
		func() (float64, bool) { // next: stop once a good enough point is found
			if best < 0.5 || step == 10 {
				return 0, false
			}
			step++
			return float64(step), true
		},
		func(ctx context.Context, i int, x float64) (float64, error) { return math.Abs(x - 3), nil },
		func(i int, x, loss float64, err error) { // on the caller's goroutine, in order
			best = math.Min(best, loss)
			fmt.Printf("x=%v loss=%v\n", x, loss)
		})
	fmt.Println(err)
	// Output:
	// x=1 loss=2
	// x=2 loss=1
	// x=3 loss=0
	// <nil>
}
