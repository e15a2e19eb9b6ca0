package planner

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/automl-agent/automl/hyperopt"
	"github.com/automl-agent/automl/models"
)

// Errors.
var (
	// ErrInvalidPlan is wrapped by every *ValidationError.
	ErrInvalidPlan = errors.New("planner: invalid plan")
	// ErrFallback means a planner gave up and the caller should use another
	// (Heuristic); the error says why.
	ErrFallback = errors.New("planner: no usable plan")
)

// ValidationError lists what is wrong with a plan, one problem per entry,
// worded so that a planner (an LLM) can be told and fix it.
type ValidationError struct {
	Problems []string
}

// Error numbers the problems: "planner: invalid plan: 1. ...; 2. ...".
func (e *ValidationError) Error() string {
	return ErrInvalidPlan.Error() + ": " + strings.ReplaceAll(e.Numbered(), "\n", "; ")
}

// Numbered returns the problems as a numbered list, one per line.
func (e *ValidationError) Numbered() string {
	var s strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			s.WriteByte('\n')
		}
		fmt.Fprintf(&s, "%d. %s", i+1, p)
	}
	return s.String()
}

// Unwrap returns ErrInvalidPlan.
func (e *ValidationError) Unwrap() error { return ErrInvalidPlan }

// Ensemble methods a plan may name.
var ensembleMethods = []string{"greedy", "greedy_only", "none"}

