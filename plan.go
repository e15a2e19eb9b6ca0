package automl

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/automl-agent/automl/evaluate"
	"github.com/automl-agent/automl/llm"
	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/planner"
)

// plan asks the planner (Options.Planner, Heuristic when nil) what to try,
// and returns the plan and how it was made. A planner that fails, overruns
// its share of the budget or returns an invalid plan is replaced by the
// heuristic; the trace says why.
func (r *run) plan(ctx context.Context) (*planner.Plan, planner.Trace) {
	r.emit(Event{Kind: EventPhase, Phase: "plan"})
	b := r.brief()
	p, tr := planner.PlanWithFallback(ctx, r.o.Planner, b)
	for _, f := range tr.Fallbacks {
		r.o.Logger.Warn("planner: fell back to heuristic", "reason", f)
	}
	return p, tr
}

// brief is what the planner may see: the profile's aggregated facts, the
// task, the budget, the cores and the candidates with their estimated cost
// on this data.
func (r *run) brief() *planner.Brief {
	if r.briefCache != nil {
		return r.briefCache
	}
	n := len(r.y)
	folds := r.o.Folds
	if folds <= 0 {
		folds = planner.DefaultFolds(n)
	}
	folds = max(2, min(folds, n))
	b := &planner.Brief{
		Profile:       r.profile,
		Facts:         planner.FactsOf(r.profile, r.target, r.o.Facts),
		Task:          r.profile.Task,
		Metric:        r.metric.Name(),
		GreaterBetter: r.metric.Greater(),
		Budget:        r.o.TimeBudget,
		Cores:         r.o.Parallelism,
		Concurrency:   r.concurrency,
		Fixed: planner.Fixed{
			Folds:            r.o.Folds,
			Repeats:          r.o.Repeats,
			FinalFit:         string(r.o.FinalFit),
			MaxTunedPerModel: r.o.MaxTunedPerModel,
			DisableEnsemble:  r.o.DisableEnsemble,
		},
	}
	if r.groups != nil {
		b.Fixed.Groups = distinct(r.groups)
	}
	for _, s := range r.specs {
		if s.Name == baselineModel {
			continue
		}
		width := 0
		if v := r.views[s.Input]; v != nil {
			width = len(v.names)
		}
		sh := models.Shape{Rows: n - n/folds, Features: width, Classes: r.k, Predict: n / folds, Threads: r.specThreads(s)}
		b.Models = append(b.Models, planner.NewModelInfo(s, sh, folds))
	}
	r.briefCache = b
	return b
}

// applyPlan sets what the plan decides: folds, repeats, final fit, the
// time kept after the search; columns are applied before, in prepare.
func (r *run) applyPlan(p *planner.Plan) {
	r.planned = p
	r.o.FinalFit = FinalFit(p.Validation.FinalFit)
}

// reserve is the time kept after the search for the ensemble, the final
// fits and importance: the plan's share of the budget, at least 200ms, at
// most 30s when bagging and 2 minutes when refitting.
func (r *run) reserve() time.Duration {
	share := r.planned.Reserve // validated: in (0, 0.5] once normalised
	if !(share > 0) {
		share = planner.DefaultReserveBag
		if r.o.FinalFit == FinalRefit {
			share = planner.DefaultReserveRefit
		}
	}
	hi := 30 * time.Second
	if r.o.FinalFit == FinalRefit {
		hi = 2 * time.Minute
	}
	return min(max(time.Duration(float64(r.o.TimeBudget)*share), 200*time.Millisecond), hi)
}

// finalReserve is the time the final phase needs when the leader is not
// refit (the ensemble, importance, the predictor): the bagging reserve's
// share of the budget, between 1 and 30 seconds.
func (r *run) finalReserve() time.Duration {
	return min(max(time.Duration(float64(r.o.TimeBudget)*planner.DefaultReserveBag), time.Second), 30*time.Second)
}

// planTrials turns the plan's portfolio round into trials, after the
// baseline (trial 0).
func (r *run) planTrials() ([]*trial, error) {
	out := []*trial{{id: 0, spec: baselineSpec(r.o.Registry), params: models.Params{}, phase: "baseline"}}
	for _, c := range r.planned.Trials {
		s, err := r.spec(c.Model)
		if err != nil {
			return nil, err
		}
		p := c.Params
		if p == nil {
			p = models.Params{}
		}
		out = append(out, &trial{id: len(out), spec: s, params: p, phase: "portfolio"})
	}
	return out, nil
}

// spec returns the candidate spec called name.
func (r *run) spec(name string) (models.Spec, error) {
	for _, s := range r.specs {
		if s.Name == name {
			return s, nil
		}
	}
	return models.Spec{}, fmt.Errorf("automl: the plan names %q, which is not a candidate", name)
}

// observations are the finished trials as a planner sees them.
func (r *run) observations(trials []*trial) []planner.Observation {
	out := make([]planner.Observation, 0, len(trials))
	for _, t := range trials {
		o := planner.Observation{Model: t.spec.Name, Params: t.params, Status: t.status, Seconds: t.wallSec, Score: math.NaN()}
		if t.ok() {
			o.Score = t.score
		}
		if t.err != nil {
			o.Error = firstLine(t.err.Error())
		}
		out = append(out, o)
	}
	return out
}

// refine asks a planner that implements planner.Refiner for more
// configurations after the portfolio round, within a tenth of the time
// left; invalid ones are dropped. They become the first tuned trials.
func (r *run) refine(ctx context.Context, trials []*trial) []*trial {
	rf, ok := r.o.Planner.(planner.Refiner)
	if !ok || r.trace.Planner == "heuristic" {
		return nil
	}
	if !r.searchEnd.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Until(r.searchEnd)/10)
		defer cancel()
	}
	t0 := time.Now()
	cfgs, err := rf.Refine(ctx, r.brief(), r.planned, r.observations(trials))
	r.trace.Duration += time.Since(t0)
	if err != nil {
		r.trace.Fallbacks = append(r.trace.Fallbacks, "refine: "+firstLine(err.Error()))
		r.o.Logger.Warn("planner: refinement failed", "err", err)
		return nil
	}
	var out []*trial
	for _, c := range cfgs {
		s, err := r.spec(c.Model)
		if err != nil {
			continue // not a candidate
		}
		if _, err := s.New(c.Params); err != nil {
			r.trace.Fallbacks = append(r.trace.Fallbacks, fmt.Sprintf("refine: dropped %s %v: %v", c.Model, c.Params, err))
			continue
		}
		out = append(out, &trial{id: len(trials) + len(out), spec: s, params: c.Params, phase: "refined"})
	}
	return out
}

// insights summarises the run in plain language: by the LLM planner's
// client when there is one and at least insightsMinTime is left of the
// budget (it is bounded by the Fit deadline), from templates otherwise.
func (r *run) insights(ctx context.Context, lb *evaluate.Leaderboard, trials []*trial) string {
	var client llm.Client
	if l, ok := r.o.Planner.(*planner.LLM); ok && l.Client != nil && r.timeLeft() >= insightsMinTime {
		client = l.Client
	}
	winner := ""
	for _, row := range lb.Rows {
		if row.Selected {
			winner = row.Model
		}
	}
	text, err := planner.Insights(ctx, r.brief(), r.planned, r.observations(trials), winner, client)
	if err != nil {
		r.trace.Fallbacks = append(r.trace.Fallbacks, "insights: "+firstLine(err.Error()))
	}
	return text
}

// insightsMinTime is the least time left for the LLM to write the
// insights; with less, templates write them.
const insightsMinTime = 3 * time.Second
