package automl

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/automl-agent/automl/ensemble"
	"github.com/automl-agent/automl/evaluate"
	"github.com/automl-agent/automl/hyperopt"
	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/planner"
)

// finish builds the final predictor: the greedy ensemble of the best
// trials (started from the trials that tie with the best, see tied) when
// it beats the best single trial out of fold (or the stacker when it
// beats both), with the binary decision threshold and the
// probability temperature tuned out of fold. It adds the ensemble's and
// the stacker's leaderboard rows and marks the selected one.
func (r *run) finish(ctx context.Context, lb *evaluate.Leaderboard, trials []*trial) (*Predictor, error) {
	r.emit(Event{Kind: EventPhase, Phase: "ensemble"})
	var ok []*trial
	for _, t := range trials {
		if t.ok() && t.oof != nil {
			ok = append(ok, t)
		}
	}
	r.temperTrials(lb, ok)
	slices.SortFunc(ok, func(a, b *trial) int {
		if r.better(a, b) {
			return -1
		}
		return 1
	})
	if len(ok) == 0 {
		// Not even the baseline finished: fit the prior on all rows now,
		// whatever the clock says; it takes microseconds.
		t, err := r.fallback()
		if err != nil {
			return nil, err
		}
		ok = []*trial{t}
	}
	ok = r.withinPredictLimit(ok)

	best := r.probable(ok)
	selected := best.id
	weights := []float64{1}
	members := []*trial{best}
	oof := best.oof
	p := &Predictor{
		target:  r.target,
		task:    r.profile.Task,
		classes: slices.Clone(r.classes),
		metric:  r.metric.Name(),
		pipe:    r.pipe,
		columns: r.pipe.InputColumns(),
	}
	ens := r.planned.Ensemble
	if !r.o.DisableEnsemble && ens.Method != "none" && len(ok) > 1 {
		cand := diverse(ok, ens.Candidates, ens.PerFamily)
		oofs := make([][]float64, len(cand))
		for i, t := range cand {
			oofs[i] = t.oof
		}
		// Label metrics (accuracy, F1, ...) are too coarse to steer
		// Caruana's selection on small data: blend by log loss then, and
		// take the blend unless it loses more than labelSlack of the
		// metric to the best single trial.
		top := ok[0]
		gm := r.metric
		if _, ok := r.metric.(evaluate.LabelMetric); ok && r.k > 0 {
			gm = evaluate.LogLoss{}
		}
		if blend, mw, mm, row, err := r.greedyWithin(cand, oofs, gm, len(trials)); err != nil {
			r.o.Logger.Warn("ensemble failed", "err", err)
		} else if len(mm) > 1 || mm[0] != best {
			lb.Rows = append(lb.Rows, row)
			slack := r.labelSlack(top.oof, blend)
			if evaluate.Loss(r.metric, row.Score) <= evaluate.Loss(r.metric, top.score)+slack && (slack > 0 || r.beats(row.Score, top.score)) {
				weights, members, oof = mw, mm, blend
				selected = row.ID
			}
		}
		// A stacker over the best few, kept only if it beats both the
		// greedy blend and the best trial out of fold (all scored on
		// pooled OOF rows).
		// The stacker cross-validates its meta-model on the CV folds; a
		// holdout has none.
		if sc := cand[:r.stackCount(cand)]; len(sc) > 1 && ens.Method != "greedy_only" && !r.holdout {
			if st, srow, ok := r.stack(ctx, sc, oofs[:len(sc)], len(trials)+1); ok {
				lb.Rows = append(lb.Rows, srow)
				if r.stackWins(st, oof, top.oof) {
					weights, members, oof = ones(len(sc)), sc, nil
					p.stacker, p.stackX, p.stackInput = st, r.o.StackFeatures, r.stackView()
					selected = srow.ID
				}
			}
		}
	}

	r.final = members
	for i := range lb.Rows {
		if lb.Rows[i].ID == selected {
			lb.Rows[i].Selected = true
		}
	}
	if oof != nil {
		// Members already tempered (temperTrials) may be sharpened
		// again by at most what keeps the product at minTemperature.
		floor := minTemperature
		for _, t := range members {
			if t.temp > 0 {
				floor = max(floor, minTemperature/t.temp)
			}
		}
		r.calibrate(p, oof, floor)
	}
	r.emit(Event{Kind: EventPhase, Phase: "final"})
	refits := make([]models.Model, len(members))
	if r.o.FinalFit == FinalRefit && members[0].id >= 0 {
		// Heaviest member first; on big tables one at a time with every
		// core, each checked against the time left when it starts.
		order := make([]int, len(members))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(weights[b], weights[a]) })
		errs := make([]error, len(members))
		run := hyperopt.Run(ctx, len(members), r.concurrency, func(ctx context.Context, k int) error {
			i := order[k]
			refits[i], errs[i] = r.refit(ctx, members[i])
			return nil
		})
		for k, err := range run {
			if err != nil && errs[order[k]] == nil {
				errs[order[k]] = err
			}
		}
		for i, err := range errs {
			if err != nil {
				refits[i] = nil
				r.o.Logger.Info("refit skipped, keeping the fold models", "model", members[i].spec.Name, "err", err)
			}
		}
	}
	for i, t := range members {
		// The bag keeps the first repeat's fold models: the later repeats
		// steady the out-of-fold scores that choose the members, but
		// averaging their models too did no better held out (see
		// FinalBag) at R times the size and prediction time.
		m := member{name: t.spec.Name, params: t.params, input: t.spec.Input, weight: weights[i], models: t.models[:min(len(t.models), r.nfolds)], temp: t.temp}
		if refits[i] != nil {
			m.models = []models.Model{refits[i]}
		}
		p.members = append(p.members, m)
	}
	return p, nil
}