// Validate checks p against b: every trial names a candidate model, with
// parameters that model knows (its Space, its portfolio's names, or its
// Check) and values inside its Space (a categorical value outside the
// choices passes when Check accepts it: choices are what the tuner samples,
// not all the factory takes); tuning names candidates with narrowed
// spaces inside the registered ones; folds, repeats and final fit are sane
// and keep b.Fixed; the ensemble method is known; columns exist (the
// target excluded); the portfolio round is not empty. It returns nil or a
// *ValidationError (wrapping ErrInvalidPlan) listing every problem. Column
// names are the real ones (a redacted c3 must be mapped back first).
func Validate(p *Plan, b *Brief) error {
	var probs []string
	bad := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }
	if p == nil {
		return &ValidationError{Problems: []string{"no plan"}}
	}
	if b == nil {
		return &ValidationError{Problems: []string{"no brief"}}
	}
	if p.Version != Version {
		bad("version is %d, want %d", p.Version, Version)
	}
	if len(p.Trials) == 0 {
		bad("trials: empty; list at least one configuration")
	}
	for i, t := range p.Trials {
		for _, msg := range checkConfig(t, b) {
			bad("trials[%d]: %s", i, msg)
		}
	}

	// Tuning.
	tu := p.Tuning
	if tu.TrialsPerFamily < 0 {
		bad("tuning.trials_per_family is %d, want >= 0", tu.TrialsPerFamily)
	}
	if tu.Top < 0 {
		bad("tuning.top is %d, want >= 0", tu.Top)
	}
	if n := b.Fixed.MaxTunedPerModel; n < 0 && tu.TrialsPerFamily > 0 {
		bad("tuning.trials_per_family is %d but the caller turned tuning off: want 0", tu.TrialsPerFamily)
	} else if n > 0 && tu.TrialsPerFamily != n {
		bad("tuning.trials_per_family is %d but the caller fixed it at %d", tu.TrialsPerFamily, n)
	}
	for _, f := range tu.Families {
		m, ok := b.model(f)
		switch {
		case !ok:
			bad("tuning.families: %s", unknownModel(f, b))
		case len(m.Space) == 0:
			bad("tuning.families: %q has no search space to tune", f)
		}
	}
	for _, name := range sortedKeys(tu.Spaces) {
		m, ok := b.model(name)
		if !ok {
			bad("tuning.spaces: %s", unknownModel(name, b))
			continue
		}
		for _, msg := range checkSpace(tu.Spaces[name], m.Space) {
			bad("tuning.spaces[%q]: %s", name, msg)
		}
	}

	// Validation.
	v := p.Validation
	if v.Folds < 2 {
		bad("validation.folds is %d, want >= 2", v.Folds)
	}
	if r := b.Facts.Rows; r > 0 && v.Folds > r {
		bad("validation.folds is %d, more than the %d rows", v.Folds, r)
	}
	if g := b.Fixed.Groups; g > 0 && v.Folds > g {
		bad("validation.folds is %d, more than the %d groups", v.Folds, g)
	}
	if h := v.Holdout; h != 0 && !(h >= 0.05 && h <= 0.5) {
		bad("validation.holdout is %v, want 0 (cross-validation) or 0.05 to 0.5", h)
	}
	if v.Holdout > 0 && b.Fixed.Groups > 0 {
		bad("validation.holdout is set but rows come in groups: cross-validate by group")
	}
	if v.Holdout > 0 && (b.Fixed.Folds > 0 || b.Fixed.Repeats > 0) {
		bad("validation.holdout is set but the caller fixed the folds or repeats")
	}
	if v.Repeats < 1 || v.Repeats > 20 {
		bad("validation.repeats is %d, want 1 to 20", v.Repeats)
	}
	if v.FinalFit != "bag" && v.FinalFit != "refit" {
		bad("validation.final_fit is %q, want \"bag\" or \"refit\"", v.FinalFit)
	}
	if b.Fixed.Folds > 0 && v.Folds != heuristicFolds(b) {
		bad("validation.folds is %d but the caller fixed it at %d", v.Folds, heuristicFolds(b))
	}
	if b.Fixed.Repeats > 0 && v.Repeats != b.Fixed.Repeats {
		bad("validation.repeats is %d but the caller fixed it at %d", v.Repeats, b.Fixed.Repeats)
	}
	if b.Fixed.FinalFit != "" && v.FinalFit != b.Fixed.FinalFit {
		bad("validation.final_fit is %q but the caller fixed it at %q", v.FinalFit, b.Fixed.FinalFit)
	}

	// Ensemble.
	e := p.Ensemble
	if !slices.Contains(ensembleMethods, e.Method) {
		bad("ensemble.method is %q, want one of %s", e.Method, strings.Join(ensembleMethods, ", "))
	}
	if b.Fixed.DisableEnsemble && e.Method != "none" {
		bad("ensemble.method is %q but the caller disabled ensembles: want \"none\"", e.Method)
	}
	if e.Method != "none" {
		if e.Candidates < 1 {
			bad("ensemble.candidates is %d, want >= 1", e.Candidates)
		}
		if e.PerFamily < 1 {
			bad("ensemble.per_family is %d, want >= 1", e.PerFamily)
		}
		if e.StackMembers < 0 {
			bad("ensemble.stack_members is %d, want >= 0", e.StackMembers)
		}
	}

	// Columns.
	for _, list := range []struct {
		field string
		names []string
	}{{"drop", p.Columns.Drop}, {"categorical", p.Columns.Categorical}, {"text", p.Columns.Text}} {
		for _, c := range list.names {
			if !b.Facts.realColumn(c) {
				bad("columns.%s: %q is not an input column", list.field, c)
			}
		}
	}
	for _, c := range p.Columns.Categorical {
		if slices.Contains(p.Columns.Text, c) {
			bad("columns: %q is both categorical and text", c)
		}
	}
	if p.Reserve < 0 || p.Reserve > 0.5 {
		bad("reserve is %g, want 0 to 0.5", p.Reserve)
	}
	var shareSum float64
	for _, name := range sortedKeys(p.Shares) {
		v := p.Shares[name]
		if _, ok := b.model(name); !ok {
			bad("shares: %s", unknownModel(name, b))
		}
		if !(v > 0 && v <= 1) {
			bad("shares[%q] is %g, want a share of the time in (0, 1]", name, v)
		}
		shareSum += v
	}
	if shareSum > 1+1e-9 {
		bad("shares add up to %.3g, more than the whole search", shareSum)
	}
	if len(probs) == 0 {
		return nil
	}
	return &ValidationError{Problems: probs}
}

// model returns the candidate called name.
func (b *Brief) model(name string) (ModelInfo, bool) {
	for _, m := range b.Models {
		if m.Name == name {
			return m, true
		}
	}
	return ModelInfo{}, false
}

