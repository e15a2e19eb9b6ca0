package automl

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/evaluate"
	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/planner"
	"github.com/automl-agent/automl/preprocess"
)

// Sentinel errors of the automl package.
var (
	// ErrInput reports a frame, target or option that Fit cannot use.
	ErrInput = errors.New("automl: bad input")
	// ErrModelFile reports a predictor file that cannot be loaded.
	ErrModelFile = errors.New("automl: bad model file")
	// ErrPredict reports a frame that a predictor cannot predict on.
	ErrPredict = errors.New("automl: cannot predict")
)

// AutoML runs searches with fixed Options. Make one with New; it is safe
// to call Fit from several goroutines at once.
type AutoML struct {
	opts Options
}

// New returns an AutoML that runs with opts. The caller's struct is copied,
// never modified.
func New(opts Options) *AutoML { return &AutoML{opts: opts} }

// Result is what Fit found.
type Result struct {
	// Profile describes the training data and the task.
	Profile *dataset.Profile `json:"profile"`
	// Leaderboard has one row per trial plus the ensemble, best first.
	Leaderboard *evaluate.Leaderboard `json:"leaderboard"`
	// Predictor predicts with the best row of the leaderboard.
	Predictor *Predictor `json:"-"`
	// Importance is the permutation importance of each input column for
	// the final predictor, most important first; nil when disabled or
	// out of time.
	Importance []ColumnImportance `json:"importance,omitempty"`
	// Options are the settings the run used, defaults filled in and
	// resolved: Folds and Repeats as validated (Folds 1 for a holdout),
	// Metric by name, FinalFit, and MaxTunedPerModel (-1 when the plan
	// tuned nothing).
	Options Options `json:"options"`
	// Plan is what the search tried, as the planner decided it.
	Plan *planner.Plan `json:"plan"`
	// Planning records the planner that ran, every fallback with its
	// reason, LLM usage and the time planning took.
	Planning planner.Trace `json:"planning"`
	// Insights is a plain-language summary of the run: what won and why,
	// what the data's warnings mean, what to try next. Written by the LLM
	// when the planner is an *planner.LLM with time left, from templates
	// otherwise.
	Insights string `json:"insights,omitempty"`
	// Duration is the wall time of Fit.
	Duration time.Duration `json:"duration"`
}

// ColumnImportance is the drop in the metric (out of fold) when one input
// column is shuffled: positive means the predictor relies on it.
type ColumnImportance struct {
	Column string  `json:"column"`
	Mean   float64 `json:"mean"`
	Std    float64 `json:"std"`
}

// Fit searches for the best predictor of column target from the other
// columns of f, within opts.TimeBudget.
//
// f is borrowed: Fit does not release it and keeps no reference to it
// after returning. Rows whose target is null are left out.
//
// Fit always returns a usable predictor when the input is valid: if no
// trial finishes in time it falls back to the class prior or the mean. When
// ctx is cancelled (not merely the time budget running out), Fit stops
// within about a second and returns both the best Result so far and an
// error wrapping ctx.Err(); cancelled before the first trial could run, it
// returns a nil Result. Bad input gives a nil Result and an error.
func (a *AutoML) Fit(ctx context.Context, f *dataset.Frame, target string) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("automl: internal error: %v\n%s", r, trimStack(debug.Stack()))
		}
	}()
	r, err := newRun(a.opts, f, target)
	if err != nil {
		return nil, err
	}
	defer r.close()
	return r.fit(ctx, f)
}

// Plan profiles f and returns the plan that Fit would execute, and how
// it was made, without training anything. f is borrowed, as in Fit. Bad
// input gives an error.
func (a *AutoML) Plan(ctx context.Context, f *dataset.Frame, target string) (p *planner.Plan, tr planner.Trace, err error) {
	defer func() {
		if rec := recover(); rec != nil {
			p, err = nil, fmt.Errorf("automl: internal error: %v\n%s", rec, trimStack(debug.Stack()))
		}
	}()
	r, err := newRun(a.opts, f, target)
	if err != nil {
		return nil, planner.Trace{}, err
	}
	defer r.close()
	if err := r.prepare(ctx, f); err != nil {
		return nil, planner.Trace{}, err
	}
	p, tr = r.plan(ctx)
	return p, tr, nil
}

// run holds the state of one Fit.
type run struct {
	o        Options
	start    time.Time
	deadline time.Time // hard deadline; zero when there is no time limit
	target   string
	frame    *dataset.Frame // training rows (target non-null), owned
	profile  *dataset.Profile
	classes  []string
	k        int // number of classes, 0 for regression
	y, w     []float64
	oy, ow   []float64 // target and weights of the rows out-of-fold vectors cover: y and w, or the holdout's
	holdout  bool      // one split instead of cross-validation (oy covers its held-out rows)
	groups   []string  // per row, with Options.Group; nil otherwise
	metric   evaluate.Metric
	pipe     *preprocess.Pipeline
	specs    []models.Spec
	views    [2]*viewData     // by models.Input
	splits   []evaluate.Split // every repeat's folds, one after another
	nfolds   int              // folds per repeat
	foldY    [][]float64      // target of each fold's test rows
	foldW    [][]float64      // weights of each fold's test rows; nil entries when unweighted
	emit     func(Event)

	planned    *planner.Plan  // what the search executes
	trace      planner.Trace  // how the plan was made
	briefCache *planner.Brief // what the planner saw

	final     []*trial  // the predictor's members
	searchEnd time.Time // when trials must stop; zero when there is no time limit

	cost        costModel   // estimated time per trial, calibrated as trials finish
	mem         memModel    // predicted memory of a trial's models, from the family's earlier trials
	concurrency int         // trials trained at once (Parallelism shared with the models' threads)
	big         bool        // the native view is big (viewData.big): one trial at a time, folds cut per trial, time limits
	searchStart time.Time   // when the search began
	succeeded   atomic.Bool // a trial other than the baseline succeeded
	famMu       sync.Mutex
	famTime     map[string]time.Duration // estimated time granted to each family's trials, for Plan.Shares
	famOK       map[string]bool          // families with a successful trial

	bestMu    sync.Mutex
	bestTrial *trial
}

