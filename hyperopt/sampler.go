package hyperopt

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
)

// Observation is the outcome of one trial: a configuration, the budget it
// ran with and its loss. Lower loss is better.
type Observation struct {
	// Trial is the index of the trial in its search.
	Trial int `json:"trial"`
	// Config is the evaluated configuration. Samplers must not mutate it.
	Config map[string]any `json:"config"`
	// Loss is the objective, lower is better. NaN or ±Inf marks a failed
	// trial; it is +Inf whenever Err is set.
	Loss float64 `json:"loss"`
	// Budget is the fidelity the trial ran with (rounds, trees, a row
	// fraction: the caller decides); 0 when fidelity is not varied.
	Budget float64 `json:"budget,omitempty"`
	// Err is the trial's error, nil if it succeeded.
	Err error `json:"-"`
	// Pending marks a trial that was proposed but has not finished; its
	// Loss is NaN. Search shows pending trials of the current batch to
	// the sampler (see Sampler) and never returns them.
	Pending bool `json:"pending,omitempty"`
}

// Failed reports whether the trial failed: it has an error or a loss that
// is NaN or infinite.
func (o Observation) Failed() bool {
	return o.Err != nil || math.IsNaN(o.Loss) || math.IsInf(o.Loss, 0)
}

// Sampler proposes the next configuration to evaluate.
//
// trial is the index of the trial being proposed (0, 1, 2, ... in Search)
// and history holds the observations, oldest first: the completed ones,
// then those of trials already proposed in the current batch, marked
// Pending with a NaN Loss, so that a model-based sampler can avoid
// proposing the same point twice (TPE counts them as bad: the
// "constant liar" strategy). A sampler must not assume len(history) ==
// trial. A sampler must draw randomness
// only from rng, and must be deterministic given (rng, trial, history):
// that is what makes a search reproducible at any parallelism. Next may
// be called from several goroutines at once only if the implementation
// says so; Search calls it from one goroutine.
//
// A sampler with nothing left to propose returns an error wrapping
// ErrExhausted.
type Sampler interface {
	Next(rng *rand.Rand, trial int, history []Observation) (map[string]any, error)
}

// SamplerFunc adapts a function to the Sampler interface.
type SamplerFunc func(rng *rand.Rand, trial int, history []Observation) (map[string]any, error)

// Next calls f.
func (f SamplerFunc) Next(rng *rand.Rand, trial int, history []Observation) (map[string]any, error) {
	return f(rng, trial, history)
}

// DefaultSampler returns the sampler to use when the caller has no
// preference: a TPE over space with default settings, which samples at
// random for its first 10 observations.
func DefaultSampler(space Space) Sampler { return &TPE{Space: space} }

// Random samples configurations uniformly (log-uniformly for Log
// parameters) from Space, ignoring the history. It is safe for concurrent
// use.
type Random struct {
	Space Space
}

// Next returns Space.Sample(rng), or an error wrapping ErrSpace if the
// space is malformed.
func (r Random) Next(rng *rand.Rand, _ int, _ []Observation) (map[string]any, error) {
	if err := r.Space.Validate(); err != nil {
		return nil, err
	}
	return r.Space.Sample(rng), nil
}

// Portfolio proposes a fixed, priority-ordered list of configurations
// first (trial i gets Configs[i]) and then defers to Then. With a nil Then
// it returns ErrExhausted after the list, so a Portfolio alone evaluates
// exactly its configurations. It is safe for concurrent use if Then is.
type Portfolio struct {
	// Configs are tried in order, best first. Each proposal is a shallow
	// copy, so callers may mutate it.
	Configs []map[string]any
	// Then proposes every trial after the list; nil means stop.
	Then Sampler
}

// Next returns a copy of Configs[trial], or Then's proposal once the list
// is used up.
func (p Portfolio) Next(rng *rand.Rand, trial int, history []Observation) (map[string]any, error) {
	if trial >= 0 && trial < len(p.Configs) {
		cfg := maps.Clone(p.Configs[trial])
		if cfg == nil {
			cfg = map[string]any{}
		}
		return cfg, nil
	}
	if p.Then == nil {
		return nil, fmt.Errorf("%w: portfolio of %d configurations, trial %d", ErrExhausted, len(p.Configs), trial)
	}
	return p.Then.Next(rng, trial, history)
}