// candidates lists the models a plan may name (the baseline excluded).
func (b *Brief) candidates() []string {
	var out []string
	for _, m := range b.Models {
		if m.Name != BaselineModel {
			out = append(out, m.Name)
		}
	}
	return out
}

func unknownModel(name string, b *Brief) string {
	return fmt.Sprintf("model %q is not a candidate; choose from %s", name, strings.Join(b.candidates(), ", "))
}

// checkConfig lists the problems of one configuration.
func checkConfig(t Config, b *Brief) []string {
	m, ok := b.model(t.Model)
	if !ok || t.Model == BaselineModel {
		return []string{unknownModel(t.Model, b)}
	}
	var out []string
	known := knownParams(m)
	var unchecked models.Params
	for _, k := range t.Params.Keys() {
		v := t.Params[k]
		if sp, ok := spaceParam(m.Space, k); ok {
			msg := checkValue(sp, v)
			if msg != "" && sp.Kind == hyperopt.Categorical && m.Check != nil && m.Check(models.Params{k: v}) == nil {
				// Choices are what the tuner samples, not all the factory
				// takes (a forest's max_features 0.33, say).
				msg = ""
			}
			if msg != "" {
				out = append(out, fmt.Sprintf("model %q: parameter %q: %s", t.Model, k, msg))
			}
			continue
		}
		if m.Check != nil {
			if unchecked == nil {
				unchecked = models.Params{}
			}
			unchecked[k] = v
			continue
		}
		if !slices.Contains(known, k) {
			out = append(out, fmt.Sprintf("model %q has no parameter %q; known: %s", t.Model, k, strings.Join(known, ", ")))
		}
	}
	if len(unchecked) > 0 {
		// The factory judges the names and values outside the space.
		if err := m.Check(unchecked); err != nil {
			out = append(out, fmt.Sprintf("model %q: %v (parameters in the search space: %s)", t.Model, err, strings.Join(m.Space.Names(), ", ")))
		}
	}
	return out
}

// knownParams lists the names of m's space and portfolio entries, sorted.
func knownParams(m ModelInfo) []string {
	names := m.Space.Names()
	for _, p := range m.Portfolio {
		for k := range p {
			if !slices.Contains(names, k) {
				names = append(names, k)
			}
		}
	}
	slices.Sort(names)
	return names
}

func spaceParam(s hyperopt.Space, name string) (hyperopt.Param, bool) {
	for _, p := range s {
		if p.Name == name {
			return p, true
		}
	}
	return hyperopt.Param{}, false
}

// checkValue says what is wrong with v for sp, or "".
func checkValue(sp hyperopt.Param, v any) string {
	switch sp.Kind {
	case hyperopt.Float, hyperopt.Int:
		x, ok := number(v)
		if !ok {
			return fmt.Sprintf("%v is not a number", v)
		}
		if sp.Kind == hyperopt.Int && x != math.Trunc(x) {
			return fmt.Sprintf("%v is not an integer", v)
		}
		if x < sp.Low || x > sp.High {
			return fmt.Sprintf("%v is outside [%g, %g]", v, sp.Low, sp.High)
		}
	case hyperopt.Categorical:
		if _, ok := choice(sp, v); !ok {
			return fmt.Sprintf("%v is not one of %s", v, choicesText(sp.Choices))
		}
	}
	return ""
}

// checkSpace lists what is wrong with a narrowed space against the
// registered one.
func checkSpace(narrow, reg hyperopt.Space) []string {
	var out []string
	if len(narrow) == 0 {
		return []string{"empty; leave the family out instead"}
	}
	for _, p := range narrow {
		r, ok := spaceParam(reg, p.Name)
		if !ok {
			out = append(out, fmt.Sprintf("parameter %q is not in the registered space (%s)", p.Name, strings.Join(reg.Names(), ", ")))
			continue
		}
		if p.Kind != r.Kind {
			out = append(out, fmt.Sprintf("parameter %q: kind %d, registered %d", p.Name, p.Kind, r.Kind))
			continue
		}
		switch r.Kind {
		case hyperopt.Float, hyperopt.Int:
			if !(p.Low <= p.High) || p.Low < r.Low || p.High > r.High {
				out = append(out, fmt.Sprintf("parameter %q: [%g, %g] is not inside [%g, %g]", p.Name, p.Low, p.High, r.Low, r.High))
			}
		case hyperopt.Categorical:
			if len(p.Choices) == 0 {
				out = append(out, fmt.Sprintf("parameter %q: no choices", p.Name))
			}
			for _, c := range p.Choices {
				if _, ok := choice(r, c); !ok {
					out = append(out, fmt.Sprintf("parameter %q: choice %v is not one of %s", p.Name, c, choicesText(r.Choices)))
				}
			}
		}
	}
	return out
}

