package planner

import (
	"context"
	"time"

	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/hyperopt"
	"github.com/automl-agent/automl/models"
)

// Version is the version of the Plan JSON this package writes and reads.
const Version = 1

// Planner decides what a search tries. Plan must honour ctx (a planner
// that calls a server stops when ctx ends) and return a Plan that
// Validate accepts, or an error; the caller then falls back to Heuristic.
type Planner interface {
	Plan(ctx context.Context, b *Brief) (*Plan, error)
}

// PlannerFunc adapts a function to Planner.
type PlannerFunc func(ctx context.Context, b *Brief) (*Plan, error)

// Plan calls f(ctx, b).
func (f PlannerFunc) Plan(ctx context.Context, b *Brief) (*Plan, error) { return f(ctx, b) }

// Refiner is implemented by planners that can propose more configurations
// after the portfolio round, having seen its leaderboard. The proposals
// run first in the tuning phase and seed the tuner's history; they never
// replace it. A nil or empty result means nothing to add.
type Refiner interface {
	Refine(ctx context.Context, b *Brief, p *Plan, board []Observation) ([]Config, error)
}

// Observation is one finished trial as a Refiner sees it.
type Observation struct {
	Model   string        `json:"model"`
	Params  models.Params `json:"params"`
	Score   float64       `json:"score"`           // the metric's value, NaN when it failed
	Status  string        `json:"status"`          // ok, failed, timeout, pruned, skipped
	Seconds float64       `json:"seconds"`         // wall time
	Error   string        `json:"error,omitempty"` // first line of the error
}

// Brief is everything a planner may see: aggregated facts of the data, the
// task, the budget and the models it may choose from. It holds no cell
// values unless the caller opted in (Samples, and the profile's top values
// and class labels, which Fit leaves out unless asked).
type Brief struct {
	// Profile is the training data's profile; planners that send it out
	// of the process use Facts, which has no cell values.
	Profile *dataset.Profile `json:"-"`
	// Facts is the aggregated, value-free view of Profile.
	Facts Facts `json:"facts"`
	// Task and Metric: "binary", "multiclass" or "regression"; the metric's
	// name and whether higher is better.
	Task          dataset.Task `json:"task"`
	Metric        string       `json:"metric"`
	GreaterBetter bool         `json:"greater_is_better"`
	// Budget is the time for the whole Fit (0 = no limit); Cores the
	// goroutines Fit may use for models.
	Budget time.Duration `json:"budget"`
	Cores  int           `json:"cores"`
	// Models are the candidates (after Options.Include/Exclude), in the
	// registry's order, with their spaces, portfolios and cost estimates on
	// this data.
	Models []ModelInfo `json:"models"`
	// Fixed lists the settings the caller fixed in Options (folds,
	// repeats, final fit, max tuned per model...): a plan must keep them.
	Fixed Fixed `json:"fixed"`
	// Samples are a few raw rows, only when the caller opted in.
	Samples []map[string]any `json:"samples,omitempty"`
	// Concurrency is how many trials train at once (1 on big tables, where
	// each trial gets every core); 0 means Heuristic derives it from Facts
	// and Cores as the search does.
	Concurrency int `json:"concurrency,omitempty"`
}

// Facts are the aggregated facts of a profile: no cell values.
type Facts struct {
	// Target is the target column's name ("target" when names are redacted).
	Target string `json:"target,omitempty"`
	// Redacted says column names were replaced by c1, c2, ...; ColumnFacts.Original
	// keeps the real ones (in memory only).
	Redacted     bool               `json:"redacted,omitempty"`
	Rows         int                `json:"rows"`
	Columns      []ColumnFacts      `json:"columns"`
	Classes      int                `json:"classes,omitempty"`         // 0 for regression
	ClassBalance []float64          `json:"class_balance,omitempty"`   // share of each class, largest first (no labels)
	MissingShare float64            `json:"missing_share"`             // share of missing cells
	TargetSkew   float64            `json:"target_skew,omitempty"`     // regression target's skewness
	TargetKurt   float64            `json:"target_kurtosis,omitempty"` // excess kurtosis
	MetaFeatures map[string]float64 `json:"meta_features,omitempty"`
	Warnings     []string           `json:"warnings,omitempty"` // warning codes and messages (column names kept unless redacted)
	// ClassLabels are the class labels, in ClassBalance's order; only
	// with FactsOptions.ClassLabels (they are cell values).
	ClassLabels []string `json:"class_labels,omitempty"`
}

// ColumnFacts describes one input column without its values.
type ColumnFacts struct {
	Name        string  `json:"name"` // may be redacted to c1, c2, ...
	Kind        string  `json:"kind"` // numeric, categorical, boolean, text, datetime, id, constant, empty
	Missing     float64 `json:"missing"`
	Cardinality int     `json:"cardinality,omitempty"`
	Skew        float64 `json:"skew,omitempty"`
	// Top lists the most frequent values and their counts; only with
	// FactsOptions.TopValues (they are cell values).
	Top []dataset.ValueCount `json:"top,omitempty"`
	// Original is the real name when Name is redacted; never serialised.
	Original string `json:"-"`
}

