package automl

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"time"

	"github.com/automl-agent/automl/evaluate"
	"github.com/automl-agent/automl/hyperopt"
	"github.com/automl-agent/automl/models"
)

// baselineModel is the registry name of the class-prior / mean model that
// every run trains first, so that it never ends empty-handed.
const baselineModel = "prior"

// tuneBatch is the number of tuned trials proposed at once, from the
// results of earlier batches only. It does not depend on Parallelism, so
// a fixed seed and trial budget give the same trials at any parallelism.
const tuneBatch = 8

// tunedPerModel is the plan's cap on tuned trials per family.
func (r *run) tunedPerModel() int { return max(0, r.planned.Tuning.TrialsPerFamily) }

// trial is one model configuration, cross-validated.
type trial struct {
	id     int
	spec   models.Spec
	params models.Params
	phase  string // baseline, portfolio or tuned

	status     string
	err        error
	foldScores []float64
	score, std float64
	tie        float64        // pooled OOF log loss (classification) or RMSE: breaks score ties
	first      float64        // score of the first fold model on its own held-out rows
	oof        []float64      // out-of-fold predictions; nil once dropped
	models     []models.Model // one per fold; nil once dropped
	fitSec     float64        // total over folds
	predPer1k  float64        // seconds per 1000 rows
	estSec     float64        // estimated wall seconds when it was admitted
	limitSec   float64        // > 0: admitted capped, the models' time limit for the whole trial
	uncapped   float64        // the estimate before it was capped to the time left
	wallSec    float64        // measured wall seconds (folds, predictions, scoring)
	bytes      int64          // memory of models and oof while kept (models.Sizer)
	temp       float64        // > 0: the probability temperature of this trial's own predictions
}

func (t *trial) ok() bool { return t.status == evaluate.StatusOK }

// loss turns a trial's score into a value to minimise (failures are +Inf).
func (r *run) loss(t *trial) float64 {
	if !t.ok() || math.IsNaN(t.score) {
		return math.Inf(1)
	}
	return evaluate.Loss(r.metric, t.score)
}

// better reports whether a ranks before b: lower loss, then lower id.
func (r *run) better(a, b *trial) bool {
	la, lb := r.loss(a), r.loss(b)
	if la != lb {
		return la < lb
	}
	if a.tie != b.tie && !math.IsNaN(a.tie) && !math.IsNaN(b.tie) {
		return a.tie < b.tie
	}
	return a.id < b.id
}

