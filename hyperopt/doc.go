// Package hyperopt holds hyperparameter search spaces, samplers, successive
// halving, a time budget and the parallel trial runners used by the AutoML
// search. It imports nothing from the rest of the module (models import it
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
//   - Run(ctx, n, parallelism, trial) runs n independent trials with a
//     concurrency limit, records each trial's error by index, turns panics
//     into *PanicError and never lets a goroutine outlive the call.
//   - Stream pulls tasks from a next func as workers come free and reports
//     results in index order on the caller's goroutine, for adaptive
//     loops that need not be reproducible.
//   - Search is the reproducible loop: the sampler proposes a batch of
//     BatchSize configurations (seeing the finished observations and the
//     batch's pending proposals), the batch runs in parallel, its results
//     are appended in trial order, and so on until MaxTrials, a Deadline
//     or ctx. Trial i's sampler RNG is rand.New(rand.NewPCG(Seed, i)), so
//     the same Seed gives the same observations at any Parallelism.
//   - Halving runs successive halving over a list of configurations with
//     growing budgets (rounds, trees, a row fraction: the caller decides).
//
// # Time
//
// Budget holds the deadline of a search (from ctx and/or a time limit),
// tells whether an estimated trial still fits, and learns per model family
// how many seconds a cell (rows × features) costs.
//
// # Ownership and concurrency
//
// Configurations handed to an evaluation function are copies that the
// callee may mutate; Observation.Config values are shared with the
// sampler's history and must be treated as read-only. Random, Portfolio
// (with a safe fallback) and TPE are stateless and safe for concurrent
// use; Budget is safe for concurrent use once its fields are set.
// Evaluation functions passed to Run, Search and Halving run on several
// goroutines at once and must be safe for that.
package hyperopt
