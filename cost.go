package automl

import (
	"math"
	"slices"
	"sync"
	"time"

	"github.com/automl-agent/automl/models"
)

// costModel turns the specs' cost functions (models.Spec.Seconds, in
// seconds of a reference machine) into seconds on this machine, in this
// run: a trial's estimate is its spec's estimate times a factor, the
// median ratio of measured to estimated time over the finished trials of
// the same model, or, for a model not seen yet, the median of the other
// models' factors within [0.5, 2] once three models have finished (1
// before). The factor absorbs the machine's
// speed, the load and the threads a model really gets, and any constant
// the cost function got wrong; what it cannot absorb is a cost function
// whose shape is wrong, which the per-trial estimate error on the
// leaderboard shows.
//
// A costModel is safe for concurrent use.
type costModel struct {
	mu     sync.Mutex
	ratios map[string][]float64 // measured / estimated, by model
}

// observe records that a trial of model estimated at est seconds (before
// calibration) took actual.
func (c *costModel) observe(model string, est float64, actual time.Duration) {
	if !(est > 0) || actual <= 0 || math.IsInf(est, 0) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ratios == nil {
		c.ratios = map[string][]float64{}
	}
	c.ratios[model] = append(c.ratios[model], actual.Seconds()/est)
}

// factor returns the calibration factor of model.
func (c *costModel) factor(model string) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r := c.ratios[model]; len(r) > 0 {
		return medianFloat(r)
	}
	var per []float64
	for name, r := range c.ratios {
		if name == baselineModel {
			continue // microseconds of overhead say nothing of the machine
		}
		per = append(per, medianFloat(r))
	}
	// Until three models agree on the machine's speed, a model's first
	// trial trusts its own cost function: one model's factor mostly says
	// how its own parameters behaved (a GBDT that stopped late), not how
	// fast the machine is. After that, their median, within [0.5, 2].
	if len(per) < 3 {
		return 1
	}
	return min(max(medianFloat(per), 0.5), 2)
}

func medianFloat(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// trialThreads is how many goroutines each model of a trial may use: the
// Parallelism shared by the trials that run at once.
func (r *run) trialThreads() int { return max(1, r.o.Parallelism/max(r.concurrency, 1)) }

// specThreads is the goroutines a model of spec s runs with: its share of
// Parallelism when it has a thread param, else one.
func (r *run) specThreads(s models.Spec) int {
	if s.Threads == "" {
		return 1
	}
	return r.trialThreads()
}

// rawEstimate is trial t's time (every fold: fit and predict) by its
// spec's cost function, before calibration; folds limits it to the first
// folds (0 means all).
func (r *run) rawEstimate(t *trial, folds int) float64 {
	v := r.views[t.spec.Input]
	if v == nil || len(r.splits) == 0 {
		return 0
	}
	if folds <= 0 || folds > len(r.splits) {
		folds = len(r.splits)
	}
	threads := r.specThreads(t.spec)
	var sum float64
	for _, s := range r.splits[:folds] {
		sh := models.Shape{Rows: len(s.Train), Features: len(v.names), Classes: r.k, Predict: len(s.Test), Threads: threads}
		sum += t.spec.EstimateSeconds(sh, t.params)
	}
	return sum
}

// estimate returns trial t's expected wall time on this machine from its
// raw estimate (rawEstimate): calibrated for its model, plus the search's
// own work around the model (overhead).
func (r *run) estimate(t *trial, raw float64) time.Duration {
	sec := raw*r.cost.factor(t.spec.Name) + r.overhead(t)
	if math.IsNaN(sec) || sec < 0 {
		return 0
	}
	return time.Duration(min(sec, 1e6) * float64(time.Second))
}

// overhead estimates, in seconds, what a trial costs the search besides
// its models: cutting each fold when folds are cut per trial (a byte or
// eight per cell), gathering the held-out features and scoring them.
func (r *run) overhead(t *trial) float64 {
	v := r.views[t.spec.Input]
	if v == nil {
		return 0
	}
	cells := float64(len(v.full.Y)) * float64(len(v.names))
	var sec float64
	for _, s := range r.splits {
		sec += 2e-8 * float64(len(s.Test)) * float64(max(r.k, 1))
		if v.folds == nil {
			sec += 3e-9 * cells
		}
	}
	return sec
}

// modelParams returns the params fold fold's model of trial t is made
// with: the trial's own, plus the spec's thread param (which changes
// speed, never results) set to the trial's share of Parallelism, and the
// spec's seed param set to a stream of its own derived from Options.Seed,
// the trial and the fold (unless the trial sets them).
func (r *run) modelParams(t *trial, fold int) models.Params {
	add := models.Params{}
	if t.spec.Threads != "" {
		if _, set := t.params[t.spec.Threads]; !set {
			add[t.spec.Threads] = r.trialThreads()
		}
	}
	if t.spec.Seed != "" {
		if _, set := t.params[t.spec.Seed]; !set {
			add[t.spec.Seed] = modelSeed(r.o.Seed, t.id, fold)
		}
	}
	if t.spec.TimeLimit != "" && r.big && !r.deadline.IsZero() && t.estSec > 0 {
		if _, set := t.params[t.spec.TimeLimit]; !set {
			// Big tables on a clock: each fold may take timeLimitMargin
			// times its share of the trial's estimate, and at least
			// minTimeLimit. A model cut short depends on the machine's
			// speed, so small tables (where a whole trial is cheap) never
			// get a limit: their leaderboard stays the same from run to
			// run and at any Parallelism (TestSmallTableTimeBudgetRepeats).
			add[t.spec.TimeLimit] = max(minTimeLimit, timeLimitMargin*t.estSec/float64(len(r.splits)))
			if t.limitSec > 0 { // admitted capped to the time left
				add[t.spec.TimeLimit] = t.limitSec / float64(len(r.splits))
			}
		}
	}
	if len(add) == 0 {
		return t.params
	}
	return t.params.Merge(add)
}

// timeLimitMargin is how many times its estimate a fold of a model with a
// time-limit param may take on big timed runs.
const timeLimitMargin = 1.8

// minTimeLimit is the shortest time limit, in seconds, a fold is given:
// below it a pause of the collector or another process could cut a model
// that was on time.
const minTimeLimit = 2.0

// modelSeed mixes the run's seed, a trial id and a fold index into a seed
// in [0, 2^53) (SplitMix64's finalizer).
func modelSeed(seed uint64, trial, fold int) int {
	x := seed ^ uint64(trial+1)*0x9E3779B97F4A7C15 ^ uint64(fold+1)*0xD1B54A32D192ED03
	x ^= x >> 30
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 27
	x *= 0x94D049BB133111EB
	x ^= x >> 31
	return int(x >> 11)
}
