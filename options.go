package automl

import (
	"log/slog"
	"runtime"
	"time"

	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/evaluate"
	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/planner"
)

// FinalFit says how the final predictor is made from the chosen trials.
type FinalFit string

const (
	// FinalBag keeps each chosen trial's fold models and averages them
	// (AutoGluon-style bagging). It needs no extra training time. With
	// repeated cross-validation only the first repeat's models are kept
	// (Options.Folds of them): held out over 10 splits of five developer
	// datasets, keeping all 25 models of 5 repeats did no better (titanic
	// accuracy 0.842 vs 0.844, tips RMSE 0.980 vs 0.978, the others equal)
	// at five times the size and prediction time. Refitting the forests,
	// k-NN and linear members on all rows instead did worse (titanic 0.840,
	// tips 0.992, mpg 2.685 vs 2.663).
	FinalBag FinalFit = "bag"
	// FinalRefit refits each chosen trial once on all rows, when the
	// estimated time fits what is left of the budget (else it bags).
	FinalRefit FinalFit = "refit"
)

// Options configures an AutoML run. The zero value works: every field's
// comment says what its zero value means. Options are JSON-tagged so a
// Result records the settings it ran with.
type Options struct {
	// TimeBudget is a hard deadline for Fit, counted from the call.
	// Zero means one minute, unless MaxTrials is set, in which case zero
	// means no time limit.
	TimeBudget time.Duration `json:"time_budget"`
	// MaxTrials caps the number of search trials (portfolio and tuned).
	// Zero means no cap. With MaxTrials set and no TimeBudget, the same
	// Seed gives a byte-identical leaderboard at any Parallelism.
	MaxTrials int `json:"max_trials,omitempty"`
	// Metric names the metric that drives search and selection:
	// accuracy, balanced_accuracy, f1, f1_macro, log_loss, roc_auc
	// (classification); rmse, mae, r2 (regression). Empty means accuracy
	// for classification and rmse for regression.
	Metric string `json:"metric,omitempty"`
	// CustomMetric, if set, drives search and selection instead of Metric:
	// any evaluate.Metric, e.g. a business cost. Metrics that implement
	// evaluate.LabelMetric also get a tuned binary decision threshold.
	CustomMetric evaluate.Metric `json:"-"`
	// Task overrides the inferred task (binary, multiclass, regression).
	// Empty means inferred from the target column.
	Task dataset.Task `json:"task,omitempty"`
	// Seed makes the run reproducible. Zero is a valid seed.
	Seed uint64 `json:"seed"`
	// Parallelism is the number of trials trained at once. Zero means
	// GOMAXPROCS.
	Parallelism int `json:"parallelism,omitempty"`
	// Folds is the number of cross-validation folds. Zero means 5 (3 when
	// the data has over 100,000 rows).
	Folds int `json:"folds,omitempty"`
	// Repeats is how many times the folds are redrawn (repeated
	// cross-validation): each trial's out-of-fold prediction averages the
	// repeats, which steadies selection on small data, and the bagged
	// predictor keeps every fold model. Zero means 5 below 1,000 rows, 2
	// below 10,000 and 1 above.
	Repeats int `json:"repeats,omitempty"`
	// MaxTunedPerModel caps the tuned (TPE) trials of each of the three
	// best model families, after the portfolio. Zero means automatic: none
	// below 2,000 rows, where tuning mostly fits the folds' noise (on the
	// developer datasets the portfolio and its ensemble alone did better
	// held out), and 64 from 2,000 rows up. Negative means none.
	MaxTunedPerModel int `json:"max_tuned_per_model,omitempty"`
	// Include lists the only model names to try (see models.Default().Names()).
	// Nil means every registered model that supports the task. The
	// class-prior/mean baseline ("prior") always runs first either way: it
	// is the fallback predictor and the leaderboard's reference row.
	Include []string `json:"include,omitempty"`
	// Exclude lists model names never to try.
	Exclude []string `json:"exclude,omitempty"`
	// FinalFit chooses between bagged fold models and a refit on all rows.
	// Empty means automatic: FinalRefit from 20,000 rows up (one model per
	// member instead of one per fold, so the predictor is several times
	// smaller, with a quarter of the time budget kept for the refits), else
	// FinalBag.
	FinalFit FinalFit `json:"final_fit,omitempty"`
	// MaxPredictPer1k caps the final predictor's prediction time per 1,000
	// rows, for services with a latency budget: trials slower than it stay
	// on the leaderboard but are never members, and the ensemble and the
	// stacker keep their summed time within it (when no trial fits, the
	// fastest is used). Times are those of the leaderboard's predict s/1k
	// column, measured on held-out rows during cross-validation for the
	// models the predictor keeps; preprocessing is not counted. Zero means
	// no limit. Measured times vary between runs, so with a limit the
	// same Seed can choose differently.
	MaxPredictPer1k time.Duration `json:"max_predict_per_1k,omitempty"`
	// DisableEnsemble keeps the single best trial instead of an ensemble.
	DisableEnsemble bool `json:"disable_ensemble,omitempty"`
	// StackFeatures lets the stacking meta-model read the original
	// features (the dense view: imputed, standardized, one-hot) beside the
	// members' out-of-fold predictions, as AutoGluon's stack layers do. The
	// stacker is still kept only when it beats the greedy blend out of fold.
	// Off by default: the out-of-fold score of a stacker that reads the
	// features is optimistic (its inputs were made by models that saw the
	// other folds), and held out over 10 splits of the developer datasets it
	// helped tips (RMSE 0.971 vs 0.980) but hurt titanic (accuracy 0.832 vs
	// 0.842) and tied the rest.
	StackFeatures bool `json:"stack_features,omitempty"`
	// DisableImportance skips permutation importance at the end of Fit.
	DisableImportance bool `json:"disable_importance,omitempty"`
	// Weight names a column of non-negative sample weights. Empty means
	// every row weighs the same. The column is never a feature.
	Weight string `json:"weight,omitempty"`
	// Group names a column whose values identify groups of related rows
	// (a customer, a patient, a session): cross-validation then never
	// splits a group between training and held-out rows, so the scores
	// measure how the predictor does on groups it has not seen. Empty means
	// rows are independent. The column is never a feature; rows with a
	// missing group value are each a group of their own. Group folds are
	// not stratified by class, and there are at most as many folds as
	// groups.
	Group string `json:"group,omitempty"`
	// Drop lists columns that are never features (IDs, leaks). A name that
	// is not a column of the frame is an error (ErrInput), as for Weight
	// and Group.
	Drop []string `json:"drop,omitempty"`
	// MaxMemory caps, in bytes, the memory the search may plan to hold
	// (feature views, bins, the folds of the trials in flight). Fit fails
	// with ErrInput before training when its estimate is over it. The
	// fold models kept as blending candidates (models.Sizer) are held
	// within half of MaxMemory less that estimate: past it the weaker
	// candidates' models are freed and their leaderboard rows say so. Zero
	// means three quarters of the machine's memory. While Fit runs the
	// runtime's soft memory limit is MaxMemory (the smallest of concurrent
	// Fits'), and on big tables (2M feature cells and up) GOGC is 25,
	// unless the program set GOGC or GOMEMLIMIT; the runtime's settings are
	// restored when the last Fit returns.
	MaxMemory int64 `json:"max_memory,omitempty"`
	// Planner decides what the search tries (models, configurations and
	// their order, tuning, folds, repeats, final fit, ensemble, column
	// overrides). Nil means planner.Heuristic{}. A planner that fails, runs
	// out of its share of the budget or returns an invalid plan is replaced
	// by the heuristic, and Result.Planning says why. An LLM planner
	// (*planner.LLM) also refines the search after the portfolio round and
	// writes Result.Insights.
	Planner planner.Planner `json:"-"`
	// Facts controls what of the data a planner that calls out of the
	// process may see: the zero value sends aggregated facts and column
	// names, never cell values (category values, class labels, rows).
	Facts planner.FactsOptions `json:"facts,omitempty"`
	// Logger receives progress logs. Nil means silent.
	Logger *slog.Logger `json:"-"`
	// OnEvent, if set, is called with each progress event, from one
	// goroutine at a time, in order. It must not block for long.
	OnEvent func(Event) `json:"-"`
	// Registry supplies the models. Nil means models.Default().
	Registry *models.Registry `json:"-"`
	// Executor fits the trials' fold models. Nil means in this process,
	// with nothing copied or encoded. A remote.Executor (the temporal
	// module makes one) fits them on workers elsewhere; with MaxTrials
	// and no TimeBudget the leaderboard is the same either way.
	Executor TrialExecutor `json:"-"`
}

// withDefaults returns a copy of o with every zero field filled in.
func (o Options) withDefaults() Options {
	if o.TimeBudget <= 0 && o.MaxTrials <= 0 {
		o.TimeBudget = time.Minute
	}
	if o.Parallelism <= 0 {
		o.Parallelism = runtime.GOMAXPROCS(0)
	}
	if o.MaxMemory <= 0 {
		o.MaxMemory = systemMemory() / 4 * 3
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Registry == nil {
		o.Registry = models.Default()
	}
	return o
}