// search runs the baseline, the portfolio and then tuned trials until the
// trial budget or the search deadline, and returns every trial in id order.
func (r *run) search(ctx context.Context, lb *evaluate.Leaderboard) []*trial {
	r.emit(Event{Kind: EventPhase, Phase: "search"})
	sctx := ctx
	if !r.deadline.IsZero() {
		// Keep a reserve for the ensemble, the predictor and importance.
		var cancel context.CancelFunc
		r.searchEnd = r.deadline.Add(-r.reserve())
		sctx, cancel = context.WithDeadline(ctx, r.searchEnd)
		defer cancel()
	}
	r.searchStart = time.Now()
	var trials []*trial
	add := func(batch []*trial) {
		if r.o.MaxTrials > 0 && len(trials)+len(batch) > r.o.MaxTrials {
			batch = batch[:max(0, r.o.MaxTrials-len(trials))]
		}
		bctx := sctx
		if !r.searchEnd.IsZero() {
			// The search end may have moved closer (keepRefitTime).
			var cancel context.CancelFunc
			bctx, cancel = context.WithDeadline(sctx, r.searchEnd)
			defer cancel()
		}
		r.runBatch(bctx, ctx, batch, r.leader(trials))
		for _, t := range batch {
			if t.status != evaluate.StatusSkipped || t.phase != "tuned" {
				// Tuned proposals that never started are not worth a row.
				lb.Rows = append(lb.Rows, r.row(t))
			}
		}
		trials = append(trials, batch...)
		for _, t := range r.dropWeak(trials) {
			for i := range lb.Rows {
				if lb.Rows[i].ID == t.id {
					lb.Rows[i].Note += "; not blended: its models were dropped to keep the search within MaxMemory"
				}
			}
		}
		r.keepRefitTime(trials)
	}

	first, err := r.planTrials()
	if err != nil { // Validate rules this out; keep the baseline anyway
		r.o.Logger.Error("plan", "err", err)
		first = first[:1]
	}
	// The baseline runs alone first: it is what Fit returns if nothing
	// else finishes.
	add(first[:1])
	for i := 1; i < len(first) && !r.stop(sctx, trials); i += r.o.Parallelism * 2 {
		add(first[i:min(len(first), i+r.o.Parallelism*2)])
	}
	if !r.stop(sctx, trials) {
		if more := r.refine(sctx, trials); len(more) > 0 {
			add(more)
		}
	}

	tuners := r.tuners(trials)
	rng := rand.New(rand.NewPCG(r.o.Seed, math.MaxUint64))
	for tuned := 0; tuned < r.tunedPerModel()*len(tuners) && !r.stop(sctx, trials); tuned += tuneBatch {
		batch := make([]*trial, 0, tuneBatch)
		for len(batch) < tuneBatch {
			tu := tuners[(len(trials)+len(batch))%len(tuners)]
			id := len(trials) + len(batch)
			// Earlier proposals of this batch show as pending ("constant
			// liar"), so the batch does not repeat itself.
			hist := tu.history(r, trials)
			for _, b := range batch {
				if b.spec.Name == tu.spec.Name {
					hist = append(hist, hyperopt.Observation{Trial: b.id, Config: map[string]any(b.params), Loss: math.NaN(), Pending: true})
				}
			}
			cfg, err := tu.sampler.Next(rng, id, hist)
			if err != nil {
				cfg = nil // the family's defaults
			}
			batch = append(batch, &trial{
				id:     id,
				spec:   tu.spec,
				params: tu.spec.Portfolio[0].Merge(models.Params(cfg)),
				phase:  "tuned",
			})
		}
		add(batch)
	}
	return trials
}

// stop reports whether the search must end: out of time or trials.
func (r *run) stop(ctx context.Context, trials []*trial) bool {
	if ctx.Err() != nil || (!r.searchEnd.IsZero() && !time.Now().Before(r.searchEnd)) {
		return true
	}
	return r.o.MaxTrials > 0 && len(trials) >= r.o.MaxTrials
}

// keepRefitTime moves the search's end closer when the predictor will be
// refit and refitting the current leader would not fit in the time kept
// after the search: a leader left as fold models trained on part of the
// rows is worth less than one more trial. It never moves the end later.
func (r *run) keepRefitTime(trials []*trial) {
	if r.o.FinalFit != FinalRefit || r.deadline.IsZero() {
		return
	}
	lead := r.leader(trials)
	if lead == nil || lead.spec.Name == baselineModel {
		return
	}
	need := time.Duration((r.refitSeconds(lead)*refitMargin + 2) * float64(time.Second))
	if end := r.deadline.Add(-need); end.Before(r.searchEnd) {
		if end.Before(r.searchStart) {
			end = r.searchStart
		}
		r.searchEnd = end
		r.o.Logger.Debug("search end moved to keep the leader's refit", "model", lead.spec.Name, "refit_s", r.refitSeconds(lead))
	}
}

// tuner proposes configurations for one model family.
type tuner struct {
	spec    models.Spec
	sampler hyperopt.Sampler
}

// history returns the finished trials of the tuner's family as
// observations, in id order.
func (tu tuner) history(r *run, trials []*trial) []hyperopt.Observation {
	var out []hyperopt.Observation
	for _, t := range trials {
		if t.spec.Name != tu.spec.Name || t.status == evaluate.StatusSkipped {
			continue
		}
		loss := r.loss(t)
		if t.status == evaluate.StatusPruned {
			loss = evaluate.Loss(r.metric, t.first)
		}
		out = append(out, hyperopt.Observation{Trial: t.id, Config: map[string]any(t.params), Loss: loss})
	}
	return out
}