// ModelInfo is one candidate model as a planner sees it.
type ModelInfo struct {
	Name      string          `json:"name"`
	Input     string          `json:"input"` // "native" (trees) or "dense"
	Space     hyperopt.Space  `json:"space,omitempty"`
	Portfolio []models.Params `json:"portfolio"`
	// Seconds estimates, per portfolio entry, one trial on this data
	// (every fold) on this machine before calibration; the search
	// corrects it as trials finish.
	Seconds []float64 `json:"seconds"`
	// Estimate returns the same estimate for any configuration; nil in
	// JSON.
	Estimate func(models.Params) float64 `json:"-"`
	// Check reports whether the model's factory accepts params (for
	// instance func(p models.Params) error { _, err := spec.New(p); return
	// err }); Validate uses it for parameters outside Space. Nil means
	// only Space's names and those of Portfolio's entries are known.
	Check func(models.Params) error `json:"-"`
}

// Fixed holds what the caller set in Options; zero means the planner
// decides.
type Fixed struct {
	Folds            int    `json:"folds,omitempty"`
	Repeats          int    `json:"repeats,omitempty"`
	FinalFit         string `json:"final_fit,omitempty"`
	MaxTunedPerModel int    `json:"max_tuned_per_model,omitempty"` // < 0: no tuning
	DisableEnsemble  bool   `json:"disable_ensemble,omitempty"`
	Groups           int    `json:"groups,omitempty"` // distinct groups with Options.Group, else 0
}

// Plan is what a search will try, as plain data (JSON-tagged, versioned).
type Plan struct {
	Version int    `json:"version"`
	Planner string `json:"planner"` // who made it: "heuristic", "llm", ...
	// Trials are the portfolio round, in the order they run (after the
	// baseline, which always runs first and is not listed).
	Trials []Config `json:"trials"`
	// Tuning is the phase after the portfolio round.
	Tuning Tuning `json:"tuning"`
	// Validation says how trials are scored and the predictor is built.
	Validation Validation `json:"validation"`
	// Ensemble is the blending policy.
	Ensemble Ensemble `json:"ensemble"`
	// Columns overrides the preprocessing's reading of some columns.
	Columns Columns `json:"columns"`
	// Shares caps the share of the search time each family may spend: a
	// trial starts only while its family's time so far plus the trial's
	// estimate fits in its share. Families left out are not capped; nil
	// caps none. Values are in (0, 1]; Normalize scales them down when
	// they add up to more than 1.
	Shares map[string]float64 `json:"shares,omitempty"`
	// Reserve is the share of the budget kept after the search for the
	// ensemble, the final fits and importance (0.1 bagged, 0.25 refit).
	Reserve float64 `json:"reserve"`
	// Rationale says, in a few sentences, why.
	Rationale string `json:"rationale"`
	// Notes record what made the plan differ from the planner's raw
	// output or from today's defaults: Normalize's repairs, Heuristic's
	// profile rules.
	Notes []string `json:"notes,omitempty"`
}

// Config is one trial: a model and its parameters (nil = its defaults).
type Config struct {
	Model  string        `json:"model"`
	Params models.Params `json:"params,omitempty"`
}

// Tuning configures the tuning phase (TPE per family, in batches).
type Tuning struct {
	// Families lists the models to tune, in order; empty with Top > 0
	// means the Top best families by portfolio score (decided during the
	// run); empty with Top == 0 means no tuning.
	Families []string `json:"families,omitempty"`
	Top      int      `json:"top,omitempty"`
	// TrialsPerFamily caps tuned trials per family (0 = no tuning).
	TrialsPerFamily int `json:"trials_per_family"`
	// Spaces narrows a family's search space (inside the registered one).
	Spaces map[string]hyperopt.Space `json:"spaces,omitempty"`
}

// Validation configures the cross-validation and the final predictor.
type Validation struct {
	Folds    int    `json:"folds"`     // >= 2
	Repeats  int    `json:"repeats"`   // >= 1
	FinalFit string `json:"final_fit"` // "bag" or "refit"
	// Holdout, when > 0, replaces cross-validation by one split that
	// holds out this share of the rows (stratified for classification):
	// every trial fits once, which on big tables buys several times more
	// trials; Folds and Repeats are then ignored. 0 means cross-validation;
	// otherwise it must be in [0.05, 0.5], and not with groups.
	Holdout float64 `json:"holdout,omitempty"`
}

// Ensemble configures blending.
type Ensemble struct {
	Method       string `json:"method"`        // "greedy" (with the stacker tried too), "greedy_only", "none"
	Candidates   int    `json:"candidates"`    // best trials kept for blending (keepTop), >= 1
	PerFamily    int    `json:"per_family"`    // at most this many of one model, >= 1
	StackMembers int    `json:"stack_members"` // best trials the stacker combines
}

// Columns names input columns to read differently; every name must be a
// column of the data.
type Columns struct {
	Drop        []string `json:"drop,omitempty"`
	Categorical []string `json:"categorical,omitempty"`
	Text        []string `json:"text,omitempty"`
}