// labelSlack is how much an accuracy-like label metric (in [0, 1],
// greater is better) may favour out-of-fold predictions a over b before
// the difference counts: two standard errors of the paired difference in
// accuracy (McNemar's test at about 5%), 2·sqrt(d)/n where d counts the
// rows that exactly one of them labels right (at least one row's worth,
// 1/n). Within it the two label
// the rows equally well as far as the data can tell, and the one with
// better probabilities is preferred: on a few hundred rows accuracy moves
// by whole rows and picks overconfident models by chance. It is 0 for
// other metrics.
func (r *run) labelSlack(a, b []float64) float64 {
	if _, ok := r.metric.(evaluate.LabelMetric); !ok || r.k == 0 || !r.metric.Greater() {
		return 0
	}
	n := len(r.oy)
	d := 0
	for i, y := range r.oy {
		ra, rb := a[i*r.k:(i+1)*r.k], b[i*r.k:(i+1)*r.k]
		if (argmax(ra) == int(y)) != (argmax(rb) == int(y)) {
			d++
		}
	}
	return max(1, 2*math.Sqrt(float64(d))) / float64(n)
}

// probable returns the single trial a predictor falls back on, from ranked
// (best first): the first, or, for a label metric, the trial with the
// lowest out-of-fold log loss (the tie-break loss) among those within
// labelSlack of it. Accuracy cannot tell a trial with sound probabilities
// from an overconfident one that labels a row or two more right.
func (r *run) probable(ranked []*trial) *trial {
	best := ranked[0]
	for _, t := range ranked[1:] {
		if t.oof == nil || best.oof == nil {
			continue
		}
		slack := r.labelSlack(ranked[0].oof, t.oof)
		if slack == 0 {
			return best
		}
		if r.loss(t) > r.loss(ranked[0])+slack+1e-12 {
			continue
		}
		if !math.IsNaN(t.tie) && (math.IsNaN(best.tie) || t.tie < best.tie) {
			best = t
		}
	}
	return best
}