// tuners picks the model families to tune: the plan's list, or its Top
// families by best portfolio score (those that have a search space, and
// whose loss is within 1.5 times the leader's), each with the plan's
// narrowed space when it gives one.
func (r *run) tuners(trials []*trial) []tuner {
	tu := r.planned.Tuning
	var names []string
	if len(tu.Families) > 0 {
		names = tu.Families
	} else if tu.Top > 0 {
		bestOf := map[string]*trial{}
		for _, t := range trials {
			if !t.ok() || t.spec.Name == baselineModel || len(t.spec.Space) == 0 {
				continue
			}
			if b, ok := bestOf[t.spec.Name]; !ok || r.better(t, b) {
				bestOf[t.spec.Name] = t
			}
		}
		fams := make([]*trial, 0, len(bestOf))
		for _, t := range bestOf {
			fams = append(fams, t)
		}
		slices.SortFunc(fams, func(a, b *trial) int {
			if r.better(a, b) {
				return -1
			}
			return 1
		})
		for _, t := range fams[:min(tu.Top, len(fams))] {
			// A family far behind the leader (over 1.5 times its loss)
			// is not worth tuning: its tuned trials would not reach the
			// blend.
			if lead := r.loss(fams[0]); lead > 0 && r.loss(t) > 1.5*lead {
				continue
			}
			names = append(names, t.spec.Name)
		}
	}
	var out []tuner
	for _, name := range names {
		s, err := r.spec(name)
		if err != nil || len(s.Space) == 0 {
			continue
		}
		if len(s.Portfolio) == 0 {
			s.Portfolio = []models.Params{{}}
		}
		space := s.Space
		if narrowed, ok := tu.Spaces[name]; ok && len(narrowed) > 0 {
			space = narrowed
		}
		out = append(out, tuner{spec: s, sampler: &hyperopt.TPE{Space: space}})
	}
	return out
}

// runBatch trains the trials of a batch in parallel, r.concurrency at
// once. Each trial writes only its own fields.
//
// bar is the best trial of earlier batches (nil if none): a tuned trial
// whose first fold scores clearly worse than bar's first fold is pruned,
// successive-halving style on folds. Taking bar from earlier batches only
// keeps the result independent of Parallelism.
//
// A trial is skipped, before it starts, when its estimated time does not
// fit the time left, when it would take more than a third of the whole
// search while another model has already succeeded and its family does
// not lead (such a trial cannot pay for the trials it would displace: a
// quadratic k-NN on a big table), or when its family would exceed its
// share of the time (Plan.Shares); before any of that, when its models
// would not fit the memory kept for blending (admitMemory).
// The leaderboard keeps each trial's estimate beside its measured time.
func (r *run) runBatch(ctx, outer context.Context, batch []*trial, bar *trial) {
	errs := hyperopt.Run(ctx, len(batch), r.concurrency, func(ctx context.Context, i int) error {
		t := batch[i]
		raw := r.rawEstimate(t, 0)
		est := r.estimate(t, raw)
		t.estSec = est.Seconds()
		if err := r.admit(t, est, raw); err != nil {
			t.status, t.err = evaluate.StatusSkipped, err
			r.finished(t)
			return nil
		}
		r.emit(Event{Kind: EventTrialStarted, Trial: t.id, Model: t.spec.Name, Params: t.params, Phase: t.phase})
		start := time.Now()
		if t.limitSec > 0 {
			// Capped to the time before the final phase, which may be
			// past the search's end: it runs under Fit's own context,
			// with its limit and a margin for scoring.
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(outer, time.Duration((1.25*t.limitSec+2)*float64(time.Second)))
			defer cancel()
		}
		r.runTrial(ctx, t, bar)
		took := time.Since(start)
		t.wallSec = took.Seconds()
		if _, ok := r.planned.Shares[t.spec.Name]; ok {
			r.familyTime(t.spec.Name, took-est)
		}
		switch {
		case t.limitSec > 0:
			// Capped: its time says nothing about the model's cost.
		case t.status == evaluate.StatusOK:
			r.cost.observe(t.spec.Name, raw, took-time.Duration(r.overhead(t)*float64(time.Second)))
			r.mem.observe(t.spec.Name, raw, t.bytes)
		case t.status == evaluate.StatusPruned:
			r.cost.observe(t.spec.Name, r.rawEstimate(t, 1), took)
		case t.status == evaluate.StatusTimeout:
			// Cut at the deadline: it took at least this long, which is
			// still the best evidence for the model's next estimate.
			if took.Seconds() > raw*r.cost.factor(t.spec.Name) {
				r.cost.observe(t.spec.Name, raw, took)
			}
		}
		r.finished(t)
		return nil
	})
	for i, err := range errs {
		if t := batch[i]; err != nil && t.status == "" {
			t.status, t.err = evaluate.StatusSkipped, fmt.Errorf("out of time before it started: %w", err)
			r.finished(t)
		}
	}
}

