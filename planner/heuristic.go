package planner

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/automl-agent/automl/models"
)

// BaselineModel is the registry name of the class-prior / mean model that
// every search trains first; plans never list it.
const BaselineModel = "prior"

// Thresholds of the heuristic rules, in rows of training data.
const (
	// BigRows: from here (exclusive) cross-validation uses 3 folds, not 5.
	BigRows = 100_000
	// RefitRows: from here the final predictor is refit on all rows.
	RefitRows = 20_000
	// TuneRows: below this, no tuning (the portfolio and ensemble win).
	TuneRows = 2_000
	// LazyCells: rows × native features from which trials train one at a time.
	LazyCells = 2_000_000
)

// Defaults of the heuristic plan.
const (
	DefaultTrialsPerFamily = 64 // tuned trials per family
	DefaultTopFamilies     = 3  // families tuned
	DefaultCandidates      = 25 // best trials kept for blending
	DefaultPerFamily       = 5  // blending candidates of one family
	DefaultStackMembers    = 8  // best trials the stacker combines
	DefaultReserveBag      = 0.10
	DefaultReserveRefit    = 0.25
)

// Heuristic is the default planner: fixed rules on rows, time and cores
// (today's behaviour), plus, with Adaptive, a few rules read from the
// profile. The zero value is usable; it never fails and ignores ctx.
//
// The rules:
//   - folds: Fixed.Folds, else 5, or 3 above BigRows rows; at most rows and,
//     with groups, at most Fixed.Groups.
//   - repeats: Fixed.Repeats, else 5 below 1,000 rows, 2 below 10,000, else 1.
//   - final fit: Fixed.FinalFit, else "bag", or "refit" from RefitRows rows;
//     Reserve 0.1 of the budget when bagging, 0.25 when refitting.
//   - trials: every candidate's portfolio. When time is plentiful, round
//     robin by depth in the candidates' order (cheapest first). When it is
//     crowded (the first entries' estimates, over the trials run at once,
//     exceed a quarter of the budget), the strongest families come first
//     and more often, and forests are scaled down for big tables.
//   - tuning: none below TuneRows rows or with Fixed.MaxTunedPerModel < 0;
//     else the best 3 families by portfolio score, 64 trials each (or
//     Fixed.MaxTunedPerModel).
//   - ensemble: greedy blend plus a stacker, 25 candidates, 5 per family,
//     8 stacked; none with Fixed.DisableEnsemble.
type Heuristic struct {
	// Adaptive turns on the profile rules (see adapt); false plans exactly
	// as the search did before plans existed.
	Adaptive bool `json:"adaptive,omitempty"`
}

// Plan returns the heuristic plan for b (a nil b plans for an empty
// brief). It never fails.
func (h Heuristic) Plan(_ context.Context, b *Brief) (*Plan, error) {
	if b == nil {
		b = &Brief{}
	}
	p := base(b)
	p.Planner = "heuristic"
	p.Trials = portfolio(b, weight)
	if h.Adaptive {
		if b.Facts.Classes >= manyClasses && Crowded(b) {
			// Rule 5 (see adapt).
			p.Trials = portfolio(b, manyClassWeight)
			p.Notes = append(p.Notes, fmt.Sprintf("adaptive: %d classes and little time: forests as often as boosting", b.Facts.Classes))
		}
		adapt(p, b)
	}
	p.Rationale = rationale(p, b)
	return p, nil
}

// Uniform is the planner without judgement, for comparisons: every
// family's portfolio round robin by depth in the candidates' order, every
// family with a space tuned with the same trial count, no crowding, no
// scaling and no profile rules. Validation, final fit, reserve and
// ensemble are Heuristic's. The zero value is usable; it never fails.
type Uniform struct{}