// diverse returns up to n trials from ranked, best first, at most per of
// each model family.
func diverse(ranked []*trial, n, per int) []*trial {
	count := map[string]int{}
	var out []*trial
	for _, t := range ranked {
		if len(out) == n {
			break
		}
		if count[t.spec.Name] < per {
			count[t.spec.Name]++
			out = append(out, t)
		}
	}
	return out
}

// withinPredictLimit keeps the ranked trials whose prediction time fits
// Options.MaxPredictPer1k, in order; when none does, the fastest one.
func (r *run) withinPredictLimit(ranked []*trial) []*trial {
	if r.o.MaxPredictPer1k <= 0 {
		return ranked
	}
	var out []*trial
	fastest := ranked[0]
	for _, t := range ranked {
		if !r.overPredictLimit(t.predPer1k) {
			out = append(out, t)
		}
		if t.predPer1k < fastest.predPer1k {
			fastest = t
		}
	}
	if len(out) == 0 {
		r.o.Logger.Warn("no trial predicts within MaxPredictPer1k: keeping the fastest", "limit", r.o.MaxPredictPer1k, "model", fastest.spec.Name, "seconds_per_1k", fastest.predPer1k)
		return []*trial{fastest}
	}
	return out
}

// overPredictLimit reports whether a prediction time (seconds per 1,000
// rows) exceeds Options.MaxPredictPer1k.
func (r *run) overPredictLimit(secondsPer1k float64) bool {
	return r.o.MaxPredictPer1k > 0 && secondsPer1k > r.o.MaxPredictPer1k.Seconds()
}

// greedyWithin runs greedy ensemble selection over the candidates; while
// the blend's prediction time exceeds Options.MaxPredictPer1k it drops the
// member with the least weight from the candidates and selects again.
func (r *run) greedyWithin(cand []*trial, oofs [][]float64, m evaluate.Metric, id int) ([]float64, []float64, []*trial, evaluate.Row, error) {
	cand, oofs = slices.Clone(cand), slices.Clone(oofs)
	for {
		ens, err := ensemble.GreedyFrom(oofs, r.oy, r.ow, r.k, m, 0, r.tied(oofs, m))
		if err != nil {
			return nil, nil, nil, evaluate.Row{}, err
		}
		dropped := r.lighten(ens, cand, oofs, m)
		blend, mw, mm, row, err := r.greedyRow(ens, cand, oofs, id)
		if len(dropped) > 0 {
			row.Note += "; " + strings.Join(dropped, ", ")
		}
		if err != nil || len(mm) == 1 || !r.overPredictLimit(row.PredictSecondsPer1k) {
			return blend, mw, mm, row, err
		}
		drop := -1
		for i, w := range ens.Weights {
			if w > 0 && (drop < 0 || w < ens.Weights[drop]) {
				drop = i
			}
		}
		cand = slices.Delete(cand, drop, drop+1)
		oofs = slices.Delete(oofs, drop, drop+1)
	}
}

// sliverWeight is the most blend weight a member may carry and still be
// dropped by lighten: 2 of the greedy selection's 25 rounds.
const sliverWeight = 0.1