// admit returns why trial t, estimated at est (raw before calibration),
// must not start (nil if it may): memory first (admitMemory), then time.
func (r *run) admit(t *trial, est time.Duration, raw float64) error {
	if t.phase == "baseline" {
		return nil
	}
	if err := r.admitMemory(t, raw); err != nil {
		return err
	}
	if r.searchEnd.IsZero() || est <= 0 {
		return nil
	}
	left := time.Until(r.searchEnd)
	if time.Now().Add(est).After(r.searchEnd) {
		if !r.capToFit(t, est) {
			return fmt.Errorf("estimated %.1fs does not fit the %.1fs left", est.Seconds(), left.Seconds())
		}
		est = time.Duration(t.estSec * float64(time.Second))
	}
	whole := r.searchEnd.Sub(r.searchStart)
	if est > whole/3 && r.succeeded.Load() && !r.leads(t.spec.Name) {
		return fmt.Errorf("left out: estimated %.1fs, over a third of the %.0fs search", est.Seconds(), whole.Seconds())
	}
	if share, ok := r.planned.Shares[t.spec.Name]; ok {
		used := r.familyTime(t.spec.Name, est)
		if limit := time.Duration(share * float64(whole)); used > limit {
			r.familyTime(t.spec.Name, -est)
			return fmt.Errorf("over its share: %.1fs with this trial, the plan gives %s %.0f%% of the search (%.1fs)", used.Seconds(), t.spec.Name, 100*share, limit.Seconds())
		}
	}
	return nil
}

// capToFit admits, on a big table, the first trial of a family whose
// model can stop at a time limit (Spec.TimeLimit: gradient boosting keeps
// the rounds it has) although its estimate est does not fit the search's
// time left: it gets four fifths of the time left before the final phase
// (finalReserve) as its limit, if that is at least a fifth of the estimate
// and minTimeLimit a fold; the search ends with it. On a 10-million-
// row table at 120 s every GBDT configuration is estimated over the whole
// search, and a random forest was all the search could offer; a GBDT cut
// to its first few hundred rounds beats it. It records the cap on t
// (limitSec, uncapped, estSec) and reports whether it capped.
func (r *run) capToFit(t *trial, est time.Duration) bool {
	if t.spec.TimeLimit == "" || !r.big || r.deadline.IsZero() || r.familySucceeded(t.spec.Name) {
		return false
	}
	if _, set := t.params[t.spec.TimeLimit]; set {
		return false
	}
	// The time to the final phase, not to the search's end: the reserve
	// kept for refitting the leader on all rows is no use to a model that
	// took all this time on part of them.
	left := time.Until(r.deadline.Add(-r.finalReserve()))
	limit := 0.8*left.Seconds() - r.overhead(t)
	if limit < 0.2*est.Seconds() || limit < minTimeLimit*float64(len(r.splits)) {
		return false
	}
	t.uncapped, t.limitSec = est.Seconds(), limit
	t.estSec = limit + r.overhead(t)
	return true
}

