package dataset

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Task is the kind of supervised problem a target defines.
type Task string

// Tasks.
const (
	TaskAuto       Task = ""           // infer from the target (AnalyzeOptions only)
	TaskBinary     Task = "binary"     // two classes
	TaskMulticlass Task = "multiclass" // three or more classes
	TaskRegression Task = "regression" // a real-valued target
)

// IsClassification reports whether t is TaskBinary or TaskMulticlass.
func (t Task) IsClassification() bool { return t == TaskBinary || t == TaskMulticlass }

// Warning codes in Profile.Warnings.
const (
	WarnIdentifier      = "identifier"       // a key-like column: drop it
	WarnConstant        = "constant"         // a single distinct value: drop it
	WarnAllMissing      = "all_missing"      // every value null: drop it
	WarnMostlyMissing   = "mostly_missing"   // at least half the values null
	WarnHighCardinality = "high_cardinality" // a categorical with very many levels
	WarnLeakage         = "leakage"          // alone nearly determines the target
	WarnDuplicateRows   = "duplicate_rows"   // rows repeated exactly
	WarnTargetMissing   = "target_missing"   // rows whose target is null (drop them)
	WarnImbalance       = "imbalance"        // largest class at least 10 times the smallest
	// WarnRareClass is added by automl.Fit, not Analyze: a class has
	// fewer rows than there are cross-validation folds, so some folds
	// train without it and its scores are unreliable.
	WarnRareClass = "rare_class"
)

// Leakage and cardinality thresholds used by Analyze.
const (
	leakPurity      = 0.99  // classification: share of rows a column's values classify right
	leakCorr        = 0.999 // regression: |Pearson correlation| with the target
	highCardinality = 100   // categorical levels always called high
	maxClassInt     = 20    // most distinct values of an integer target taken as classes
	imbalanceWarn   = 10    // ImbalanceRatio that triggers WarnImbalance
)

// Profile summarises a frame for planning: shapes, per-column statistics
// and kinds, the task and its classes, meta-features and warnings. It is
// plain data, safe to share, and marshals to JSON without NaN or Inf
// (statistics that do not exist are omitted). Its JSON field names are
// stable; the String table is for people and may change.
type Profile struct {
	Rows   int    `json:"rows"`
	Cols   int    `json:"cols"`
	Target string `json:"target"`
	Task   Task   `json:"task"`
	// Classes holds the class labels of a classification target, formatted
	// as Strings formats the target's values, sorted numerically for a
	// numeric target and byte-wise otherwise. Class i is Classes[i].
	Classes []string `json:"classes,omitempty"`
	// ClassCounts[i] is the number of rows of class Classes[i].
	ClassCounts []int           `json:"class_counts,omitempty"`
	Columns     []ColumnProfile `json:"columns"`
	Meta        MetaFeatures    `json:"meta"`
	Warnings    []Warning       `json:"warnings,omitempty"`
}

// ColumnProfile describes one column (the target included).
type ColumnProfile struct {
	Name string `json:"name"`
	// Type is the Arrow type, as its String method prints it.
	Type string `json:"type"`
	Kind Kind   `json:"kind"`
	// Missing counts null values (and NaN in float columns).
	Missing      int     `json:"missing"`
	MissingRatio float64 `json:"missing_ratio"`
	// Distinct counts distinct non-null values.
	Distinct int `json:"distinct"`
	// Min, Max, Mean, Std (sample, n-1) and Skew (Fisher-Pearson g1) are
	// over the finite values of a numeric (integer or float) column; nil
	// for other columns and when undefined.
	Min  *float64 `json:"min,omitempty"`
	Max  *float64 `json:"max,omitempty"`
	Mean *float64 `json:"mean,omitempty"`
	Std  *float64 `json:"std,omitempty"`
	Skew *float64 `json:"skew,omitempty"`
	// LowCardinality notes a numeric or integer column with at most 20
	// distinct values, which may be better one-hot encoded.
	LowCardinality bool `json:"low_cardinality,omitempty"`
	// Top lists the most frequent values, most frequent first (ties by
	// value), at most AnalyzeOptions.MaxTop of them.
	Top []ValueCount `json:"top,omitempty"`
}