// lighten drops from greedy ensemble ens (over cand, whose out-of-fold
// predictions are oofs) the members that carry a sliver of the weight (at
// most sliverWeight) but half or more of the blend's model memory, while
// the blend without them, its weights renormalised, is within one standard
// error of the blend with them under m, the metric the blend is chosen on
// (withinOneSE, as tied decides a tie): the folds cannot tell the two
// apart, and the lighter one is what a service wants to load and call.
// Over 30 splits of bench/small's 18 tables and titanic it dropped such a
// member in 98 of 570 fits, and every table's held-out mean moved by under
// 0.35% (8 better, 9 worse, 2 unchanged). A sliver the folds do see help
// is kept: on a 16,000-row, 26-class table an extra-trees member at weight
// 0.04 took 0.0014 nats (4.5 standard errors) off the blend's log loss;
// Options.MaxPredictPer1k is the way to trade that for speed. Memory, not
// measured prediction time, decides who is a candidate, so a fixed seed
// keeps giving the same ensemble. It returns a note per member dropped.
func (r *run) lighten(ens *ensemble.Weighted, cand []*trial, oofs [][]float64, m evaluate.Metric) []string {
	if len(r.splits) < 2 {
		return nil
	}
	modelBytes := func(t *trial) int64 { return t.bytes - int64(len(t.oof))*8 }
	blend := make([]float64, len(oofs[0]))
	with, err := r.blendLosses(ens, oofs, blend, m)
	if err != nil {
		return nil
	}
	var notes []string
	for {
		var total int64
		for i, w := range ens.Weights {
			if w > 0 {
				total += modelBytes(cand[i])
			}
		}
		if total <= 0 {
			return notes
		}
		drop := -1
		for i, w := range ens.Weights {
			if w > 0 && w <= sliverWeight && 2*modelBytes(cand[i]) >= total &&
				(drop < 0 || modelBytes(cand[i]) > modelBytes(cand[drop])) {
				drop = i
			}
		}
		if drop < 0 {
			return notes
		}
		lighter := &ensemble.Weighted{Weights: slices.Clone(ens.Weights)}
		lighter.Weights[drop] = 0
		var sum float64
		for _, w := range lighter.Weights {
			sum += w
		}
		for i := range lighter.Weights {
			lighter.Weights[i] /= sum
		}
		without, err := r.blendLosses(lighter, oofs, blend, m)
		if err != nil || !withinOneSE(without, with) {
			return notes
		}
		notes = append(notes, fmt.Sprintf("dropped %s #%d (weight %.2f, %.0f%% of the models' memory): within one standard error without it",
			cand[drop].spec.Name, cand[drop].id, ens.Weights[drop], 100*float64(modelBytes(cand[drop]))/float64(total)))
		ens.Weights, with = lighter.Weights, without
	}
}

// blendLosses combines oofs by ens into buf and returns the blend's loss
// under m on each fold.
func (r *run) blendLosses(ens *ensemble.Weighted, oofs [][]float64, buf []float64, m evaluate.Metric) ([]float64, error) {
	if err := ens.Combine(buf, oofs); err != nil {
		return nil, err
	}
	return r.foldLosses(m, buf)
}

// foldLosses returns oof's loss under m (evaluate.Loss of its score) on
// each fold.
func (r *run) foldLosses(m evaluate.Metric, oof []float64) ([]float64, error) {
	scores, err := r.foldScoresBy(m, oof)
	if err != nil {
		return nil, err
	}
	for f, s := range scores {
		scores[f] = evaluate.Loss(m, s)
	}
	return scores, nil
}

// withinOneSE reports whether fold losses a exceed b, fold by fold, by at
// most one standard error of their mean paired difference: the folds
// cannot tell a from b.
func withinOneSE(a, b []float64) bool {
	d := make([]float64, len(a))
	for f := range d {
		d[f] = a[f] - b[f]
	}
	mean, sd := meanStd(d)
	return mean <= sd/math.Sqrt(float64(len(d)))
}

// tied returns the initial ensemble of greedy selection
// (ensemble.GreedyFrom), as indices into oofs: the candidate with the
// best mean fold score under m (the metric the blend is chosen on) twice,
// then every candidate whose mean fold loss exceeds the best's by at most
// one standard error of their paired fold-loss difference (over every
// fold of every repeat). Those tie with the best as far as the folds can
// tell; on a few dozen rows plain greedy selection picks among them by
// in-sample differences of a row or two (the winner's curse) and loses
// held out to keeping them all. The best counts twice so that a wide tie
// does not dilute it. Measured over 20 splits of base R's 31-248-row
// tables (bench/small): the held-out score improved on five of seven and
// moved by under 0.03% on the other two. The standard error shrinks with
// the rows, so on big tables only near-copies tie; when nothing ties with
// the best (or fold scores fail) tied is nil: plain greedy selection.
func (r *run) tied(oofs [][]float64, m evaluate.Metric) []int {
	if len(oofs) < 2 || len(r.splits) < 2 {
		return nil
	}
	loss := make([][]float64, len(oofs))
	means := make([]float64, len(oofs))
	best := 0
	for i, p := range oofs {
		var err error
		if loss[i], err = r.foldLosses(m, p); err != nil {
			return nil
		}
		if means[i], _ = meanStd(loss[i]); means[i] < means[best] {
			best = i
		}
	}
	out := []int{best, best}
	for i := range oofs {
		if i != best && withinOneSE(loss[i], loss[best]) {
			out = append(out, i)
		}
	}
	if len(out) < 3 {
		return nil
	}
	return out
}