// familySucceeded reports whether a trial of model has succeeded.
func (r *run) familySucceeded(model string) bool {
	r.famMu.Lock()
	defer r.famMu.Unlock()
	return r.famOK[model]
}

// leads reports whether the best trial so far is of model. A trial of the
// leading family is worth a large share of the search: on a big table
// that is the gradient boosting configuration the blend will lean on, and
// leaving it out because a slow moment inflated its estimate cost more
// than the cheap trials it displaces.
func (r *run) leads(model string) bool {
	r.bestMu.Lock()
	defer r.bestMu.Unlock()
	return r.bestTrial != nil && r.bestTrial.spec.Name == model
}

// admitMemory returns why trial t, with raw cost estimate raw, must not
// start for memory (nil if it may): its models are predicted to hold more
// than all the memory kept for blending (keepBudget), so they would be
// freed as soon as they were fitted.
func (r *run) admitMemory(t *trial, raw float64) error {
	need, budget := r.mem.predict(t.spec.Name, raw), r.keepBudget()
	if need > budget {
		return fmt.Errorf("left out: its models would hold about %d MB, over the %d MB MaxMemory leaves for the models kept for blending", need>>20, budget>>20)
	}
	return nil
}

// familyTime adds est to the time the trials of model have taken or been
// granted so far, and returns the sum. A trial granted its estimate
// corrects the grant to its measured time when it ends; a refused one
// takes it back.
func (r *run) familyTime(model string, est time.Duration) time.Duration {
	r.famMu.Lock()
	defer r.famMu.Unlock()
	if r.famTime == nil {
		r.famTime = map[string]time.Duration{}
	}
	r.famTime[model] += est
	return r.famTime[model]
}

// finished reports a trial's end (and a new best) to OnEvent.
func (r *run) finished(t *trial) {
	e := Event{Kind: EventTrialFinished, Trial: t.id, Model: t.spec.Name, Params: t.params, Status: t.status, Phase: t.phase}
	if t.err != nil {
		e.Err = t.err.Error()
	}
	if t.ok() {
		e.Score = t.score
	}
	r.emit(e)
	if !t.ok() {
		return
	}
	if t.spec.Name != baselineModel {
		r.succeeded.Store(true)
	}
	r.famMu.Lock()
	if r.famOK == nil {
		r.famOK = map[string]bool{}
	}
	r.famOK[t.spec.Name] = true
	r.famMu.Unlock()
	r.bestMu.Lock()
	isBest := r.bestTrial == nil || r.better(t, r.bestTrial)
	if isBest {
		r.bestTrial = t
	}
	r.bestMu.Unlock()
	if isBest {
		r.emit(Event{Kind: EventNewBest, Trial: t.id, Model: t.spec.Name, Params: t.params, Score: t.score, Best: t.score})
	}
}

