package dataset

// This file keeps, for tests only, the Analyze implementation as it was at
// commit 8794b6f (before the sort-based numeric path): a map from every
// distinct value to a code, per-row codes, a full sort of the codes for the
// top values and a map of row hashes. TestAnalyzeMatchesReference compares
// Analyze against it on randomized frames.

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// refSummary is what one pass over a column learns: dense value codes and the
// facts InferKind and Analyze need.
type refSummary struct {
	name     string
	arr      arrow.Array
	class    typeClass
	n        int
	missing  int
	codes    []int32   // per row; -1 for null
	counts   []int     // per code
	first    []int     // per code, the first row holding it
	floats   []float64 // per row for numeric classes (NaN null), else nil
	avgLen   float64   // strings: mean byte length of non-null values
	spaces   float64   // strings: share of non-null values with a space
	rowStep1 bool      // ints: unique and stepping by +1 in row order
}

func (s *refSummary) distinct() int { return len(s.counts) }

func (s *refSummary) nonNull() int { return s.n - s.missing }

// label formats code c as Strings would.
func (s *refSummary) label(c int32) string {
	return formatValue(s.arr, s.first[c])
}

// refSummarize codes column a (borrowed).
func refSummarize(name string, a arrow.Array) *refSummary {
	n := a.Len()
	s := &refSummary{name: name, arr: a, class: classOf(a.DataType()), n: n, codes: make([]int32, n)}
	add := func(i int, c int32, fresh bool) {
		s.codes[i] = c
		if fresh {
			s.counts = append(s.counts, 1)
			s.first = append(s.first, i)
		} else {
			s.counts[c]++
		}
	}
	if s.class != classString {
		fl, err := Floats(a)
		if err == nil {
			s.floats = fl
			idx := make(map[float64]int32, min(n, 1024))
			for i, v := range fl {
				if math.IsNaN(v) {
					s.codes[i] = -1
					s.missing++
					continue
				}
				c, ok := idx[v]
				if !ok {
					c = int32(len(s.counts))
					idx[v] = c
				}
				add(i, c, !ok)
			}
			if s.class == classInt && s.missing == 0 && n >= kindMinUnique {
				s.rowStep1 = true
				for i := 1; i < n; i++ {
					if fl[i] != fl[i-1]+1 {
						s.rowStep1 = false
						break
					}
				}
			}
			return s
		}
		s.class = classString // a type Floats does not know: profile its text
	}
	var vals []string
	var valid []bool
	if sa, ok := a.(*array.String); ok {
		vals = make([]string, n)
		valid = make([]bool, n)
		for i := range n {
			if sa.IsValid(i) {
				vals[i], valid[i] = sa.Value(i), true
			}
		}
	} else {
		vals, valid = Strings(a)
	}
	idx := make(map[string]int32, min(n, 1024))
	totalLen, withSpace := 0, 0
	for i, v := range vals {
		if !valid[i] {
			s.codes[i] = -1
			s.missing++
			continue
		}
		totalLen += len(v)
		if strings.IndexByte(v, ' ') >= 0 {
			withSpace++
		}
		c, ok := idx[v]
		if !ok {
			c = int32(len(s.counts))
			idx[v] = c
		}
		add(i, c, !ok)
	}
	if nn := s.nonNull(); nn > 0 {
		s.avgLen = float64(totalLen) / float64(nn)
		s.spaces = float64(withSpace) / float64(nn)
	}
	return s
}