// Plan returns the uniform plan for b.
func (Uniform) Plan(_ context.Context, b *Brief) (*Plan, error) {
	if b == nil {
		b = &Brief{}
	}
	p := base(b)
	p.Planner = "uniform"
	p.Trials = roundRobin(b, false, weight)
	if p.Tuning.TrialsPerFamily > 0 {
		p.Tuning.Top = 0
		for _, m := range b.Models {
			if m.Name != BaselineModel && len(m.Space) > 0 {
				p.Tuning.Families = append(p.Tuning.Families, m.Name)
			}
		}
		if len(p.Tuning.Families) == 0 {
			p.Tuning.TrialsPerFamily = 0
		}
	}
	var fams []string
	for _, m := range b.Models {
		if m.Name != BaselineModel {
			fams = append(fams, m.Name)
		}
	}
	if len(fams) > 0 && b.Budget > 0 {
		p.Shares = map[string]float64{}
		for _, f := range fams {
			p.Shares[f] = 1 / float64(len(fams))
		}
	}
	p.Rationale = "Uniform: every family's portfolio in turn, an equal share of the time each, every family with a search space tuned equally."
	return p, nil
}

// base fills everything but the trials: validation, tuning, ensemble and
// reserve, from the rows and the fixed settings.
func base(b *Brief) *Plan {
	p := &Plan{Version: Version}
	p.Validation = Validation{Folds: heuristicFolds(b), Repeats: heuristicRepeats(b), FinalFit: heuristicFinalFit(b), Holdout: heuristicHoldout(b)}
	p.Reserve = DefaultReserveBag
	if p.Validation.FinalFit == "refit" {
		p.Reserve = DefaultReserveRefit
	}
	if n := tunedPerFamily(b); n > 0 {
		p.Tuning = Tuning{Top: DefaultTopFamilies, TrialsPerFamily: n}
	}
	p.Ensemble = Ensemble{Method: "greedy", Candidates: DefaultCandidates, PerFamily: DefaultPerFamily, StackMembers: DefaultStackMembers}
	if b.Fixed.DisableEnsemble {
		p.Ensemble = Ensemble{Method: "none", Candidates: 1, PerFamily: 1}
	}
	return p
}

// DefaultFolds is the heuristic's number of cross-validation folds for a
// table of rows rows: 5, or 3 above BigRows.
func DefaultFolds(rows int) int {
	if rows > BigRows {
		return 3
	}
	return 5
}

func heuristicFolds(b *Brief) int {
	k := b.Fixed.Folds
	if k <= 0 {
		k = DefaultFolds(b.Facts.Rows)
	}
	if b.Facts.Rows > 0 {
		k = min(k, b.Facts.Rows)
	}
	if b.Fixed.Groups > 0 {
		k = min(k, b.Fixed.Groups)
	}
	return k
}

// HoldoutShare is the share of rows the heuristic holds out when it
// validates on one split instead of cross-validating.
const HoldoutShare = 0.2

// heuristicHoldout returns HoldoutShare when the table is big (over
// BigRows rows) and time is crowded, unless the caller fixed folds or
// repeats or set groups: then one fit per trial instead of three buys
// about three times the trials, and 20% of a big table still scores them
// steadily. Else 0 (cross-validation).
func heuristicHoldout(b *Brief) float64 {
	if b == nil || b.Facts.Rows <= BigRows || b.Fixed.Folds > 0 || b.Fixed.Repeats > 0 || b.Fixed.Groups > 0 || !Crowded(b) {
		return 0
	}
	return HoldoutShare
}

func heuristicRepeats(b *Brief) int {
	if b.Fixed.Repeats > 0 {
		return b.Fixed.Repeats
	}
	switch n := b.Facts.Rows; {
	case n < 1000:
		return 5
	case n < 10_000:
		return 2
	}
	return 1
}

func heuristicFinalFit(b *Brief) string {
	if b.Fixed.FinalFit != "" {
		return b.Fixed.FinalFit
	}
	if b.Facts.Rows >= RefitRows {
		return "refit"
	}
	return "bag"
}

// tunedPerFamily resolves Fixed.MaxTunedPerModel as the search did: a
// fixed count wins, even on small data.
func tunedPerFamily(b *Brief) int {
	switch n := b.Fixed.MaxTunedPerModel; {
	case n < 0:
		return 0
	case n > 0:
		return n
	case b.Facts.Rows < TuneRows:
		return 0
	}
	return DefaultTrialsPerFamily
}

// concurrency is how many trials train at once: Brief.Concurrency, else 1
// on tables of LazyCells cells or more (rows × columns), else Cores.
func concurrency(b *Brief) int {
	if b.Concurrency > 0 {
		return b.Concurrency
	}
	if b.Facts.Rows*len(b.Facts.Columns) >= LazyCells {
		return 1
	}
	return max(b.Cores, 1)
}