// ValueCount is a value, formatted as Strings formats it, and its count.
type ValueCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// MetaFeatures are whole-table facts for planners. Feature counts exclude
// the target.
type MetaFeatures struct {
	Rows     int `json:"rows"`
	Features int `json:"features"`
	// NumericFeatures counts KindNumeric and KindInteger features.
	NumericFeatures int `json:"numeric_features"`
	// CategoricalFeatures counts KindCategorical and KindBoolean features.
	CategoricalFeatures int `json:"categorical_features"`
	BooleanFeatures     int `json:"boolean_features"`
	DatetimeFeatures    int `json:"datetime_features"`
	TextFeatures        int `json:"text_features"`
	IdentifierFeatures  int `json:"identifier_features"`
	ConstantFeatures    int `json:"constant_features"`
	// MissingRatio is the share of null feature cells.
	MissingRatio float64 `json:"missing_ratio"`
	// RowsWithMissing counts rows with a null in some feature.
	RowsWithMissing int `json:"rows_with_missing"`
	// MaxCardinality is the most distinct values of a categorical feature.
	MaxCardinality int `json:"max_cardinality"`
	// Classes is len(Profile.Classes); 0 for regression.
	Classes int `json:"classes"`
	// ImbalanceRatio is the largest class count over the smallest; 0 for
	// regression.
	ImbalanceRatio float64 `json:"imbalance_ratio"`
	// TargetMissing counts rows whose target is null.
	TargetMissing int `json:"target_missing"`
	// DuplicateRows counts rows equal (in every column) to an earlier row.
	DuplicateRows int `json:"duplicate_rows"`
}