// kind applies the InferKind rules to a refSummary.
func (s *refSummary) kind() Kind {
	d, nn := s.distinct(), s.nonNull()
	if d <= 1 {
		return KindConstant
	}
	unique := float64(d) / float64(nn)
	idName := looksLikeID(s.name)
	switch classOf(s.arr.DataType()) {
	case classBool:
		return KindBoolean
	case classTime:
		return KindDatetime
	case classFloat:
		return KindNumeric
	case classInt:
		if (idName && unique >= 0.95) || (s.rowStep1 && d >= kindMinUnique) {
			return KindIdentifier
		}
		return KindInteger
	}
	switch {
	case idName && unique >= 0.95:
		return KindIdentifier
	case s.avgLen >= 50:
		return KindText
	case unique >= 0.5 && d > kindMinUnique && (s.avgLen >= 20 || s.spaces >= 0.5):
		return KindText
	case unique >= 0.95 && d > kindMinUnique:
		return KindIdentifier
	}
	return KindCategorical
}
func refAnalyze(o AnalyzeOptions, f *Frame, target string) (*Profile, error) {
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
	var ts *refSummary
	var task Task
	var classOf []int32 // target code -> class index
	if ti >= 0 {
		ts = refSummarize(names[ti], f.Column(ti))
		if ts.nonNull() == 0 {
			return nil, fmt.Errorf("%w: target %q has no non-null values", ErrTarget, target)
		}
		if ts.distinct() < 2 {
			return nil, fmt.Errorf("%w: target %q has a single value %q", ErrTarget, target, ts.label(0))
		}
		var err error
		if task, err = refInferTask(ts, o.Task); err != nil {
			return nil, err
		}
		if task.IsClassification() {
			classOf = pr.refSetClasses(ts)
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
	// and values are dropped once its profile, warnings, share of the
	// missing rows and share of the row hashes are taken, so memory holds
	// one column's working set beside the frame, not every column's.
	missingCells := 0
	rowMissing := make([]bool, n)
	dups := newRefRowHasher(n)
	for j := range p {
		s := ts
		if j != ti {
			s = refSummarize(names[j], f.Column(j))
		}
		k := s.kind()
		pr.Columns[j] = refColumnProfile(s, k, maxTop)
		dups.add(s.codes)
		if j == ti {
			continue
		}
		m.Features++
		missingCells += s.missing
		for i, c := range s.codes {
			if c < 0 {
				rowMissing[i] = true
			}
		}
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
		pr.refColumnWarnings(s, k, ts, task, classOf)
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

// refColumnWarnings adds the warnings of one input column (kind k), in the
// order Analyze has always given them.
func (pr *Profile) refColumnWarnings(s *refSummary, k Kind, ts *refSummary, task Task, classOf []int32) {
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
	if msg := refLeakage(s, ts, task, classOf); msg != "" {
		pr.warn(name, WarnLeakage, msg)
	}
}

// refInferTask decides the task for target refSummary ts; see Analyze.
func refInferTask(ts *refSummary, forced Task) (Task, error) {
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

// refSetClasses fills Classes and ClassCounts and returns the class index of
// each target code.
func (pr *Profile) refSetClasses(ts *refSummary) []int32 {
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

// refColumnProfile computes the statistics of one column.
func refColumnProfile(s *refSummary, k Kind, maxTop int) ColumnProfile {
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
		refMoments(&cp, s.floats)
		cp.LowCardinality = (k == KindNumeric || k == KindInteger) && cp.Distinct <= lowCardinality
	}
	if maxTop > 0 && cp.Distinct > 0 {
		order := make([]int32, cp.Distinct)
		for c := range order {
			order[c] = int32(c)
		}
		// Partial work: only sort codes that can make the top.
		slices.SortFunc(order, func(a, b int32) int {
			if x := cmp.Compare(s.counts[b], s.counts[a]); x != 0 {
				return x
			}
			return cmp.Compare(a, b)
		})
		// Ties are broken by value text among the candidates kept.
		cut := min(maxTop, len(order))
		for cut < len(order) && s.counts[order[cut]] == s.counts[order[maxTop-1]] {
			cut++
			if cut > maxTop+256 {
				break
			}
		}
		cand := order[:cut]
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

// refMoments sets Min, Max, Mean, Std and Skew over the finite values of x.
func refMoments(cp *ColumnProfile, x []float64) {
	n := 0
	lo, hi, sum := math.Inf(1), math.Inf(-1), 0.0
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
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
		if math.IsNaN(v) || math.IsInf(v, 0) {
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

// refLeakage returns a message when feature s alone nearly determines the
// target ts: for classification, the rows whose feature value occurs at
// least twice are classified right by that value's majority class in at
// least 99% of the rows where both are present (singletons count as
// wrong, so a near-unique column never qualifies), and both are present in
// at least half the labelled rows; for regression, a numeric feature's
// |Pearson correlation| with the target exceeds 0.999.
func refLeakage(s, ts *refSummary, task Task, classOf []int32) string {
	if s == ts || s.distinct() < 2 {
		return ""
	}
	if task.IsClassification() {
		nc := len(classOf)
		d := s.distinct()
		if d*nc > 1<<22 {
			return ""
		}
		tab := make([]int32, d*nc)
		both := 0
		for i, c := range s.codes {
			t := ts.codes[i]
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
		if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
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
		if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
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

// refRowHasher counts rows equal in every column to an earlier row, by a
// 64-bit hash of the rows' value codes, fed one column at a time.
type refRowHasher struct{ h []uint64 }

func newRefRowHasher(n int) *refRowHasher {
	h := make([]uint64, n)
	for i := range h {
		h[i] = 14695981039346656037
	}
	return &refRowHasher{h: h}
}

// add mixes one column's codes into the row hashes.
func (r *refRowHasher) add(codes []int32) {
	for i, c := range codes {
		x := r.h[i] ^ uint64(uint32(c+1))
		x *= 1099511628211
		x ^= x >> 29
		r.h[i] = x * 0xbf58476d1ce4e5b9
	}
}

// duplicates returns how many rows repeat an earlier row.
func (r *refRowHasher) duplicates() int {
	if len(r.h) == 0 {
		return 0
	}
	seen := make(map[uint64]struct{}, len(r.h))
	dup := 0
	for _, x := range r.h {
		if _, ok := seen[x]; ok {
			dup++
			continue
		}
		seen[x] = struct{}{}
	}
	return dup
}

// String renders the profile as a human-readable table. The layout is not