// runTrial cross-validates one configuration: a fresh model per fold, fit
// on the other folds and scored on its own. A panic in the model becomes
// the trial's error.
func (r *run) runTrial(ctx context.Context, t *trial, bar *trial) {
	defer func() {
		if p := recover(); p != nil {
			t.status = evaluate.StatusFailed
			t.err = fmt.Errorf("panic in %s: %v\n%s", t.spec.Name, p, trimStack(debug.Stack()))
			t.oof, t.models = nil, nil
		}
	}()
	v := r.views[t.spec.Input]
	if v == nil {
		t.status, t.err = evaluate.StatusFailed, fmt.Errorf("no feature view for %s", t.spec.Name)
		return
	}
	fail := func(err error) {
		t.oof, t.models = nil, nil
		t.err = err
		t.status = evaluate.StatusFailed
		if ctx.Err() != nil {
			t.status = evaluate.StatusTimeout
			t.err = fmt.Errorf("cut at the deadline: %w", err)
		}
	}
	oof := make([]float64, models.OutputLen(len(r.oy), r.k))
	fitted := make([]models.Model, len(r.splits))
	var fitDur, predDur time.Duration
	width := max(r.k, 1)
	var ahead func(fold int) (*FoldResult, error) // the folds after the first, on an executor that fans out
	for fi, s := range r.splits {
		if err := ctx.Err(); err != nil {
			fail(err)
			return
		}
		var res *FoldResult
		var err error
		if ahead != nil {
			res, err = ahead(fi)
		} else {
			res, err = r.fitFold(ctx, r.foldTask(t, v, fi))
		}
		if err != nil {
			fail(err)
			return
		}
		fitDur += res.Fit
		predDur += res.Predict
		pred, m := res.Pred, res.Model
		if fi == 0 {
			sc, err := r.metric.Score(r.foldY[0], pred, r.k, r.foldW[0])
			if err != nil {
				fail(fmt.Errorf("scoring: %w", err))
				return
			}
			t.first = sc
			if r.prune(t, bar) {
				t.oof, t.models = nil, nil
				t.status = evaluate.StatusPruned
				t.err = fmt.Errorf("first fold %.4g against %.4g for trial %d", sc, bar.first, bar.id)
				t.fitSec = fitDur.Seconds()
				return
			}
			var stop func()
			ahead, stop = r.foldsAhead(ctx, t, v)
			defer stop()
		}
		// Every repeat predicts each row once: average the repeats.
		reps := float64(len(r.splits) / r.nfolds)
		for j, i := range s.Test {
			if r.holdout {
				i = j // the out-of-fold vector covers the held-out rows, in order
			}
			for c := range width {
				oof[i*width+c] += pred[j*width+c] / reps
			}
		}
		fitted[fi] = m
	}
	// Score the repeat-averaged OOF predictions fold by fold, as the
	// ensemble is scored, and as the bagged predictor will predict.
	scores, err := r.foldScores(oof)
	if err != nil {
		fail(fmt.Errorf("scoring: %w", err))
		return
	}
	t.status = evaluate.StatusOK
	t.tie = r.tieBreak(oof)
	t.foldScores = scores
	t.score, t.std = meanStd(scores)
	t.oof, t.models = oof, fitted
	t.bytes = int64(len(oof)) * 8
	for _, m := range fitted {
		if sz, ok := m.(models.Sizer); ok {
			t.bytes += sz.SizeBytes()
		}
	}
	t.fitSec = fitDur.Seconds()
	// Per 1,000 rows, for the models the final predictor keeps of this
	// trial: the first repeat's fold models when bagged, one when refit.
	// Each split's model predicted its held-out rows: every repeat
	// predicts each of the n rows once.
	perModel := predDur.Seconds() / float64(len(r.oy)*(len(r.splits)/r.nfolds)) * 1000
	kept := r.nfolds
	if r.o.FinalFit == FinalRefit {
		kept = 1
	}
	t.predPer1k = perModel * float64(kept)
}

// leader returns the best successful trial of trials, or nil.
func (r *run) leader(trials []*trial) *trial {
	var best *trial
	for _, t := range trials {
		if t.ok() && (best == nil || r.better(t, best)) {
			best = t
		}
	}
	return best
}

// prune reports whether tuned trial t, whose first fold scored t.first,
// is clearly worse than bar: by more than bar's standard deviation over
// folds (and 1% of its score) on the same fold.
func (r *run) prune(t, bar *trial) bool {
	if t.phase != "tuned" || bar == nil || len(r.splits) < 3 {
		return false
	}
	margin := max(bar.std, 0.01*math.Abs(bar.first))
	if r.metric.Greater() {
		return t.first < bar.first-margin
	}
	return t.first > bar.first+margin
}