// Crowded reports whether the first portfolio entry of every candidate,
// by ModelInfo.Seconds before calibration and over the trials run at once,
// needs more than a quarter of the budget. A zero budget is never crowded.
func Crowded(b *Brief) bool {
	if b == nil || b.Budget <= 0 {
		return false
	}
	var sum float64
	for _, m := range b.Models {
		if len(m.Seconds) > 0 {
			sum += m.Seconds[0]
		}
	}
	return sum/float64(concurrency(b)) > 0.25*b.Budget.Seconds()
}

// portfolio lists every candidate's portfolio entries (the baseline
// excluded): round robin by depth when time is plentiful, strongest
// families first and more often when it is crowded (a family of weight w
// has its d-th entry at w × (d+1), ties by strength then candidate order),
// with forests scaled down for big tables.
func portfolio(b *Brief, weight func(string) int) []Config {
	return roundRobin(b, Crowded(b), weight)
}

func roundRobin(b *Brief, crowded bool, weight func(string) int) []Config {
	type entry struct {
		cfg                  Config
		key1, key2, modelIdx int
	}
	var entries []entry
	for mi, m := range b.Models {
		if m.Name == BaselineModel {
			continue
		}
		port := m.Portfolio
		if len(port) == 0 {
			port = []models.Params{{}}
		}
		for d, p := range port {
			e := entry{cfg: Config{Model: m.Name, Params: p.Merge(nil)}, key1: d, modelIdx: mi}
			if crowded {
				e.cfg.Params = scaleForRows(m.Name, e.cfg.Params, b.Facts.Rows, b.Facts.Classes)
				e.key1, e.key2 = weight(m.Name)*(d+1), strength(m.Name)
			}
			entries = append(entries, e)
		}
	}
	slices.SortStableFunc(entries, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.key1, b.key1), cmp.Compare(a.key2, b.key2), cmp.Compare(a.modelIdx, b.modelIdx))
	})
	out := make([]Config, len(entries))
	for i, e := range entries {
		out[i] = e.cfg
	}
	return out
}

// scaleForRows adapts a forest configuration to a big table when time is
// short: each bootstrap tree sees at most 50,000 rows (max_samples),
// regression trees try a third of the features per split (ranger's
// default) instead of all, and above 50,000 rows forests grow 50 trees and
// extra trees keep at least rows/10,000 rows per leaf. Values the configuration sets are kept; other
// models' configurations are returned as they are.
func scaleForRows(model string, p models.Params, rows, classes int) models.Params {
	if model != "random_forest" && model != "extra_trees" {
		return p
	}
	add := models.Params{}
	if _, set := p["max_features"]; !set && classes == 0 {
		add["max_features"] = 0.33
	}
	if _, set := p["max_samples"]; !set && model == "random_forest" && rows > 50_000 {
		add["max_samples"] = math.Round(50_000/float64(rows)*1000) / 1000
	}
	if rows > 50_000 {
		// Fifty trees get most of a forest's accuracy (and in a blend
		// with boosting, nearly all), at half the time.
		if _, set := p["n_estimators"]; !set {
			add["n_estimators"] = 50
		}
		// Extra trees see every row: bigger leaves bound their depth and
		// node count, which is where their time goes.
		if _, set := p["min_samples_leaf"]; !set && model == "extra_trees" {
			add["min_samples_leaf"] = max(5, rows/10_000)
		}
	}
	if len(add) == 0 {
		return p
	}
	return p.Merge(add)
}

// weight is how many portfolio slots a family waits between two of its
// entries when time is short.
func weight(name string) int {
	switch strength(name) {
	case 0:
		return 1
	case 1, 2, 3:
		return 2
	case 4, 5:
		return 3
	}
	return 4
}

// manyClassWeight is weight with the forests at boosting's: with many
// classes boosting grows a tree per class per round while a forest's
// trees serve every class at once (rule 5 of adapt).
func manyClassWeight(name string) int {
	if name == "random_forest" || name == "extra_trees" {
		return 1
	}
	return weight(name)
}