// number reads v as a float64 (JSON numbers, Go ints, numeric strings).
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, !math.IsNaN(x) && !math.IsInf(x, 0)
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return 0, false
}

// choice returns the registered choice equal to v (numbers compare by
// value, so a JSON 8.0 matches a Go 8; "true" matches true).
func choice(sp hyperopt.Param, v any) (any, bool) {
	for _, c := range sp.Choices {
		if reflect.DeepEqual(c, v) {
			return c, true
		}
	}
	fv, vnum := number(v)
	if _, isString := v.(string); isString {
		vnum = false
	}
	for _, c := range sp.Choices {
		if fc, ok := number(c); ok && vnum && fc == fv {
			if _, cs := c.(string); !cs {
				return c, true
			}
		}
		if s, ok := v.(string); ok && fmt.Sprint(c) == s {
			return c, true
		}
	}
	return nil, false
}

func choicesText(cs []any) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		if s, ok := c.(string); ok {
			parts[i] = strconv.Quote(s)
		} else {
			parts[i] = fmt.Sprint(c)
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Normalize repairs small mistakes in p in place, so that they need no
// round trip to the planner, and returns a note per repair (also appended
// to p.Notes): a zero version becomes Version; numeric parameters are
// clamped into their space and Int ones rounded (and stored as int);
// categorical values that match a choice by value take the choice's type;
// duplicate trials and duplicate column names are dropped; narrowed spaces
// are clamped inside the registered ones; sections left zero (validation,
// ensemble, reserve) and out-of-range counts take Heuristic's values; fixed
// settings are restored. Unknown models and parameters are left for
// Validate to report. A nil p or b is a no-op.
func Normalize(p *Plan, b *Brief) []string {
	if p == nil || b == nil {
		return nil
	}
	var notes []string
	note := func(format string, args ...any) { notes = append(notes, fmt.Sprintf(format, args...)) }
	h := base(b)
	if p.Version == 0 {
		p.Version = Version
	}

	// Trials: clamp values, drop duplicates.
	var kept []Config
	for i, t := range p.Trials {
		if m, ok := b.model(t.Model); ok {
			t.Params = normalizeParams(t.Params, m.Space, func(msg string) { note("trials[%d] %s: %s", i, t.Model, msg) })
		}
		if slices.ContainsFunc(kept, func(k Config) bool { return sameConfig(k, t) }) {
			note("trials[%d]: duplicate of an earlier %s trial, dropped", i, t.Model)
			continue
		}
		kept = append(kept, t)
	}
	p.Trials = kept

	// Tuning.
	tu := &p.Tuning
	if n := b.Fixed.MaxTunedPerModel; n < 0 && tu.TrialsPerFamily != 0 {
		tu.TrialsPerFamily = 0
		note("tuning.trials_per_family: the caller turned tuning off; set to 0")
	} else if n > 0 && tu.TrialsPerFamily != n {
		tu.TrialsPerFamily = n
		note("tuning.trials_per_family: the caller fixed it; set to %d", n)
	}
	if tu.TrialsPerFamily < 0 {
		tu.TrialsPerFamily = 0
		note("tuning.trials_per_family was negative; set to 0")
	}
	if tu.Top < 0 {
		tu.Top = 0
		note("tuning.top was negative; set to 0")
	}
	tu.Families = dedupe(tu.Families)
	for name, s := range tu.Spaces {
		if m, ok := b.model(name); ok {
			tu.Spaces[name] = normalizeSpace(s, m.Space, func(msg string) { note("tuning.spaces[%q]: %s", name, msg) })
		}
	}

	// Validation.
	v := &p.Validation
	if *v == (Validation{}) {
		*v = h.Validation
		note("validation: missing; the heuristic's used")
	}
	if hv := v.Holdout; hv != 0 && (!(hv >= 0.05 && hv <= 0.5) || b.Fixed.Groups > 0 || b.Fixed.Folds > 0 || b.Fixed.Repeats > 0) {
		v.Holdout = 0
		note("validation.holdout: not usable here; cross-validation instead")
	}
	maxFolds := math.MaxInt
	if b.Facts.Rows > 0 {
		maxFolds = b.Facts.Rows
	}
	if b.Fixed.Groups > 0 {
		maxFolds = min(maxFolds, b.Fixed.Groups)
	}
	switch {
	case b.Fixed.Folds > 0 && v.Folds != h.Validation.Folds:
		v.Folds = h.Validation.Folds
		note("validation.folds: the caller fixed it; set to %d", v.Folds)
	case v.Folds < 2 && maxFolds >= 2:
		v.Folds = h.Validation.Folds
		note("validation.folds below 2; set to %d", v.Folds)
	case v.Folds > maxFolds && maxFolds >= 2:
		v.Folds = maxFolds
		note("validation.folds above the rows or groups; set to %d", v.Folds)
	}
	switch {
	case b.Fixed.Repeats > 0 && v.Repeats != b.Fixed.Repeats:
		v.Repeats = b.Fixed.Repeats
		note("validation.repeats: the caller fixed it; set to %d", v.Repeats)
	case v.Repeats < 1:
		v.Repeats = h.Validation.Repeats
		note("validation.repeats below 1; set to %d", v.Repeats)
	case v.Repeats > 20:
		v.Repeats = 20
		note("validation.repeats above 20; set to 20")
	}
	switch {
	case b.Fixed.FinalFit != "" && v.FinalFit != b.Fixed.FinalFit:
		v.FinalFit = b.Fixed.FinalFit
		note("validation.final_fit: the caller fixed it; set to %q", v.FinalFit)
	case v.FinalFit == "":
		v.FinalFit = h.Validation.FinalFit
		note("validation.final_fit: missing; set to %q", v.FinalFit)
	}

	// Ensemble.
	e := &p.Ensemble
	if e.Method == "" && e.Candidates == 0 && e.PerFamily == 0 && e.StackMembers == 0 {
		*e = h.Ensemble
		note("ensemble: missing; the heuristic's used")
	}
	if b.Fixed.DisableEnsemble && e.Method != "none" {
		e.Method = "none"
		note("ensemble.method: the caller disabled ensembles; set to \"none\"")
	}
	if e.Method != "none" {
		if e.Candidates < 1 {
			e.Candidates = h.Ensemble.Candidates
			note("ensemble.candidates below 1; set to %d", e.Candidates)
		}
		if e.PerFamily < 1 {
			e.PerFamily = DefaultPerFamily
			note("ensemble.per_family below 1; set to %d", e.PerFamily)
		}
		if e.StackMembers < 0 {
			e.StackMembers = 0
			note("ensemble.stack_members was negative; set to 0")
		}
	}

	// Columns and reserve.
	p.Columns.Drop = dedupe(p.Columns.Drop)
	p.Columns.Categorical = dedupe(p.Columns.Categorical)
	p.Columns.Text = dedupe(p.Columns.Text)
	switch {
	case p.Reserve == 0:
		p.Reserve = h.Reserve
	case p.Reserve < 0 || math.IsNaN(p.Reserve):
		p.Reserve = h.Reserve
		note("reserve was negative; set to %g", p.Reserve)
	case p.Reserve > 0.5:
		p.Reserve = 0.5
		note("reserve above 0.5; set to 0.5")
	}
	// Shares: drop unknown families and bad values, then scale them to
	// add up to at most 1.
	var sum float64
	for _, name := range sortedKeys(p.Shares) {
		v := p.Shares[name]
		if _, ok := b.model(name); !ok || !(v > 0) || math.IsInf(v, 0) {
			delete(p.Shares, name)
			note("shares[%q] dropped", name)
			continue
		}
		if v > 1 {
			p.Shares[name] = 1
		}
		sum += p.Shares[name]
	}
	if sum > 1 {
		for name := range p.Shares {
			p.Shares[name] /= sum
		}
		note("shares added up to %.3g; scaled to 1", sum)
	}
	if len(p.Shares) == 0 {
		p.Shares = nil
	}
	if r := []rune(p.Rationale); len(r) > 2000 {
		p.Rationale = string(r[:2000])
	}
	p.Notes = append(p.Notes, notes...)
	return notes
}

// normalizeParams clamps numeric values of the space's parameters, rounds
// Int ones (stored as int) and gives categorical values their choice's type.
// Other parameters are kept as they are. It returns a new map.
func normalizeParams(ps models.Params, s hyperopt.Space, note func(string)) models.Params {
	if ps == nil {
		return nil
	}
	out := make(models.Params, len(ps))
	for _, k := range ps.Keys() {
		v := ps[k]
		out[k] = v
		sp, ok := spaceParam(s, k)
		if !ok {
			continue
		}
		switch sp.Kind {
		case hyperopt.Float, hyperopt.Int:
			x, ok := number(v)
			if !ok {
				continue
			}
			y := min(max(x, sp.Low), sp.High)
			if sp.Kind == hyperopt.Int {
				y = min(max(math.Round(y), math.Ceil(sp.Low)), math.Floor(sp.High))
			}
			if y != x {
				note(fmt.Sprintf("%s %v clamped to %v", k, v, y))
			}
			if sp.Kind == hyperopt.Int {
				out[k] = int(y)
			} else {
				out[k] = y
			}
		case hyperopt.Categorical:
			if c, ok := choice(sp, v); ok {
				out[k] = c
			}
		}
	}
	return out
}

// normalizeSpace clamps a narrowed space's bounds into the registered one
// and drops choices it does not have.
func normalizeSpace(s, reg hyperopt.Space, note func(string)) hyperopt.Space {
	out := slices.Clone(s)
	for i, p := range out {
		r, ok := spaceParam(reg, p.Name)
		if !ok || r.Kind != p.Kind {
			continue
		}
		switch r.Kind {
		case hyperopt.Float, hyperopt.Int:
			if p.Low > p.High {
				p.Low, p.High = p.High, p.Low
			}
			lo, hi := min(max(p.Low, r.Low), r.High), min(max(p.High, r.Low), r.High)
			if lo != p.Low || hi != p.High {
				note(fmt.Sprintf("%s [%g, %g] clamped to [%g, %g]", p.Name, p.Low, p.High, lo, hi))
			}
			p.Low, p.High, p.Log, p.Cond = lo, hi, r.Log, r.Cond
		case hyperopt.Categorical:
			var cs []any
			for _, c := range p.Choices {
				if rc, ok := choice(r, c); ok && !slices.ContainsFunc(cs, func(x any) bool { return reflect.DeepEqual(x, rc) }) {
					cs = append(cs, rc)
				}
			}
			if len(cs) < len(p.Choices) {
				note(fmt.Sprintf("%s: choices outside the registered ones dropped", p.Name))
			}
			if len(cs) == 0 {
				cs = slices.Clone(r.Choices)
			}
			p.Choices, p.Cond = cs, r.Cond
		}
		out[i] = p
	}
	return out
}

// sameConfig reports whether two trials are the same model with equal
// parameters (numbers compared by value).
func sameConfig(a, b Config) bool {
	if a.Model != b.Model || len(a.Params) != len(b.Params) {
		return false
	}
	for k, va := range a.Params {
		vb, ok := b.Params[k]
		if !ok {
			return false
		}
		fa, oka := number(va)
		fb, okb := number(vb)
		_, sa := va.(string)
		_, sb := vb.(string)
		if oka && okb && !sa && !sb {
			if fa != fb {
				return false
			}
			continue
		}
		if !reflect.DeepEqual(va, vb) {
			return false
		}
	}
	return true
}

func dedupe(xs []string) []string {
	var out []string
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