// tieBreak scores pooled OOF predictions by a smooth loss, to rank trials
// whose main scores tie (accuracy on small data ties often).
func (r *run) tieBreak(oof []float64) float64 {
	var m evaluate.Metric = evaluate.RMSE{}
	if r.k > 0 {
		m = evaluate.LogLoss{}
	}
	s, err := m.Score(r.oy, oof, r.k, r.ow)
	if err != nil {
		return math.NaN()
	}
	return s
}

// dropWeak frees the out-of-fold predictions and fold models of every
// successful trial that is not an ensemble candidate (the best keepTop,
// at most perFamily of each model), to bound memory. Candidates are kept
// best first while their models fit in keepBudget; the ones that do not
// are freed too and returned (the best trial is always kept): a few deep
// forests on a 10,000-row table hold hundreds of megabytes.
func (r *run) dropWeak(trials []*trial) (overBudget []*trial) {
	var ok []*trial
	for _, t := range trials {
		if t.ok() && t.oof != nil {
			ok = append(ok, t)
		}
	}
	slices.SortFunc(ok, func(a, b *trial) int {
		if r.better(a, b) {
			return -1
		}
		return 1
	})
	keepTop, perFamily := r.planned.Ensemble.Candidates, r.planned.Ensemble.PerFamily
	keep := map[*trial]bool{}
	for _, t := range diverse(ok, keepTop, perFamily) {
		keep[t] = true
	}
	best := r.bestTrial
	if best != nil {
		keep[best] = true
	}
	budget := r.keepBudget()
	var used int64
	if best != nil && best.oof != nil {
		used = best.bytes
	}
	for _, t := range ok {
		switch {
		case t == best:
		case keep[t] && used+t.bytes <= budget:
			used += t.bytes
		case keep[t]:
			overBudget = append(overBudget, t)
			t.oof, t.models = nil, nil
		default:
			t.oof, t.models = nil, nil
		}
	}
	if len(overBudget) > 0 {
		r.o.Logger.Info("models dropped to stay within MaxMemory", "trials", len(overBudget), "kept_bytes", used, "budget_bytes", budget)
	}
	return overBudget
}

// keepBudget is the memory the models kept for blending may hold: half
// of Options.MaxMemory (the garbage collector lets the heap grow to about
// twice the live data) less the estimate for the data and the trials in
// flight (memoryNeed).
func (r *run) keepBudget() int64 {
	return max(0, r.o.MaxMemory/2-r.memoryNeed())
}

// row turns a trial into a leaderboard row.
func (r *run) row(t *trial) evaluate.Row {
	row := evaluate.Row{
		ID:                  t.id,
		Model:               t.spec.Name,
		Params:              map[string]any(t.params),
		Status:              t.status,
		FitSeconds:          t.fitSec,
		EstimatedSeconds:    t.estSec,
		WallSeconds:         t.wallSec,
		PredictSecondsPer1k: t.predPer1k,
		Note:                t.phase,
	}
	if t.uncapped > 0 {
		row.Note += fmt.Sprintf("; capped at %.1fs to fit the time left (estimated %.1fs): its model stops there with the rounds it has", t.limitSec, t.uncapped)
	}
	if t.ok() {
		row.Score, row.Std, row.FoldScores, row.TieLoss = t.score, t.std, t.foldScores, t.tie
	} else {
		row.Score, row.Std = math.NaN(), math.NaN()
	}
	if t.err != nil {
		row.Error = firstLine(t.err.Error())
	}
	return row
}

func meanStd(x []float64) (mean, std float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	if len(x) < 2 {
		return mean, 0
	}
	for _, v := range x {
		std += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(std / float64(len(x)-1))
}

func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}

// trimStack keeps the first lines of a stack trace.
func trimStack(b []byte) string {
	lines := 0
	for i, c := range b {
		if c == '\n' {
			lines++
			if lines == 24 {
				return string(b[:i])
			}
		}
	}
	return string(b)
}