func newRun(opts Options, f *dataset.Frame, target string) (*run, error) {
	o := opts.withDefaults()
	r := &run{o: o, start: time.Now(), target: target}
	if o.TimeBudget > 0 {
		r.deadline = r.start.Add(o.TimeBudget)
	}
	var emitMu sync.Mutex
	r.emit = func(e Event) {
		emitMu.Lock()
		defer emitMu.Unlock()
		e.Elapsed = time.Since(r.start)
		if !r.deadline.IsZero() {
			e.Remaining = max(0, time.Until(r.deadline))
		}
		if o.OnEvent != nil {
			o.OnEvent(e)
		}
		o.Logger.Debug("automl event", "kind", e.Kind, "phase", e.Phase, "trial", e.Trial, "model", e.Model, "status", e.Status, "score", e.Score)
	}
	if f == nil {
		return nil, fmt.Errorf("%w: nil frame", ErrInput)
	}
	if f.ColumnIndex(target) < 0 {
		return nil, fmt.Errorf("%w: target column %q is not in the frame (columns: %v)", ErrInput, target, f.Names())
	}
	if o.Weight != "" && f.ColumnIndex(o.Weight) < 0 {
		return nil, fmt.Errorf("%w: weight column %q is not in the frame", ErrInput, o.Weight)
	}
	if o.Weight == target {
		return nil, fmt.Errorf("%w: the weight column is the target", ErrInput)
	}
	switch o.FinalFit {
	case "", FinalBag, FinalRefit:
	default:
		return nil, fmt.Errorf("%w: FinalFit %q: want %q, %q or empty", ErrInput, o.FinalFit, FinalBag, FinalRefit)
	}
	if o.Group != "" && f.ColumnIndex(o.Group) < 0 {
		return nil, fmt.Errorf("%w: group column %q is not in the frame", ErrInput, o.Group)
	}
	if o.Group == target {
		return nil, fmt.Errorf("%w: the group column is the target", ErrInput)
	}
	for _, c := range o.Drop {
		if f.ColumnIndex(c) < 0 {
			return nil, fmt.Errorf("%w: Drop names %q, which is not a column of the frame (columns: %v)", ErrInput, c, f.Names())
		}
		if c == target {
			return nil, fmt.Errorf("%w: Drop names the target %q", ErrInput, c)
		}
	}
	return r, nil
}

func (r *run) close() {
	if r.frame != nil {
		r.frame.Release()
		r.frame = nil
	}
}

// timeLeft returns the time until the hard deadline, or a large value when
// there is none.
func (r *run) timeLeft() time.Duration {
	if r.deadline.IsZero() {
		return math.MaxInt64
	}
	return time.Until(r.deadline)
}

func (r *run) fit(parent context.Context, input *dataset.Frame) (*Result, error) {
	ctx := parent
	if !r.deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(parent, r.deadline)
		defer cancel()
	}
	defer tuneGC(r.o.MaxMemory, int64(input.NumRows())*int64(input.NumCols()) >= lazyCells)()
	if err := r.prepare(ctx, input); err != nil {
		return nil, err
	}
	var p *planner.Plan
	p, r.trace = r.plan(ctx)
	if c := p.Columns; len(c.Drop)+len(c.Categorical)+len(c.Text) > 0 {
		if err := r.preprocess(ctx, &c); err != nil {
			return nil, fmt.Errorf("applying the plan's columns: %w", err)
		}
	}
	r.applyPlan(p)
	if err := r.validate(); err != nil {
		return nil, err
	}
	if err := r.checkMemory(); err != nil {
		return nil, err
	}

	lb := evaluate.NewLeaderboard(r.metric)
	trials := r.search(ctx, lb)
	pred, err := r.finish(ctx, lb, trials)
	if err != nil {
		return nil, err
	}
	r.o.Folds, r.o.Repeats = r.nfolds, len(r.splits)/r.nfolds
	r.o.Metric, r.o.MaxTunedPerModel = r.metric.Name(), r.tunedPerModel()
	if r.o.MaxTunedPerModel == 0 {
		r.o.MaxTunedPerModel = -1 // none, as Options spells it
	}
	res := &Result{Profile: r.profile, Leaderboard: lb, Predictor: pred, Options: r.o, Plan: r.planned}
	if !r.o.DisableImportance {
		r.emit(Event{Kind: EventPhase, Phase: "importance"})
		res.Importance = r.importance(ctx, pred)
	}
	lb.Sort()
	res.Insights = r.insights(ctx, lb, trials)
	res.Planning = r.trace
	res.Duration = time.Since(r.start)
	r.emit(Event{Kind: EventPhase, Phase: "done"})
	if err := parent.Err(); err != nil {
		return res, fmt.Errorf("automl: stopped early: %w", err)
	}
	return res, nil
}
