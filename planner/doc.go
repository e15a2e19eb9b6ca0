// Package planner decides what a search tries: which model families and
// configurations in what order, tuning, cross-validation, the final fit,
// the ensemble and column overrides. The decision is a [Plan], plain
// JSON-tagged data that the root package executes; a [Planner] makes it
// from a [Brief], which holds what a planner may see.
//
// # The brief
//
// A Brief carries the data's [Facts] (aggregates from a dataset.Profile,
// built by [FactsOf]: kinds, missing shares, cardinalities, skew, class
// balance without labels, meta-features, warning codes; no cell values
// unless [FactsOptions] opts in, and column names optionally redacted to
// c1, c2, ...), the task, metric, budget and cores, the candidate models
// ([ModelInfo], see [NewModelInfo]) and the settings the caller fixed.
//
// # Planners
//
//   - [Heuristic], the default: fixed rules on rows, time and cores, with
//     opt-in profile rules (Heuristic.Adaptive). Its doc lists every rule.
//   - [Uniform]: every family, equal shares, no judgement; a yardstick.
//   - [LLM]: asks a language model through package llm, with a reply
//     schema generated from the candidates, validation, up to two repair
//     rounds, a planning-time bound and a [Cache]. It also implements
//     [Refiner] (more configurations after the portfolio round).
//   - [PlannerFunc] adapts a function; [Fallback] chains two planners.
//
// # Checking plans
//
// [Validate] lists every problem of a plan (unknown model or parameter,
// value outside the space, bad folds, overridden fixed settings, unknown
// columns, ...) in a [ValidationError] worded for a planner to fix;
// [Normalize] repairs small mistakes in place (clamps values, fills missing
// sections from the heuristic, drops duplicates, restores fixed settings).
// [PlanWithFallback] runs a planner, normalises and validates its plan and
// falls back to Heuristic when anything fails, returning the plan used and
// a [Trace] (planner, fallbacks with reasons, repairs, LLM usage, time) for
// the run's result. After the run, [Insights] summarises it in plain
// language, from templates or from the LLM.
//
// # Privacy
//
// Planners that send data out of the process use Brief.Facts, never
// Brief.Profile. Category values, top values and class labels are cell
// values too: they are left out unless FactsOptions asks for them, and raw
// rows (Brief.Samples) are sent only when the caller put them in the Brief.
//
// # Concurrency
//
// Heuristic, Uniform and Validate are pure. LLM and Cache are safe for
// concurrent use when the llm.Client is. Normalize mutates the plan it is
// given.
package planner
