package hyperopt

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
)

// Halving is successive halving (Jamieson & Talwalkar 2016), the inner
// loop of Hyperband: evaluate every configuration at MinBudget, keep the
// best 1/Eta, multiply the budget by Eta and repeat up to MaxBudget (see
// Budgets). What a budget means (boosting rounds, trees, epochs, a
// fraction of rows) is the caller's choice.
type Halving struct {
	// Eta is the reduction factor, >= 2; 0 means 3.
	Eta int `json:"eta,omitempty"`
	// MinBudget is the smallest budget of a rung (see Budgets); 0 means
	// MaxBudget/Eta² (three rungs).
	MinBudget float64 `json:"min_budget,omitempty"`
	// MaxBudget is the budget of the last rung; it must be > 0.
	MaxBudget float64 `json:"max_budget"`
	// Parallelism caps the evaluations running at once within a rung; 0
	// means runtime.GOMAXPROCS(0).
	Parallelism int `json:"parallelism,omitempty"`
}

func (h Halving) withDefaults() (Halving, error) {
	if h.Eta == 0 {
		h.Eta = 3
	}
	if h.Eta < 2 {
		return h, fmt.Errorf("%w: halving Eta %d, want >= 2", ErrOptions, h.Eta)
	}
	if !(h.MaxBudget > 0) || math.IsInf(h.MaxBudget, 0) {
		return h, fmt.Errorf("%w: halving MaxBudget %v, want a finite value > 0", ErrOptions, h.MaxBudget)
	}
	if h.MinBudget == 0 {
		h.MinBudget = h.MaxBudget / float64(h.Eta*h.Eta)
	}
	if !(h.MinBudget > 0 && h.MinBudget <= h.MaxBudget) {
		return h, fmt.Errorf("%w: halving MinBudget %v, want in (0, MaxBudget=%v]", ErrOptions, h.MinBudget, h.MaxBudget)
	}
	return h, nil
}

// Budgets returns the budget of each rung, MaxBudget/Eta^k for k = s, ...,
// 1, 0, where s is the largest k with MaxBudget/Eta^k >= MinBudget (as in
// Hyperband): the last rung is at MaxBudget and the first at MinBudget
// when MaxBudget/MinBudget is a power of Eta, a little above otherwise. It
// returns an error wrapping ErrOptions for invalid settings.
func (h Halving) Budgets() ([]float64, error) {
	h, err := h.withDefaults()
	if err != nil {
		return nil, err
	}
	s := int(math.Floor(math.Log(h.MaxBudget/h.MinBudget)/math.Log(float64(h.Eta)) + 1e-9))
	out := make([]float64, 0, s+1)
	for k := s; k >= 0; k-- {
		out = append(out, h.MaxBudget/math.Pow(float64(h.Eta), float64(k)))
	}
	return out, nil
}

// Run evaluates configs by successive halving and returns every
// observation, rung by rung, each rung in configuration order; an
// observation's Trial is the index of its configuration in configs and
// its Budget the rung's budget.
//
// eval(ctx, i, cfg, budget) gets a copy of configs[i]. Within a rung,
// evaluations run in parallel (see Run) and failed ones (an error, a
// panic, a NaN or infinite loss) are never promoted. Each rung keeps the
// best max(1, floor(n/Eta)) of its n configurations, ranked by loss with
// ties broken by configuration index, so the result is deterministic for
// a deterministic eval. It stops after the rung at MaxBudget, or when no
// configuration of a rung succeeded.
//
// The error is ErrOptions for bad settings, ctx.Err() if ctx was
// cancelled (the observations so far are returned), or ErrNoSuccess when
// every evaluation failed.
func (h Halving) Run(ctx context.Context, configs []map[string]any,
	eval func(ctx context.Context, i int, cfg map[string]any, budget float64) (float64, error),
) ([]Observation, error) {
	h, err := h.withDefaults()
	if err != nil {
		return nil, err
	}
	if eval == nil {
		return nil, fmt.Errorf("%w: nil eval", ErrOptions)
	}
	budgets, _ := h.Budgets()
	alive := make([]int, len(configs)) // indices into configs
	for i := range alive {
		alive[i] = i
	}
	var obs []Observation
	for r, budget := range budgets {
		if len(alive) == 0 {
			break
		}
		if err := ctx.Err(); err != nil {
			return obs, err
		}
		rung := make([]Observation, len(alive))
		errs := Run(ctx, len(alive), h.Parallelism, func(ctx context.Context, j int) error {
			i := alive[j]
			loss, err := eval(ctx, i, maps.Clone(configs[i]), budget)
			rung[j].Loss = loss
			return err
		})
		if err := ctx.Err(); err != nil {
			// Keep only what finished before the cancellation.
			for j, e := range errs {
				if e != err {
					obs = append(obs, h.observation(configs, alive[j], budget, rung[j].Loss, e))
				}
			}
			return obs, err
		}
		var ok []int // positions in alive that succeeded
		for j, e := range errs {
			o := h.observation(configs, alive[j], budget, rung[j].Loss, e)
			obs = append(obs, o)
			if !o.Failed() {
				ok = append(ok, j)
			}
		}
		if r == len(budgets)-1 {
			break
		}
		slices.SortStableFunc(ok, func(a, b int) int {
			switch la, lb := rung[a].Loss, rung[b].Loss; {
			case la < lb:
				return -1
			case la > lb:
				return 1
			}
			return alive[a] - alive[b]
		})
		keep := min(len(ok), max(1, len(alive)/h.Eta))
		next := make([]int, keep)
		for k := range keep {
			next[k] = alive[ok[k]]
		}
		slices.Sort(next) // evaluate the next rung in configuration order
		alive = next
	}
	return obs, noSuccess(obs)
}

func (h Halving) observation(configs []map[string]any, i int, budget, loss float64, err error) Observation {
	o := Observation{Trial: i, Config: configs[i], Loss: loss, Budget: budget, Err: err}
	if err != nil {
		o.Loss = math.Inf(1)
	}
	return o
}
