package hyperopt

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"time"
)

// SearchOptions configures Search. The zero value works: 100 trials in
// batches of 8 on GOMAXPROCS workers with seed 0 and no deadline.
type SearchOptions struct {
	// MaxTrials is the number of trials to run; 0 means 100.
	MaxTrials int `json:"max_trials,omitempty"`
	// BatchSize is the number of trials proposed from the same history
	// and run concurrently; 0 means 8. It is deliberately independent of
	// Parallelism: results depend on BatchSize, not on Parallelism.
	BatchSize int `json:"batch_size,omitempty"`
	// Parallelism caps the trials running at once; 0 means
	// runtime.GOMAXPROCS(0).
	Parallelism int `json:"parallelism,omitempty"`
	// Seed seeds the per-trial sampler RNGs: trial i proposes with
	// rand.New(rand.NewPCG(Seed, uint64(i))).
	Seed uint64 `json:"seed"`
	// Deadline stops launching trials after it; running trials finish
	// (cancel ctx to stop them). The zero value means none.
	Deadline time.Time `json:"deadline,omitzero"`
	// Observe, if set, is called with each observation in trial order
	// after its batch completes, on the goroutine that called Search. Nil
	// means no callback.
	Observe func(Observation) `json:"-"`
}

func (o SearchOptions) withDefaults() (SearchOptions, error) {
	if o.MaxTrials < 0 || o.BatchSize < 0 {
		return o, fmt.Errorf("%w: MaxTrials %d, BatchSize %d must not be negative", ErrOptions, o.MaxTrials, o.BatchSize)
	}
	if o.MaxTrials == 0 {
		o.MaxTrials = 100
	}
	if o.BatchSize == 0 {
		o.BatchSize = 8
	}
	o.Parallelism = resolveParallelism(o.Parallelism)
	return o, nil
}

// Search runs a sequential-decision search: sampler proposes a batch of
// BatchSize configurations, one at a time, from the observations of all
// previous batches and the batch's earlier proposals (marked Pending),
// the batch is evaluated in parallel by eval(ctx, i, cfg) (i is the global
// trial index, cfg a copy the callee may keep or mutate), its results are
// appended in trial order, and the next batch is proposed, until MaxTrials
// trials have run, the sampler returns ErrExhausted, Deadline passes or
// ctx is done.
//
// Because proposals depend only on completed batches and on per-trial
// RNGs, the same Seed, BatchSize and deterministic eval give the same
// observations at any Parallelism (a Deadline can only cut a search
// short).
//
// An eval error or panic fails only its trial: its observation carries
// Err and a +Inf Loss. Search returns the observations in trial order
// (trials that never started are left out) and an error that is ctx.Err()
// if ctx was cancelled, the sampler's error (other than ErrExhausted), an
// ErrOptions for bad options, or, when trials ran but none got a finite
// loss, ErrNoSuccess joined with up to three distinct trial errors.
func Search(ctx context.Context, opts SearchOptions, sampler Sampler,
	eval func(ctx context.Context, i int, cfg map[string]any) (float64, error),
) ([]Observation, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if sampler == nil || eval == nil {
		return nil, fmt.Errorf("%w: nil sampler or eval", ErrOptions)
	}
	var obs []Observation
	var samplerErr error
	expired := func() bool { return !o.Deadline.IsZero() && !time.Now().Before(o.Deadline) }
	for start := 0; start < o.MaxTrials && samplerErr == nil; start += o.BatchSize {
		if ctx.Err() != nil || expired() {
			break
		}
		size := min(o.BatchSize, o.MaxTrials-start)
		cfgs := make([]map[string]any, 0, size)
		// The sampler sees the completed observations plus this batch's
		// proposals so far, marked Pending.
		hist := make([]Observation, len(obs), len(obs)+size)
		copy(hist, obs)
		for j := range size {
			i := start + j
			cfg, err := propose(sampler, rand.New(rand.NewPCG(o.Seed, uint64(i))), i, hist)
			if err != nil {
				samplerErr = err
				break
			}
			cfgs = append(cfgs, cfg)
			hist = append(hist, Observation{Trial: i, Config: cfg, Loss: math.NaN(), Pending: true})
		}
		batch := make([]Observation, len(cfgs))
		started := make([]bool, len(cfgs))
		errs := Run(ctx, len(cfgs), o.Parallelism, func(ctx context.Context, j int) error {
			if expired() {
				return nil
			}
			started[j] = true
			i := start + j
			loss, err := eval(ctx, i, maps.Clone(cfgs[j]))
			batch[j] = Observation{Trial: i, Config: cfgs[j], Loss: loss, Err: err}
			return err
		})
		for j, err := range errs {
			if !started[j] {
				continue
			}
			b := batch[j]
			if b.Config == nil { // the trial panicked before assigning
				b = Observation{Trial: start + j, Config: cfgs[j]}
			}
			b.Err = err
			if err != nil {
				b.Loss = math.Inf(1)
			}
			obs = append(obs, b)
			if o.Observe != nil {
				o.Observe(b)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return obs, err
	}
	if samplerErr != nil && !errors.Is(samplerErr, ErrExhausted) {
		return obs, samplerErr
	}
	return obs, noSuccess(obs)
}

// propose calls the sampler, turning a panic into an error.
func propose(s Sampler, rng *rand.Rand, i int, history []Observation) (cfg map[string]any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: sampler at trial %d: panic: %v", ErrPanic, i, r)
		}
	}()
	cfg, err = s.Next(rng, i, history)
	if err == nil && cfg == nil {
		cfg = map[string]any{}
	}
	return cfg, err
}

// noSuccess returns nil if some observation succeeded (or there are
// none), else ErrNoSuccess joined with up to three distinct causes.
func noSuccess(obs []Observation) error {
	if len(obs) == 0 {
		return nil
	}
	seen := map[string]bool{}
	errs := []error{fmt.Errorf("%w: all %d trials failed", ErrNoSuccess, len(obs))}
	for _, b := range obs {
		if !b.Failed() {
			return nil
		}
		e := b.Err
		if e == nil {
			e = fmt.Errorf("hyperopt: trial %d: loss %v", b.Trial, b.Loss)
		}
		if msg := e.Error(); !seen[msg] && len(seen) < 3 {
			seen[msg] = true
			errs = append(errs, e)
		}
	}
	return errors.Join(errs...)
}