// Warning flags a problem found by Analyze. Column is "" for table-wide
// warnings. Code is one of the Warn constants.
type Warning struct {
	Column  string `json:"column,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// AnalyzeOptions configures Analyze. The zero value infers the task and
// keeps the top 5 values per column.
type AnalyzeOptions struct {
	// Task forces the task; TaskAuto ("") infers it (see Analyze).
	Task Task `json:"task,omitempty"`
	// MaxTop is how many frequent values each column lists; 0 means 5, a
	// negative value none.
	MaxTop int `json:"max_top,omitempty"`
}

// Analyze profiles f for predicting target with the default options; see
// AnalyzeOptions.Analyze.
func Analyze(f *Frame, target string) (*Profile, error) {
	return AnalyzeOptions{}.Analyze(f, target)
}

// Analyze profiles f (borrowed) for predicting the column target. An
// empty target profiles the columns alone: Task stays TaskAuto, there are
// no classes and no leakage checks.
//
// Task inference (when o.Task is TaskAuto): a string, boolean or other
// non-numeric target is classification; an integer target with at most 20
// distinct values, all in [-1, 100), is classification; a float target
// whose values are exactly two integers is binary; any other numeric
// target is regression. Classification with two classes is TaskBinary,
// with more TaskMulticlass. A forced TaskBinary needs exactly two classes,
// TaskRegression a numeric target.
//
// Errors wrap ErrTarget when the target column is missing (also wrapping
// ErrNoColumn), all null, has a single value, or does not fit the forced
// task; ErrInvalid for a nil or column-less frame or an unknown task.
// Rows whose target is null are counted in Meta.TargetMissing and warned
// about; the statistics include them. Analyze never panics.
//
// Time grows linearly with the cells (numeric columns with many distinct
// values are coded by cache-sized hash buckets, not one map), and memory
// beside the frame is the target's and one other column's working set, at
// most about 40 bytes a row each.
func (o AnalyzeOptions) Analyze(f *Frame, target string) (*Profile, error) {
	if f == nil || f.rec == nil {
		return nil, fmt.Errorf("%w: nil frame", ErrInvalid)
	}
	if f.NumCols() == 0 {
		return nil, fmt.Errorf("%w: frame has no columns", ErrEmpty)
	}
	switch o.Task {
	case TaskAuto, TaskBinary, TaskMulticlass, TaskRegression:
	default:
		return nil, fmt.Errorf("%w: unknown task %q", ErrInvalid, string(o.Task))
	}
	maxTop := o.MaxTop
	if maxTop == 0 {
		maxTop = 5
	}
	ti := -1 // no target: profile the columns only
	if target != "" {
		if ti = f.ColumnIndex(target); ti < 0 {
			return nil, fmt.Errorf("%w: %w: target %q (columns: %s)", ErrTarget, ErrNoColumn, target, strings.Join(f.Names(), ", "))
		}
	}
	n, p := f.NumRows(), f.NumCols()
	names := f.Names()
	pr := &Profile{Rows: n, Cols: p, Target: target, Columns: make([]ColumnProfile, p)}
	var ts *summary
	var task Task
	var classOf []int32 // target code -> class index
	if ti >= 0 {
		ts = summarize(names[ti], f.Column(ti))
		if ts.nonNull() == 0 {
			return nil, fmt.Errorf("%w: target %q has no non-null values", ErrTarget, target)
		}
		if ts.distinct() < 2 {
			return nil, fmt.Errorf("%w: target %q has a single value %q", ErrTarget, target, ts.label(0))
		}
		var err error
		if task, err = inferTask(ts, o.Task); err != nil {
			return nil, err
		}
		if task.IsClassification() {
			classOf = pr.setClasses(ts)
		} else {
			ts.keys, ts.rows, ts.bounds = nil, nil, nil // only classification leakage asks ts.rowCodes
		}
	}
	pr.Task = task

	m := &pr.Meta
	m.Rows = n
	if ts != nil {
		m.TargetMissing = ts.missing
	}
	m.Classes = len(pr.Classes)
	if len(pr.ClassCounts) > 0 {
		lo, hi := slices.Min(pr.ClassCounts), slices.Max(pr.ClassCounts)
		m.ImbalanceRatio = float64(hi) / float64(max(lo, 1))
	}
	// One pass over the columns, one at a time: a column's per-row codes
	// and values are dropped (their buffers reused for the next column)
	// once its profile, warnings, share of the missing rows and share of
	// the row hashes are taken, so memory holds one column's working set
	// beside the frame, not every column's.
	missingCells := 0
	rowMissing := make([]bool, n)
	dups := newRowHasher(n)
	sc := new(scratch) // the features' buffers; ts has its own
	for j := range p {
		s := ts
		if j != ti {
			s = summarizeWith(names[j], f.Column(j), sc)
		}
		k := s.kind()
		pr.Columns[j] = columnProfile(s, k, maxTop)
		dups.add(s)
		if j == ti {
			continue
		}
		m.Features++
		missingCells += s.missing
		s.markMissing(rowMissing)
		switch k {
		case KindNumeric, KindInteger:
			m.NumericFeatures++
		case KindCategorical:
			m.CategoricalFeatures++
			m.MaxCardinality = max(m.MaxCardinality, s.distinct())
		case KindBoolean:
			m.CategoricalFeatures++
			m.BooleanFeatures++
		case KindDatetime:
			m.DatetimeFeatures++
		case KindText:
			m.TextFeatures++
		case KindIdentifier:
			m.IdentifierFeatures++
		case KindConstant:
			m.ConstantFeatures++
		}
		pr.columnWarnings(s, k, ts, task, classOf)
	}
	for _, b := range rowMissing {
		if b {
			m.RowsWithMissing++
		}
	}
	if m.Features > 0 && n > 0 {
		m.MissingRatio = float64(missingCells) / float64(m.Features*n)
	}
	m.DuplicateRows = dups.duplicates()

	if ts != nil && ts.missing > 0 {
		pr.warn(target, WarnTargetMissing, fmt.Sprintf("%d rows have no target value and will be dropped for training", ts.missing))
	}
	if m.ImbalanceRatio >= imbalanceWarn {
		pr.warn(target, WarnImbalance, fmt.Sprintf("largest class is %.1f times the smallest", m.ImbalanceRatio))
	}
	if m.DuplicateRows > 0 {
		pr.warn("", WarnDuplicateRows, fmt.Sprintf("%d rows repeat an earlier row exactly", m.DuplicateRows))
	}
	return pr, nil
}

// columnWarnings adds the warnings of one input column (kind k), in the
// order Analyze has always given them.
func (pr *Profile) columnWarnings(s *summary, k Kind, ts *summary, task Task, classOf []int32) {
	name, n := s.name, s.n
	switch {
	case s.nonNull() == 0:
		pr.warn(name, WarnAllMissing, "every value is missing")
		return
	case k == KindConstant:
		pr.warn(name, WarnConstant, fmt.Sprintf("a single value %q", s.label(0)))
	case k == KindIdentifier:
		pr.warn(name, WarnIdentifier, fmt.Sprintf("looks like a row identifier (%d distinct of %d values)", s.distinct(), s.nonNull()))
	}
	if r := float64(s.missing) / float64(n); r >= 0.5 {
		pr.warn(name, WarnMostlyMissing, fmt.Sprintf("%.0f%% of values are missing", 100*r))
	}
	if d := s.distinct(); k == KindCategorical && (d > highCardinality || (d > kindMinUnique && float64(d) > 0.5*float64(s.nonNull()))) {
		pr.warn(name, WarnHighCardinality, fmt.Sprintf("%d distinct values in %d rows", d, s.nonNull()))
	}
	if k == KindConstant || ts == nil {
		return
	}
	if msg := leakage(s, ts, task, classOf); msg != "" {
		pr.warn(name, WarnLeakage, msg)
	}
}

func (pr *Profile) warn(col, code, msg string) {
	pr.Warnings = append(pr.Warnings, Warning{Column: col, Code: code, Message: msg})
}

// Column returns the profile of the column named name.
func (pr *Profile) Column(name string) (ColumnProfile, bool) {
	for _, c := range pr.Columns {
		if c.Name == name {
			return c, true
		}
	}
	return ColumnProfile{}, false
}

// Features returns the names of the non-target columns, in frame order.
func (pr *Profile) Features() []string {
	out := make([]string, 0, len(pr.Columns))
	for _, c := range pr.Columns {
		if c.Name != pr.Target {
			out = append(out, c.Name)
		}
	}
	return out
}

// HasWarning reports whether a warning with code was raised for column
// (column "" matches table-wide warnings).
func (pr *Profile) HasWarning(column, code string) bool {
	for _, w := range pr.Warnings {
		if w.Column == column && w.Code == code {
			return true
		}
	}
	return false
}

// inferTask decides the task for target summary ts; see Analyze.
func inferTask(ts *summary, forced Task) (Task, error) {
	d := ts.distinct()
	numeric := ts.floats != nil && (ts.class == classFloat || ts.class == classInt)
	switch forced {
	case TaskRegression:
		if !numeric {
			return "", fmt.Errorf("%w: regression needs a numeric target; %q is %s", ErrTarget, ts.name, ts.arr.DataType())
		}
		return TaskRegression, nil
	case TaskBinary:
		if d != 2 {
			return "", fmt.Errorf("%w: binary classification needs 2 classes; %q has %d", ErrTarget, ts.name, d)
		}
		return TaskBinary, nil
	case TaskMulticlass:
		return TaskMulticlass, nil
	}
	classify := !numeric
	if numeric {
		lo, hi, integral := math.Inf(1), math.Inf(-1), true
		for c := range d {
			v := ts.floats[ts.first[c]]
			lo, hi = min(lo, v), max(hi, v)
			if v != math.Trunc(v) {
				integral = false
			}
		}
		switch ts.class {
		case classInt:
			classify = d <= maxClassInt && lo >= -1 && hi < 100
		case classFloat:
			classify = d == 2 && integral
		}
	}
	if !classify {
		return TaskRegression, nil
	}
	if d == 2 {
		return TaskBinary, nil
	}
	return TaskMulticlass, nil
}

// setClasses fills Classes and ClassCounts and returns the class index of
// each target code.
func (pr *Profile) setClasses(ts *summary) []int32 {
	d := ts.distinct()
	order := make([]int32, d)
	for c := range order {
		order[c] = int32(c)
	}
	labels := make([]string, d)
	for c := range d {
		labels[c] = ts.label(int32(c))
	}
	if ts.floats != nil {
		slices.SortFunc(order, func(a, b int32) int {
			return cmp.Or(cmp.Compare(ts.floats[ts.first[a]], ts.floats[ts.first[b]]), strings.Compare(labels[a], labels[b]))
		})
	} else {
		slices.SortFunc(order, func(a, b int32) int { return strings.Compare(labels[a], labels[b]) })
	}
	classOf := make([]int32, d)
	pr.Classes = make([]string, d)
	pr.ClassCounts = make([]int, d)
	for k, c := range order {
		classOf[c] = int32(k)
		pr.Classes[k] = labels[c]
		pr.ClassCounts[k] = ts.counts[c]
	}
	return classOf
}

// columnProfile computes the statistics of one column.
func columnProfile(s *summary, k Kind, maxTop int) ColumnProfile {
	cp := ColumnProfile{
		Name:     s.name,
		Type:     s.arr.DataType().String(),
		Kind:     k,
		Missing:  s.missing,
		Distinct: s.distinct(),
	}
	if s.n > 0 {
		cp.MissingRatio = float64(s.missing) / float64(s.n)
	}
	if s.floats != nil && (s.class == classFloat || s.class == classInt) {
		moments(&cp, s.floats)
		cp.LowCardinality = (k == KindNumeric || k == KindInteger) && cp.Distinct <= lowCardinality
	}
	if maxTop > 0 && cp.Distinct > 0 {
		cand := topCandidates(s.counts, s.first, maxTop)
		// Ties are broken by value text among the candidates kept.
		labels := make(map[int32]string, len(cand))
		for _, c := range cand {
			labels[c] = s.label(c)
		}
		slices.SortStableFunc(cand, func(a, b int32) int {
			return cmp.Or(cmp.Compare(s.counts[b], s.counts[a]), strings.Compare(labels[a], labels[b]))
		})
		for _, c := range cand[:min(maxTop, len(cand))] {
			cp.Top = append(cp.Top, ValueCount{Value: labels[c], Count: s.counts[c]})
		}
	}
	return cp
}

// topExtra is how many codes beyond maxTop that tie with the last one
// topCandidates keeps for the tie-break by value text.
const topExtra = 257

// topCandidates returns the codes that may make a column's top maxTop
// values (maxTop > 0): in the order most frequent first, then earliest
// first row, the first maxTop codes and those after them that tie in
// count with the maxTop-th, up to maxTop+topExtra codes in all. The
// codes come in that order, without sorting every code.
func topCandidates(counts, first []int, maxTop int) []int32 {
	d := len(counts)
	less := func(a, b int32) int {
		return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(first[a], first[b]))
	}
	if d <= maxTop || maxTop > 64 || d <= 4096 {
		order := make([]int32, d)
		for c := range order {
			order[c] = int32(c)
		}
		slices.SortFunc(order, less)
		cut := min(maxTop, d)
		for cut < d && counts[order[cut]] == counts[order[maxTop-1]] && cut < maxTop+topExtra {
			cut++
		}
		return order[:cut]
	}
	// The maxTop-th largest count, by a min-heap of the maxTop largest.
	top := make([]int, 0, maxTop)
	for _, k := range counts {
		if len(top) < maxTop {
			top = append(top, k)
			for i := len(top) - 1; i > 0 && top[(i-1)/2] > top[i]; i = (i - 1) / 2 {
				top[i], top[(i-1)/2] = top[(i-1)/2], top[i]
			}
		} else if k > top[0] {
			top[0] = k
			siftDown(top, func(a, b int) bool { return top[a] < top[b] })
		}
	}
	last := top[0]
	// Codes counted more than last all make it; of those counted last, the
	// ones with the earliest first rows fill up to the cut, kept in a
	// max-heap by first row.
	var cand, ties []int32
	nTies := 0
	for c, k := range counts {
		if k > last {
			cand = append(cand, int32(c))
		} else if k == last {
			nTies++
		}
	}
	keep := min(len(cand)+nTies, maxTop+topExtra) - len(cand)
	for c, k := range counts {
		if k != last {
			continue
		}
		if len(ties) < keep {
			ties = append(ties, int32(c))
			for i := len(ties) - 1; i > 0 && first[ties[(i-1)/2]] < first[ties[i]]; i = (i - 1) / 2 {
				ties[i], ties[(i-1)/2] = ties[(i-1)/2], ties[i]
			}
		} else if first[c] < first[ties[0]] {
			ties[0] = int32(c)
			siftDown(ties, func(a, b int) bool { return first[ties[a]] > first[ties[b]] })
		}
	}
	cand = append(cand, ties...)
	slices.SortFunc(cand, less)
	return cand
}

// siftDown restores the heap order of h (h[i] above its children when
// above(i, child)) after its root changed.
func siftDown[T any](h []T, above func(a, b int) bool) {
	i := 0
	for {
		c := 2*i + 1
		if c >= len(h) {
			return
		}
		if c+1 < len(h) && above(c+1, c) {
			c++
		}
		if !above(c, i) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

// moments sets Min, Max, Mean, Std and Skew over the finite values of x.
func moments(cp *ColumnProfile, x []float64) {
	n := 0
	lo, hi, sum := math.Inf(1), math.Inf(-1), 0.0
	for _, v := range x {
		if v-v != 0 { // NaN or infinite
			continue
		}
		n++
		lo, hi = min(lo, v), max(hi, v)
		sum += v
	}
	if n == 0 {
		return
	}
	mean := sum / float64(n)
	var m2, m3 float64
	for _, v := range x {
		if v-v != 0 { // NaN or infinite
			continue
		}
		d := v - mean
		m2 += d * d
		m3 += d * d * d
	}
	ptr := func(v float64) *float64 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return &v
	}
	cp.Min, cp.Max, cp.Mean = ptr(lo), ptr(hi), ptr(mean)
	std := 0.0
	if n > 1 {
		std = math.Sqrt(m2 / float64(n-1))
	}
	cp.Std = ptr(std)
	skew := 0.0
	if m2 > 0 {
		skew = (m3 / float64(n)) / math.Pow(m2/float64(n), 1.5)
	}
	cp.Skew = ptr(skew)
}

// leakage returns a message when feature s alone nearly determines the
// target ts: for classification, the rows whose feature value occurs at
// least twice are classified right by that value's majority class in at
// least 99% of the rows where both are present (singletons count as
// wrong, so a near-unique column never qualifies), and both are present in
// at least half the labelled rows; for regression, a numeric feature's
// |Pearson correlation| with the target exceeds 0.999.
func leakage(s, ts *summary, task Task, classOf []int32) string {
	if s == ts || s.distinct() < 2 {
		return ""
	}
	if task.IsClassification() {
		nc := len(classOf)
		d := s.distinct()
		if d*nc > 1<<22 || singletonsRuleOut(s, ts) {
			return ""
		}
		tab := make([]int32, d*nc)
		both := 0
		tcodes := ts.rowCodes()
		for i, c := range s.rowCodes() {
			t := tcodes[i]
			if c < 0 || t < 0 {
				continue
			}
			both++
			tab[int(c)*nc+int(classOf[t])]++
		}
		if both == 0 || 2*both < ts.nonNull() {
			return ""
		}
		right := 0
		for c := range d {
			row := tab[c*nc : (c+1)*nc]
			tot, best := int32(0), int32(0)
			for _, v := range row {
				tot += v
				best = max(best, v)
			}
			if tot >= 2 {
				right += int(best)
			}
		}
		purity := float64(right) / float64(both)
		if purity >= leakPurity {
			return fmt.Sprintf("its values give the target class in %.1f%% of rows", 100*purity)
		}
		return ""
	}
	if s.floats == nil || ts.floats == nil || s.class == classTime {
		return ""
	}
	var n, sx, sy, sxx, syy, sxy float64
	for i, x := range s.floats {
		y := ts.floats[i]
		if x-x != 0 || y-y != 0 { // NaN or infinite
			continue
		}
		n++
		sx += x
		sy += y
	}
	if n < 3 {
		return ""
	}
	mx, my := sx/n, sy/n
	for i, x := range s.floats {
		y := ts.floats[i]
		if x-x != 0 || y-y != 0 { // NaN or infinite
			continue
		}
		sxx += (x - mx) * (x - mx)
		syy += (y - my) * (y - my)
		sxy += (x - mx) * (y - my)
	}
	if sxx == 0 || syy == 0 {
		return ""
	}
	r := sxy / math.Sqrt(sxx*syy)
	if math.Abs(r) > leakCorr {
		return "correlation with the target is " + strconv.FormatFloat(r, 'f', 4, 64)
	}
	return ""
}

// singletonsRuleOut reports whether the classification leakage rule
// cannot fire for a bucketed feature s: a value held by one row never counts
// as right, and at most ts.missing of those rows lack a target, so with w
// more singleton values than that the purity is at most 1-w/nonNull. Past
// 2% it stays below leakPurity, and the per-row codes need not be made.
func singletonsRuleOut(s, ts *summary) bool {
	if !s.bucketed {
		return false
	}
	single := 0
	for _, k := range s.counts {
		if k == 1 {
			single++
		}
	}
	w := single - ts.missing
	return w > 0 && 50*w > s.nonNull()
}

// rowHasher counts rows equal in every column to an earlier row, by a
// 64-bit hash of the rows' values, fed one column at a time: a column's
// per-row codes, or for a bucketed numeric column the float keys (equal
// values, -0 and +0 too, share a key, as they share a code; null is 0).
type rowHasher struct{ h []uint64 }

func newRowHasher(n int) *rowHasher {
	h := make([]uint64, n)
	for i := range h {
		h[i] = 14695981039346656037
	}
	return &rowHasher{h: h}
}

// add mixes one column's values into the row hashes.
func (r *rowHasher) add(s *summary) {
	if s.codes == nil && s.bucketed {
		for i, v := range s.floats {
			var k uint64
			if !math.IsNaN(v) {
				k = floatKey(v) * 0x9e3779b97f4a7c15
				k ^= k >> 32
			}
			x := (r.h[i] ^ k) * 1099511628211
			x ^= x >> 29
			r.h[i] = x * 0xbf58476d1ce4e5b9
		}
		return
	}
	for i, c := range s.codes {
		x := r.h[i] ^ uint64(uint32(c+1))
		x *= 1099511628211
		x ^= x >> 29
		r.h[i] = x * 0xbf58476d1ce4e5b9
	}
}

// duplicates returns how many rows repeat an earlier row: the rows less
// the distinct hashes, counted by buckets as codeByBuckets codes values.
// The hasher is spent.
func (r *rowHasher) duplicates() int {
	h, n := r.h, len(r.h)
	r.h = nil
	bbits := bucketBits(n)
	bounds := make([]int, 1<<bbits+1)
	for _, x := range h {
		bounds[bucketOf(x, bbits)+1]++
	}
	for b := 1; b < len(bounds); b++ {
		bounds[b] += bounds[b-1]
	}
	part, pos := make([]uint64, n), slices.Clone(bounds[:len(bounds)-1])
	for _, x := range h {
		b := bucketOf(x, bbits)
		part[pos[b]] = x
		pos[b]++
	}
	var t groupTable
	distinct, zero := 0, false
	for b := 0; b+1 < len(bounds); b++ {
		t.reset(bounds[b+1] - bounds[b])
		for _, x := range part[bounds[b]:bounds[b+1]] {
			if x == 0 { // the table's empty mark
				zero = true
			} else if _, fresh := t.find(x, 0); fresh {
				distinct++
			}
		}
	}
	if zero {
		distinct++
	}
	return n - distinct
}

// String renders the profile as a human-readable table. The layout is not
// stable; use JSON for machines.
func (pr *Profile) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rows %d, columns %d, target %q, task %s\n", pr.Rows, pr.Cols, pr.Target, pr.Task)
	if len(pr.Classes) > 0 {
		parts := make([]string, len(pr.Classes))
		for i, c := range pr.Classes {
			parts[i] = fmt.Sprintf("%s=%d", c, pr.ClassCounts[i])
		}
		fmt.Fprintf(&b, "classes: %s\n", strings.Join(parts, ", "))
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "column\ttype\tkind\tmissing\tdistinct\tmin\tmean\tmax\ttop")
	num := func(p *float64) string {
		if p == nil {
			return "-"
		}
		return strconv.FormatFloat(*p, 'g', 4, 64)
	}
	for _, c := range pr.Columns {
		top := make([]string, 0, 3)
		for k, v := range c.Top {
			if k == 3 {
				break
			}
			val := v.Value
			if len(val) > 16 {
				val = val[:16] + "…"
			}
			top = append(top, fmt.Sprintf("%s(%d)", val, v.Count))
		}
		name := c.Name
		if name == pr.Target {
			name += " *"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\n", name, c.Type, c.Kind, c.Missing, c.Distinct,
			num(c.Min), num(c.Mean), num(c.Max), strings.Join(top, " "))
	}
	_ = tw.Flush()
	if len(pr.Warnings) > 0 {
		b.WriteString("warnings:\n")
		for _, w := range pr.Warnings {
			col := w.Column
			if col == "" {
				col = "(table)"
			}
			fmt.Fprintf(&b, "  %s: %s: %s\n", col, w.Code, w.Message)
		}
	}
	return b.String()
}
