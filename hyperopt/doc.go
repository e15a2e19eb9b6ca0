// Package hyperopt holds hyperparameter search spaces, samplers and the
// parallel trial runner used by the AutoML search (the search loop itself,
// its time estimates and its pruning live in the root package, which
// executes a planner.Plan). It imports nothing from the rest of the module (models import it
// for Space), only the standard library and x/sync.
//
// # Spaces
//
// A Space is an ordered list of Param: Float, Int (optionally on a log
// scale) and Categorical, each optionally conditional on an earlier
// parameter (Cond). Space.Sample draws a configuration, a map from name
// to float64, int or the choice value, with inactive parameters left out.
//
// # Samplers
//
// A Sampler proposes the next configuration from the history of
// Observations (configuration, loss, budget; lower loss is better, a NaN
// or infinite loss or an error marks a failure):
//
//   - Random samples the space uniformly.
//   - Portfolio tries a fixed, priority-ordered list first, then defers to
//     another sampler (or stops with ErrExhausted).
//   - TPE is the Tree-structured Parzen Estimator: after Startup random
//     trials it models good and bad observations per parameter and picks
//     the candidate maximizing l(x)/g(x). DefaultSampler returns one.
//
// Samplers draw randomness only from the *rand.Rand they are given, so a
// search is reproducible.
//
// # Running trials
//
// Run(ctx, n, parallelism, trial) runs n independent trials with a
// concurrency limit, records each trial's error by index, turns panics
// into *PanicError and never lets a goroutine outlive the call.
//
// # Ownership and concurrency
//
// Configurations handed to an evaluation function are copies that the
// callee may mutate; Observation.Config values are shared with the
// sampler's history and must be treated as read-only. Random, Portfolio
// (with a safe fallback) and TPE are stateless and safe for concurrent
// use. Trial functions passed to Run run on several
// goroutines at once and must be safe for that.
package hyperopt
