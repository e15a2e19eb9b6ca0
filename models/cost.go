package models

import "math"

// Shape is the size of one training job as a cost estimate sees it: a
// model fitted on Rows rows of Features columns (of its own input view),
// then predicting Predict rows (a fold's held-out rows).
type Shape struct {
	Rows     int // training rows
	Features int // feature columns of the model's input view
	Classes  int // 0 for regression, else the number of classes
	Predict  int // rows predicted after the fit
	Threads  int // goroutines the model may use; 0 means 1
}

// SecondsFunc estimates how long a model made with params p takes to fit a
// training set of shape s and predict s.Predict rows, in seconds of a
// reference machine (one core of a 2020s x86 server; s.Threads cores
// when the model runs in parallel). The search multiplies it by a factor it
// measures on the machine, per model, as trials finish, so what matters is
// how the estimate grows with rows, features, classes and parameters: a
// round count doubled should double it, a quadratic learner should grow
// with Rows × Predict.
//
// A SecondsFunc must be cheap, pure and safe for concurrent use, and must
// return a finite value >= 0 for any shape and any params, including bad
// ones (the factory reports those).
type SecondsFunc func(s Shape, p Params) float64

// DefaultSeconds is the estimate for a spec without a SecondsFunc: Cost
// times one CART tree's time, about 30 ns per row and feature.
func DefaultSeconds(cost float64) SecondsFunc {
	if cost <= 0 {
		cost = 1
	}
	return func(s Shape, _ Params) float64 {
		n := float64(max(s.Rows, 1))
		return 1e-3 + cost*30e-9*n*float64(max(s.Features, 1))*max(1, math.Log2(n)/8)
	}
}

// EstimateSeconds returns s.Seconds(sh, p), or DefaultSeconds(s.Cost) when
// the spec has no SecondsFunc. It never returns a negative or non-finite
// value.
func (s Spec) EstimateSeconds(sh Shape, p Params) float64 {
	f := s.Seconds
	if f == nil {
		f = DefaultSeconds(s.Cost)
	}
	v := f(sh, p)
	if math.IsNaN(v) || v < 0 {
		return 0
	}
	return min(v, math.MaxFloat64)
}

// ParallelSpeedup is the speed-up a cost function may assume from
// threads goroutines: a little less than linear (memory bandwidth,
// serial parts).
func ParallelSpeedup(threads int) float64 {
	if threads <= 1 {
		return 1
	}
	return math.Pow(float64(threads), 0.85)
}

// Log2 is log2(max(x, 2)), a depth-like factor for cost functions.
func Log2(x float64) float64 { return math.Log2(max(x, 2)) }