// strength ranks the default registry's families by how often they win on
// tabular data (gradient boosting, then bagged trees, then linear models);
// unknown models rank with the linear ones.
func strength(name string) int {
	switch name {
	case "gbdt":
		return 0
	case "random_forest":
		return 1
	case "extra_trees":
		return 2
	case "cart":
		return 4
	case "gaussian_nb":
		return 5
	case "knn":
		return 6
	}
	return 3
}

// Thresholds of the adaptive rules.
const (
	tinyRows     = 300 // below: no stacker
	manyClasses  = 10  // from here, with little time, forests as often as boosting
	wideFeatures = 50  // with at least this many features and more features than rows: no k-NN
)

// adapt applies the profile rules of Heuristic.Adaptive, each small and
// noted in p.Notes so that its effect can be measured on its own:
//
//  1. Identifier columns (the profile's "id" kind: near-unique keys) are
//     dropped: they carry no signal that generalises, and an integer key
//     that follows the row order can leak into tree splits.
//  2. Tiny data (< 300 rows): no stacker. Its meta-model is fit on a few
//     hundred out-of-fold rows and chosen on the same rows, so its win is
//     mostly noise; the greedy blend has far fewer degrees of freedom.
//  3. Very wide data (at least 50 features and more features than rows):
//     k-NN is left out. Distances over more dimensions than rows are
//     dominated by noise, and k-NN is the slowest family to predict.
//  4. Rare classes (the smallest class has fewer rows than the folds, and
//     folds are not fixed): one more repeat (at least 2), so the scores of
//     that class average over more splits.
//  5. Many classes (10 or more) when time is crowded: the forests get
//     boosting's weight, so their first entries come right after its first
//     instead of after its second. Boosting grows one tree per class per
//     round, so with many classes its trials are the slowest, while a
//     forest's trees serve every class at once (applied in Plan, as it
//     changes the order).
func adapt(p *Plan, b *Brief) {
	f := &b.Facts
	for _, c := range f.Columns {
		if c.Kind == "id" {
			name := c.Name
			if c.Original != "" {
				name = c.Original
			}
			p.Columns.Drop = append(p.Columns.Drop, name)
		}
	}
	if len(p.Columns.Drop) > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("adaptive: dropped %d identifier column(s)", len(p.Columns.Drop)))
	}
	if f.Rows > 0 && f.Rows < tinyRows && p.Ensemble.Method == "greedy" {
		p.Ensemble.Method = "greedy_only"
		p.Notes = append(p.Notes, fmt.Sprintf("adaptive: %d rows: greedy blend without a stacker", f.Rows))
	}
	if n := len(f.Columns); n >= wideFeatures && n > f.Rows && f.Rows > 0 {
		kept := p.Trials[:0]
		for _, t := range p.Trials {
			if t.Model != "knn" {
				kept = append(kept, t)
			}
		}
		if len(kept) < len(p.Trials) && len(kept) > 0 {
			p.Notes = append(p.Notes, fmt.Sprintf("adaptive: %d features over %d rows: k-NN left out", n, f.Rows))
			p.Trials = kept
		}
	}
	if len(f.ClassBalance) > 0 && b.Fixed.Folds == 0 && b.Fixed.Repeats == 0 {
		smallest := f.ClassBalance[len(f.ClassBalance)-1] * float64(f.Rows)
		if int(math.Round(smallest)) < p.Validation.Folds && p.Validation.Repeats < 2 {
			p.Validation.Repeats = 2
			p.Notes = append(p.Notes, "adaptive: a class has fewer rows than folds: 2 repeats")
		}
	}
}

// rationale says in a sentence or two what the plan does and why.
func rationale(p *Plan, b *Brief) string {
	var s strings.Builder
	fmt.Fprintf(&s, "%d rows: %d folds × %d repeats, %s final fit", b.Facts.Rows, p.Validation.Folds, p.Validation.Repeats, p.Validation.FinalFit)
	if Crowded(b) {
		s.WriteString("; time is short, so the strongest families run first")
	} else {
		s.WriteString("; every family's portfolio in turn, cheapest first")
	}
	if p.Tuning.TrialsPerFamily > 0 {
		fmt.Fprintf(&s, "; then TPE on the best %d families, %d trials each", p.Tuning.Top, p.Tuning.TrialsPerFamily)
	} else {
		s.WriteString("; no tuning")
	}
	fmt.Fprintf(&s, "; ensemble %s.", p.Ensemble.Method)
	return s.String()
}