// stackCount is how many of the best candidates the stacker combines: up
// to stackMembers, fewer when their summed prediction time would exceed
// Options.MaxPredictPer1k.
func (r *run) stackCount(cand []*trial) int {
	var sum float64
	stackMembers := r.planned.Ensemble.StackMembers
	for i, t := range cand[:min(len(cand), stackMembers)] {
		sum += t.predPer1k
		if r.overPredictLimit(sum) {
			return i
		}
	}
	return min(len(cand), stackMembers)
}

// greedyRow blends the candidates by the greedy ensemble's weights and
// scores the blend fold by fold, as trials are scored. It returns the
// blended OOF predictions, the members with positive weight, and the
// ensemble's leaderboard row.
func (r *run) greedyRow(ens *ensemble.Weighted, cand []*trial, oofs [][]float64, id int) ([]float64, []float64, []*trial, evaluate.Row, error) {
	blend := make([]float64, len(oofs[0]))
	if err := ens.Combine(blend, oofs); err != nil {
		return nil, nil, nil, evaluate.Row{}, err
	}
	scores, err := r.foldScores(blend)
	if err != nil {
		return nil, nil, nil, evaluate.Row{}, err
	}
	mean, std := meanStd(scores)
	row := evaluate.Row{
		ID: id, Model: "ensemble", Status: evaluate.StatusOK,
		Score: mean, Std: std, FoldScores: scores,
		Note:    "greedy ensemble selection over out-of-fold predictions",
		TieLoss: r.tieBreak(blend),
	}
	var mw []float64
	var mm []*trial
	for i, w := range ens.Weights {
		if w > 0 {
			row.Members = append(row.Members, evaluate.Member{ID: cand[i].id, Model: cand[i].spec.Name, Weight: w})
			row.FitSeconds += cand[i].fitSec
			row.PredictSecondsPer1k += cand[i].predPer1k
			mw, mm = append(mw, w), append(mm, cand[i])
		}
	}
	return blend, mw, mm, row, nil
}

// stack fits a stacking meta-model over the members' OOF predictions (and
// the original features of the stack view, with Options.StackFeatures) and
// returns it with its leaderboard row.
func (r *run) stack(ctx context.Context, members []*trial, oofs [][]float64, id int) (*ensemble.Stacker, evaluate.Row, bool) {
	var X [][]float64
	note := "linear meta-model over out-of-fold predictions (score on pooled OOF rows)"
	if r.o.StackFeatures {
		X = r.views[r.stackView()].full.X
		note = "linear meta-model over out-of-fold predictions and the features (score on pooled OOF rows)"
	}
	st, err := ensemble.Stack(ctx, oofs, X, r.y, r.w, r.k, r.metric, r.splits[:r.nfolds], r.o.Seed)
	if err != nil {
		r.o.Logger.Info("stacking skipped", "err", err)
		return nil, evaluate.Row{}, false
	}
	row := evaluate.Row{
		ID: id, Model: "stack", Status: evaluate.StatusOK, Score: st.Score,
		Note: note,
	}
	for _, t := range members {
		row.Members = append(row.Members, evaluate.Member{ID: t.id, Model: t.spec.Name, Weight: 1})
		row.FitSeconds += t.fitSec
		row.PredictSecondsPer1k += t.predPer1k
	}
	return st, row, true
}

