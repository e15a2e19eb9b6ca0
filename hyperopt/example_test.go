package hyperopt_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/automl-agent/automl/hyperopt"
)

// TPE minimizes a 2-D quadratic with a categorical switch, proposing one
// configuration at a time from the history so far; each proposal's random
// stream is derived from the seed and the trial index, so the run is
// reproducible.
func Example_tpe() {
	space := hyperopt.Space{
		{Name: "x", Kind: hyperopt.Float, Low: -5, High: 5},
		{Name: "lr", Kind: hyperopt.Float, Low: 1e-4, High: 1, Log: true},
		{Name: "kind", Kind: hyperopt.Categorical, Choices: []any{"slow", "fast"}},
	}
	loss := func(cfg map[string]any) float64 {
		x, lr := cfg["x"].(float64), math.Log10(cfg["lr"].(float64))
		l := (x-1)*(x-1) + (lr+2)*(lr+2)
		if cfg["kind"] == "slow" {
			l += 1
		}
		return l
	}
	for _, s := range []struct {
		name    string
		sampler hyperopt.Sampler
	}{
		{"random", hyperopt.Random{Space: space}},
		{"tpe", hyperopt.DefaultSampler(space)},
	} {
		var hist []hyperopt.Observation
		for i := range 60 {
			cfg, err := s.sampler.Next(rand.New(rand.NewPCG(1, uint64(i))), i, hist)
			if err != nil {
				fmt.Println(err)
				return
			}
			hist = append(hist, hyperopt.Observation{Trial: i, Config: cfg, Loss: loss(cfg)})
		}
		best := hist[0]
		for _, o := range hist {
			if o.Loss < best.Loss {
				best = o
			}
		}
		fmt.Printf("%s: %d trials, best loss %.2f (%v)\n", s.name, len(hist), best.Loss, best.Config["kind"])
	}
	// Output:
	// random: 60 trials, best loss 0.33 (fast)
	// tpe: 60 trials, best loss 0.04 (fast)
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