// stackWins reports whether stacker st beats both the blend (OOF
// predictions blend) and the best single trial (single) out of fold, on
// pooled rows. For a label metric it must beat them by more than
// labelSlack, and its out-of-fold log loss must not be worse than the
// blend's: on small tables a stacker that labels one more row right often
// does so with overconfident probabilities, and loses held out.
func (r *run) stackWins(st *ensemble.Stacker, blend, single []float64) bool {
	label := false
	for _, o := range [][]float64{blend, single} {
		slack := r.labelSlack(st.OOF, o)
		label = label || slack > 0
		if evaluate.Loss(r.metric, st.Score) >= evaluate.Loss(r.metric, r.pooledScore(o))-slack {
			return false
		}
	}
	if !label {
		return true
	}
	ll := evaluate.LogLoss{}
	a, errA := ll.Score(r.oy, st.OOF, r.k, r.ow)
	b, errB := ll.Score(r.oy, blend, r.k, r.ow)
	return errA == nil && errB == nil && a <= b
}

// stackView is the feature view a stacker reads: the dense one (no NaN)
// when there is one.
func (r *run) stackView() models.Input {
	if r.views[models.InputDense] != nil {
		return models.InputDense
	}
	return models.InputNative
}

// pooledScore scores OOF predictions over all rows at once.
func (r *run) pooledScore(oof []float64) float64 {
	s, err := r.metric.Score(r.oy, oof, r.k, r.ow)
	if err != nil {
		return evaluate.Worst(r.metric)
	}
	return s
}

func ones(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = 1
	}
	return out
}

// beats reports whether score a is strictly better than b for the metric.
func (r *run) beats(a, b float64) bool { return evaluate.Better(r.metric, a, b) }

// foldScores scores out-of-fold predictions fold by fold, the way trials
// are scored, so that an ensemble's row compares with theirs.
func (r *run) foldScores(oof []float64) ([]float64, error) {
	return r.foldScoresBy(r.metric, oof)
}

// foldScoresBy is foldScores under metric m.
func (r *run) foldScoresBy(m evaluate.Metric, oof []float64) ([]float64, error) {
	width := max(r.k, 1)
	out := make([]float64, len(r.splits))
	for fi, s := range r.splits {
		pred := make([]float64, len(s.Test)*width)
		for j, i := range s.Test {
			if r.holdout {
				i = j
			}
			copy(pred[j*width:(j+1)*width], oof[i*width:(i+1)*width])
		}
		sc, err := m.Score(r.foldY[fi], pred, r.k, r.foldW[fi])
		if err != nil {
			return nil, err
		}
		out[fi] = sc
	}
	return out, nil
}

// calibrate tunes, out of fold, a probability temperature for every
// classification metric, then the decision threshold of a binary
// predictor for label metrics. The temperature is fitted on log loss: it
// changes no ranking (AUC) and no argmax, so it costs a label metric
// nothing, and it keeps the probabilities of a predictor chosen for
// accuracy from being overconfident. The threshold is tuned on the
// tempered probabilities, as the predictor will apply it, and kept only if
// it improves the OOF score. The temperature is never below floor.
func (r *run) calibrate(p *Predictor, oof []float64, floor float64) {
	if r.k == 0 {
		return
	}
	if t, err := ensemble.TemperatureScale(oof, r.oy, r.ow, r.k); err == nil && math.Abs(t.T-1) > 1e-3 {
		// Sharpening is capped: on a table the models separate almost
		// perfectly out of fold, log loss keeps asking for a lower T, and
		// the one held-out row they get wrong then costs 30 nats.
		t.T = max(t.T, floor)
		p.temperature = t.T
		tempered := make([]float64, len(oof))
		if err := t.Apply(tempered, oof, r.k); err == nil {
			oof = tempered
		}
	}
	if _, ok := r.metric.(evaluate.LabelMetric); ok && r.k == 2 {
		p1 := make([]float64, len(r.oy))
		for i := range p1 {
			p1[i] = oof[2*i+1]
		}
		th, sc, err := evaluate.TuneThreshold(r.oy, p1, r.ow, r.metric)
		base, err2 := r.metric.Score(r.oy, oof, r.k, r.ow)
		if err == nil && err2 == nil && r.beats(sc, base) && th > 0 && th < 1 {
			p.threshold = th
		}
	}
}

// tempersTrials reports whether temperTrials gives each trial its own
// temperature: on classification tables below planner.RefitRows rows,
// under log loss, and under label metrics (accuracy, F1, ...) when there
// are three classes or more.
//
// Under a label metric the blend is chosen by log loss (finish), with the
// same bias against merely soft models that temperTrials removes, while a
// temperature never changes a trial's labels on three or more classes
// (it keeps each row's argmax), so its metric score and rank stay as they
// are. The default run then makes the same predictor as a log-loss run.
// bench/calib, 30 splits, 200 trials, default metric: iris log loss
// 0.1421 -> 0.0953 (better on 24 splits, worse on 4) and accuracy 0.953
// -> 0.970; penguins 0.0207 -> 0.0240 (worse on 19, better on 6),
// accuracy 0.9932 -> 0.9923. Before, iris's default run gave 1.49 times
// the log loss of its log-loss run; issue 10 asks for 1.1 at most. On
// binary tables the decision threshold is tuned after the blend, and
// tempering there cost titanic accuracy (compare.py, 10 splits: 0.8419 ->
// 0.8380, log loss 0.4040 -> 0.4054), so binary label metrics keep one
// temperature for the final predictor.
func (r *run) tempersTrials() bool {
	if r.k < 2 || len(r.oy) >= planner.RefitRows {
		return false
	}
	if _, ok := r.metric.(evaluate.LogLoss); ok {
		return true
	}
	_, label := r.metric.(evaluate.LabelMetric)
	return label && r.k > 2
}

// minTemperature is the lowest probability temperature calibrate sets
// (log-probabilities at most doubled).
const minTemperature = 0.5

// refitMargin is how much longer than its estimate a refit may take, so
// that it still ends before the deadline.
const refitMargin = 1.3

// refitSeconds estimates a refit of t on all rows: its mean fold fit
// time, scaled by the rows.
func (r *run) refitSeconds(t *trial) float64 {
	share := float64(r.nfolds-1) / float64(r.nfolds) // of the rows each fold model trained on
	if r.holdout {
		share = 1 - r.planned.Validation.Holdout
	}
	return t.fitSec / float64(len(r.splits)) / share
}

// refit trains t's configuration once on all rows, if its estimated time
// fits what is left.
func (r *run) refit(ctx context.Context, t *trial) (models.Model, error) {
	est := r.refitSeconds(t)
	if left := r.timeLeft(); est*refitMargin > left.Seconds()-0.5 {
		return nil, fmt.Errorf("estimated %.1fs does not fit the %.1fs left", est, left.Seconds())
	}
	m, err := t.spec.New(refitParams(t))
	if err != nil {
		return nil, err
	}
	if err := m.Fit(ctx, r.views[t.spec.Input].full); err != nil {
		return nil, err
	}
	return m, nil
}

// fallback fits the prior model on every row, ignoring the deadline.
func (r *run) fallback() (*trial, error) {
	spec := baselineSpec(r.o.Registry)
	v := r.views[models.InputNative]
	if v == nil {
		v = r.views[models.InputDense]
	}
	if v == nil {
		return nil, fmt.Errorf("automl: no feature view to fall back on")
	}
	m, err := spec.New(nil)
	if err != nil {
		return nil, err
	}
	if err := m.Fit(context.Background(), v.full); err != nil {
		return nil, fmt.Errorf("automl: even the prior model failed: %w", err)
	}
	spec.Input = inputOf(r, v)
	return &trial{id: -1, spec: spec, params: models.Params{}, status: evaluate.StatusOK, models: []models.Model{m}}, nil
}

func inputOf(r *run, v *viewData) models.Input {
	if r.views[models.InputNative] == v {
		return models.InputNative
	}
	return models.InputDense
}

// refitParams returns the parameters to refit trial t on all rows with:
// its own, or, when its fold models implement models.Refitter, theirs
// with numeric values averaged over the folds (integers rounded).
func refitParams(t *trial) models.Params {
	var sets []models.Params
	for _, m := range t.models {
		rf, ok := m.(models.Refitter)
		if !ok {
			return t.params
		}
		sets = append(sets, rf.RefitParams(t.params))
	}
	if len(sets) == 0 {
		return t.params
	}
	out := sets[0].Merge(nil)
	for k, v := range out {
		var sum float64
		isInt := true
		for _, s := range sets {
			switch x := s[k].(type) {
			case int:
				sum += float64(x)
			case float64:
				sum += x
				isInt = false
			default:
				sum = math.NaN()
			}
		}
		if math.IsNaN(sum) {
			continue // not numeric everywhere: keep the first fold's value
		}
		mean := sum / float64(len(sets))
		if isInt {
			out[k] = int(math.Round(mean))
		} else if _, ok := v.(float64); ok {
			out[k] = mean
		}
	}
	return out
}

// temperTrials gives every trial in ts its own probability temperature,
// fitted out of fold on log loss (never below minTemperature), and
// rescores it with its tempered predictions, updating its leaderboard row
// (the note keeps the untempered score when it moved). The final
// predictor applies each member's temperature to its probabilities before
// combining them, and calibrate's temperature on top never sharpens a
// member past minTemperature overall.
//
// Why: selection and the greedy blend compare the trials' out-of-fold log
// loss, and only the chosen predictor was calibrated. A model whose
// probabilities are merely too soft (a forest, k-NN, a strongly
// regularised logistic model on a nearly separable table) ranked below
// sharper ones that were not better, and the blend leaned on those. One
// parameter per trial, fitted on all its out-of-fold rows, lets them
// compete as the predictor would use them. bench/small (10 splits, log
// loss held out): cls13 0.6080 -> 0.5827, iris 0.1070 -> 0.0846, sep13
// 0.1217 -> 0.1111, infert 0.5733 -> 0.5670, esoph 0.5360 -> 0.5230,
// penguins 0.0432 -> 0.0442 (bench/README.md). Allowing only softening
// kept little of it: the gain is the soft models sharpened.
//
// It applies on classification tables below planner.RefitRows rows, where
// the out-of-fold rows are few and the fits cost milliseconds, under the
// log loss metric and, on three classes or more, under label metrics too
// (tempersTrials).
func (r *run) temperTrials(lb *evaluate.Leaderboard, ts []*trial) {
	if !r.tempersTrials() {
		return
	}
	for _, t := range ts {
		if t.oof == nil || t.temp > 0 {
			continue
		}
		tt, err := ensemble.TemperatureScale(t.oof, r.oy, r.ow, r.k)
		if err != nil {
			continue
		}
		if tt.T = max(tt.T, minTemperature); math.Abs(tt.T-1) <= 1e-3 {
			continue
		}
		tempered := make([]float64, len(t.oof))
		if err := tt.Apply(tempered, t.oof, r.k); err != nil {
			continue
		}
		scores, err := r.foldScores(tempered)
		if err != nil {
			continue
		}
		raw := t.score
		t.oof, t.temp, t.foldScores = tempered, tt.T, scores
		t.score, t.std = meanStd(scores)
		t.tie = r.tieBreak(tempered)
		for i := range lb.Rows {
			if row := &lb.Rows[i]; row.ID == t.id {
				row.Score, row.Std, row.FoldScores, row.TieLoss = t.score, t.std, scores, t.tie
				note := fmt.Sprintf("%s; probabilities tempered (T=%.3g; untempered %.4g)", row.Note, t.temp, raw)
				if raw == t.score {
					// A label metric's score: the labels did not move.
					note = fmt.Sprintf("%s; probabilities tempered (T=%.3g)", row.Note, t.temp)
				}
				row.Note = strings.TrimPrefix(note, "; ")
			}
		}
	}
}
