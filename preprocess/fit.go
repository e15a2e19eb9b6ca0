package preprocess

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
	"unicode"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/automl-agent/automl/dataset"
)

// Inference thresholds.
const (
	minRowsForID   = 20   // fewer non-missing rows never look like an identifier or text
	parseShare     = 0.95 // share of values that must parse as numbers or dates
	idShare        = 0.95 // distinct share of an identifier
	textShare      = 0.5  // distinct share of a text column
	textTokens     = 2    // mean tokens per distinct value of a text column
	sniffValues    = 200  // values sampled for date detection
	sniffDistincts = 1000 // distinct values sampled for token counts
)

// fitCtx carries what every column fit needs.
type fitCtx struct {
	p    *Pipeline
	used []int     // rows with a target
	tv   []float64 // per row, the target-encoding values [i*nte+t]
	nte  int
}

func drop(c *column, reason string) *column {
	c.Kind = KindDrop
	c.Reason = reason
	return c
}

// fitColumn decides the kind of column a and learns its statistics.
func (fc *fitCtx) fitColumn(name string, a arrow.Array) (*column, error) {
	o := fc.p.st.Options
	c := &column{Name: name}
	if slices.Contains(o.Drop, name) {
		return drop(c, "listed in Options.Drop"), nil
	}
	forced := o.Kinds[name]
	kind := forced
	switch {
	case forced == KindDrop:
		return drop(c, "Options.Kinds says drop"), nil
	case forced == "":
		var reason string
		kind, reason = fc.infer(c, a)
		if kind == KindDrop {
			return drop(c, reason), nil
		}
	case forced == KindNumeric || forced == KindDatetime:
		c.Coerce = true
	}
	switch kind {
	case KindNumeric:
		return fc.fitNumeric(c, a, forced != "")
	case KindDatetime:
		return fc.fitDatetime(c, a)
	case KindText:
		return fc.fitText(c, a)
	default:
		return fc.fitCategorical(c, a)
	}
}

// infer returns the kind of a column from its Arrow type and, for other
// types, from its values formatted as strings (on rows with a target). It
// may set c.Coerce and c.Layout.
func (fc *fitCtx) infer(c *column, a arrow.Array) (kind, reason string) {
	t := a.DataType()
	switch {
	case t.ID() == arrow.NULL:
		return KindDrop, "all missing"
	case isNumberType(t):
		return KindNumeric, ""
	case isTimeType(t):
		return KindDatetime, ""
	}
	vals, valid := dataset.Strings(a)
	nonNull := 0
	distinct := map[string]int{}
	var sample, firsts []string // first values, first distinct values (row order)
	for _, i := range fc.used {
		s := vals[i]
		if !valid[i] || s == "" {
			continue
		}
		nonNull++
		if distinct[s] == 0 && len(firsts) < sniffDistincts {
			firsts = append(firsts, s)
		}
		distinct[s]++
		if len(sample) < sniffValues {
			sample = append(sample, s)
		}
	}
	if nonNull == 0 {
		return KindDrop, "all missing"
	}
	numbers := 0
	for s, n := range distinct { // parse each distinct value once
		if _, ok := parseNumber(s); ok {
			numbers += n
		}
	}
	if float64(numbers) >= parseShare*float64(nonNull) {
		c.Coerce = true
		return KindNumeric, ""
	}
	if l := sniffLayout(sample); l != "" {
		c.Layout = l
		c.Coerce = true
		return KindDatetime, ""
	}
	nd := len(distinct)
	if nonNull >= minRowsForID {
		ratio := float64(nd) / float64(nonNull)
		tokens := 0
		for _, s := range firsts {
			tokens += countTokens(s)
		}
		mean := float64(tokens) / float64(len(firsts))
		if ratio >= textShare && mean >= textTokens {
			return KindText, ""
		}
		if ratio >= idShare {
			return KindDrop, "identifier-like (near-unique values)"
		}
	}
	return KindCategorical, ""
}

// sniffLayout returns the first date layout that parses at least parseShare
// of sample, or "".
func sniffLayout(sample []string) string {
	if len(sample) == 0 {
		return ""
	}
	for _, l := range dateLayouts {
		ok := 0
		for k, s := range sample {
			if _, err := parseTimeExact(s, l); err == nil {
				ok++
			}
			if float64(k+1-ok) > (1-parseShare)*float64(len(sample)) {
				break
			}
		}
		if float64(ok) >= parseShare*float64(len(sample)) {
			return l
		}
	}
	return ""
}

// bestLayout returns the layout that parses most of sample, or "".
func bestLayout(sample []string) string {
	best, bestN := "", 0
	for _, l := range dateLayouts {
		n := 0
		for _, s := range sample {
			if _, err := parseTimeExact(s, l); err == nil {
				n++
			}
		}
		if n > bestN {
			best, bestN = l, n
		}
	}
	return best
}

// countTokens counts the maximal runs of letters and digits in s.
func countTokens(s string) int {
	n, in := 0, false
	for _, r := range s {
		w := unicode.IsLetter(r) || unicode.IsDigit(r)
		if w && !in {
			n++
		}
		in = w
	}
	return n
}

// idName reports column names that usually hold row identifiers.
func idName(name string) bool {
	l := strings.ToLower(strings.TrimSpace(name))
	switch l {
	case "id", "index", "idx", "key", "uuid", "guid", "rowid", "row_id", "row", "unnamed: 0":
		return true
	}
	return strings.HasSuffix(l, "_id") || strings.HasSuffix(l, " id") ||
		strings.HasSuffix(name, "Id") || strings.HasSuffix(name, "ID") || strings.HasPrefix(l, "unnamed")
}

// fitNumeric learns a numeric column: drops it if all missing, constant or
// (unless forced) identifier-like; else learns median, mean and scale.
func (fc *fitCtx) fitNumeric(c *column, a arrow.Array, forced bool) (*column, error) {
	c.Kind = KindNumeric
	vals, err := readNumbers(a, c)
	if err != nil {
		return nil, err
	}
	finite := make([]float64, 0, len(fc.used))
	for _, i := range fc.used {
		if !math.IsNaN(vals[i]) {
			finite = append(finite, vals[i])
		}
	}
	if len(finite) == 0 {
		return drop(c, "all missing"), nil
	}
	lo, hi, integers := finite[0], finite[0], true
	for _, v := range finite {
		lo, hi = min(lo, v), max(hi, v)
		integers = integers && v == math.Trunc(v)
	}
	missing := len(finite) < len(fc.used)
	if lo == hi && !missing {
		return drop(c, "constant"), nil
	}
	// Only integer columns can look like identifiers, and only they need
	// sorting; the median of the others is selected in linear time (a
	// sort of 10 million values takes a second a column).
	if !forced && integers && len(finite) >= minRowsForID {
		slices.Sort(finite)
		if numericID(c.Name, finite) {
			return drop(c, "identifier-like (unique integers)"), nil
		}
	}
	med, mean, scale := stats(finite, len(fc.used))
	c.Median, c.Mean, c.Scale, c.Missing = fvec{med}, fvec{mean}, fvec{scale}, missing
	return c, nil
}

// numericID reports sorted values that look like row identifiers: integers,
// at least minRowsForID, and either near-unique under an id-like name or
// all distinct and nearly consecutive.
func numericID(name string, sorted []float64) bool {
	n := len(sorted)
	if n < minRowsForID {
		return false
	}
	nd := 0
	for k, v := range sorted {
		if v != math.Trunc(v) {
			return false
		}
		if k == 0 || v != sorted[k-1] {
			nd++
		}
	}
	if idName(name) && float64(nd) >= idShare*float64(n) {
		return true
	}
	return nd == n && sorted[n-1]-sorted[0]+1 <= 1.5*float64(n)
}

// stats returns the median of the finite values (which it reorders) and
// the mean and standard deviation (population) of the used rows after
// imputing the median into the rows-len(finite) missing ones. A zero or
// non-finite deviation becomes 1.
func stats(finite []float64, rows int) (median, mean, scale float64) {
	n := len(finite)
	if n == 0 {
		return 0, 0, 1
	}
	median = medianOf(finite)
	miss := float64(rows - n)
	s := miss * median
	for _, v := range finite {
		s += v
	}
	mean = s / float64(rows)
	if math.IsInf(mean, 0) { // the sum overflowed: divide first
		mean = miss * median / float64(rows)
		for _, v := range finite {
			mean += v / float64(rows)
		}
	}
	d := median - mean
	ss := miss * d * d
	for _, v := range finite {
		d := v - mean
		ss += d * d
	}
	scale = math.Sqrt(ss / float64(rows))
	if scale == 0 || math.IsNaN(scale) || math.IsInf(scale, 0) {
		scale = 1
	}
	return median, mean, scale
}

// medianOf returns the median of x (no NaN): its middle value, or the
// mean of the two middle ones. It reorders x, selecting in linear expected
// time rather than sorting.
func medianOf(x []float64) float64 {
	n := len(x)
	hi := selectK(x, n/2)
	if n%2 == 1 {
		return hi
	}
	return (slices.Max(x[:n/2]) + hi) / 2
}

// selectK reorders x (no NaN) so that x[k] is its k-th smallest value
// (from 0), with no greater value before it and no smaller one after, and
// returns x[k]. Quickselect with a median-of-three pivot; a range that
// does not shrink fast enough (adversarial order) is sorted instead.
func selectK(x []float64, k int) float64 {
	lo, hi := 0, len(x)-1
	for budget := 2 * bits.Len(uint(len(x))); hi > lo; budget-- {
		if budget == 0 || hi-lo < 16 {
			slices.Sort(x[lo : hi+1])
			break
		}
		mid := lo + (hi-lo)/2
		a, b, c := x[lo], x[mid], x[hi]
		pivot := max(min(a, b), min(max(a, b), c))
		// Three-way partition: [lo, lt) < pivot, [lt, gt] == pivot,
		// (gt, hi] > pivot.
		lt, i, gt := lo, lo, hi
		for i <= gt {
			switch v := x[i]; {
			case v < pivot:
				x[lt], x[i] = v, x[lt]
				lt++
				i++
			case v > pivot:
				x[gt], x[i] = v, x[gt]
				gt--
			default:
				i++
			}
		}
		switch {
		case k < lt:
			hi = lt - 1
		case k > gt:
			lo = gt + 1
		default:
			return x[k]
		}
	}
	return x[k]
}

// fitRaw learns the imputation and scaling of every raw output of c
// (datetime parts, text counts) on the used rows.
func (fc *fitCtx) fitRaw(c *column, raw [][]float64) {
	c.Median = make(fvec, len(raw))
	c.Mean = make(fvec, len(raw))
	c.Scale = make(fvec, len(raw))
	buf := make([]float64, 0, len(fc.used))
	for j, col := range raw {
		buf = buf[:0]
		for _, i := range fc.used {
			if !math.IsNaN(col[i]) {
				buf = append(buf, col[i])
			}
		}
		c.Median[j], c.Mean[j], c.Scale[j] = stats(buf, len(fc.used))
	}
}

// fitDatetime learns a datetime column: which parts vary, and their
// imputation and scaling.
func (fc *fitCtx) fitDatetime(c *column, a arrow.Array) (*column, error) {
	c.Kind = KindDatetime
	t := a.DataType()
	switch {
	case isTimeType(t) || t.ID() == arrow.NULL:
		c.Layout, c.Coerce = "", false
	case isNumberType(t):
		c.Layout = layoutUnix
	case c.Layout == "":
		vals, valid := dataset.Strings(a)
		var sample []string
		for _, i := range fc.used {
			if valid[i] && vals[i] != "" && len(sample) < sniffValues {
				sample = append(sample, vals[i])
			}
		}
		c.Layout = bestLayout(sample)
		if c.Layout == "" {
			c.Layout = layoutUnix // numbers, if any
		}
	}
	secs, err := readSeconds(a, c)
	if err != nil {
		return nil, err
	}
	lo, hi, missing, any := math.Inf(1), math.Inf(-1), false, false
	for _, i := range fc.used {
		v := secs[i]
		if math.IsNaN(v) {
			missing = true
			continue
		}
		any = true
		lo, hi = min(lo, v), max(hi, v)
	}
	if !any {
		return drop(c, "all missing"), nil
	}
	if lo == hi && !missing {
		return drop(c, "constant"), nil
	}
	c.Missing = missing
	all := allParts()
	c.Parts = all
	raw := c.rawDatetime(secs)
	c.Parts = nil
	for p, col := range raw {
		if all[p] == partUnix || varies(col, fc.used) {
			c.Parts = append(c.Parts, all[p])
		}
	}
	fc.fitRaw(c, c.rawDatetime(secs))
	return c, nil
}

// varies reports whether col takes two different non-NaN values on rows.
func varies(col []float64, rows []int) bool {
	first := math.NaN()
	for _, i := range rows {
		v := col[i]
		if math.IsNaN(v) {
			continue
		}
		if math.IsNaN(first) {
			first = v
		} else if v != first {
			return true
		}
	}
	return false
}

// fitText learns a text column: hashed token counts, length and word count.
func (fc *fitCtx) fitText(c *column, a arrow.Array) (*column, error) {
	c.Kind = KindText
	c.Buckets = fc.p.st.Options.TextHashBuckets
	vals, valid := dataset.Strings(a)
	any := false
	for _, i := range fc.used {
		if valid[i] && vals[i] != "" {
			any = true
			break
		}
	}
	if !any {
		return drop(c, "all missing"), nil
	}
	fc.fitRaw(c, c.rawText(vals, valid))
	return c, nil
}

// fitCategorical learns a categorical column: kept levels, counts, and the
// target encoding when a view needs it.
func (fc *fitCtx) fitCategorical(c *column, a arrow.Array) (*column, error) {
	c.Kind = KindCategorical
	o := fc.p.st.Options
	vals, valid := dataset.Strings(a)
	counts := map[string]int{}
	nulls := 0
	for _, i := range fc.used {
		if !valid[i] || vals[i] == "" {
			nulls++
			continue
		}
		counts[vals[i]]++
	}
	if len(counts) == 0 {
		return drop(c, "all missing"), nil
	}
	if len(counts) == 1 && nulls == 0 {
		return drop(c, "constant"), nil
	}
	type lv struct {
		s string
		n int
	}
	lvs := make([]lv, 0, len(counts))
	for s, n := range counts {
		if n >= o.MinCategoryCount {
			lvs = append(lvs, lv{s, n})
		}
	}
	slices.SortFunc(lvs, func(a, b lv) int {
		if a.n != b.n {
			return cmp.Compare(b.n, a.n)
		}
		return strings.Compare(a.s, b.s)
	})
	if len(lvs) > o.MaxCategories {
		lvs = lvs[:o.MaxCategories]
	}
	c.Levels = make([]string, len(lvs))
	for k, l := range lvs {
		c.Levels[k] = l.s
	}
	slices.Sort(c.Levels)
	c.index = make(map[string]int, len(c.Levels))
	for k, l := range c.Levels {
		c.index[l] = k
	}
	L := len(c.Levels)
	bucket := c.buckets(vals, valid)
	c.Counts = make([]int, L+2)
	for _, i := range fc.used {
		c.Counts[bucket[i]]++
	}
	c.HasOther = c.Counts[L] > 0
	nonEmpty := 0
	for _, n := range c.Counts {
		if n > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < 2 {
		return drop(c, fmt.Sprintf("constant after merging levels seen fewer than %d times", o.MinCategoryCount)), nil
	}
	c.OneHot = L <= o.MaxOneHot
	c.Codes = L+1 <= maxCodes
	if !c.OneHot || !c.Codes {
		fc.fitTargetEncoding(c, bucket)
	}
	return c, nil
}

// fitTargetEncoding learns the full-data and per-fold target sums of a
// categorical column, its full-data encoding, and the Dense scaling of its
// [frequency, encodings...] outputs measured on the out-of-fold values of
// the training rows.
//
// Out-of-fold sums add the other folds' sums (never subtract a fold from a
// total) so that a row's own target cannot leak even through rounding.
func (fc *fitCtx) fitTargetEncoding(c *column, bucket []int) {
	nte, nb := fc.nte, len(c.Levels)+2
	sum := make([][]float64, numFolds)
	cnt := make([][]float64, numFolds)
	for k := range numFolds {
		sum[k] = make([]float64, nb*nte)
		cnt[k] = make([]float64, nb)
	}
	ts := fc.p.train
	for _, i := range fc.used {
		b, k := bucket[i], ts.fold[i]
		cnt[k][b]++
		for t := 0; t < nte; t++ {
			sum[k][b*nte+t] += fc.tv[i*nte+t]
		}
	}
	tf := &teFolds{enc: outOfFold(cnt, sum, ts.prior, nb, nte), bucket: make([]int32, len(bucket))}
	for i, b := range bucket {
		tf.bucket[i] = int32(b)
	}
	all := pooled(cnt, sum, fc.p.st.Prior, nb, nte)
	c.TE = make([]fvec, nb)
	for b := range nb {
		c.TE[b] = fvec(all[b*nte : (b+1)*nte : (b+1)*nte])
	}
	ts.te[c] = tf
	// Dense scaling of [freq, te...] over the used rows, out of fold.
	raw := make([][]float64, 1+nte)
	for j := range raw {
		raw[j] = make([]float64, len(bucket))
	}
	for _, i := range fc.used {
		b := bucket[i]
		raw[0][i] = c.freq(b, fc.p.st.Used)
		for t := 0; t < nte; t++ {
			raw[1+t][i] = tf.enc[ts.fold[i]][b*nte+t]
		}
	}
	fc.fitRaw(c, raw)
	c.Median = nil
}

// priors returns the mean target-encoding values of the counted rows,
// from per-fold row counts foldN[k] and sums foldS[k][t]: over every fold
// (fallback when no row was counted), and outside each fold, summing the
// other folds rather than subtracting one, so that no row's target enters
// its own fold's prior even through rounding (the overall mean when
// nothing is outside).
func priors(foldN []float64, foldS [][]float64, fallback []float64) (all []float64, out [][]float64) {
	nte := len(fallback)
	all = make([]float64, nte)
	n := 0.0
	for k := range foldN {
		n += foldN[k]
	}
	for t := range nte {
		s := 0.0
		for k := range foldS {
			s += foldS[k][t]
		}
		all[t] = fallback[t]
		if n > 0 {
			all[t] = s / n
		}
	}
	out = make([][]float64, len(foldN))
	for k := range foldN {
		out[k] = make([]float64, nte)
		s, m := make([]float64, nte), 0.0
		for k2 := range foldN {
			if k2 == k {
				continue
			}
			m += foldN[k2]
			for t := range nte {
				s[t] += foldS[k2][t]
			}
		}
		for t := range nte {
			out[k][t] = all[t]
			if m > 0 {
				out[k][t] = s[t] / m
			}
		}
	}
	return all, out
}

// smoothed is the smoothed mean (sum + m·prior) / (count + m).
func smoothed(sum, count, prior float64) float64 {
	return (sum + smoothing*prior) / (count + smoothing)
}

// outOfFold returns, per fold k, the encoding of every bucket learned
// outside fold k, enc[k][b*nte+t], from per-fold counts cnt[k][b], sums
// sum[k][b*nte+t] and the priors outside each fold. It adds the other
// folds' sums rather than subtracting fold k's from a total, so that a
// row's own target cannot leak even through rounding.
func outOfFold(cnt, sum, prior [][]float64, nb, nte int) [][]float64 {
	enc := make([][]float64, len(cnt))
	for k := range cnt {
		enc[k] = make([]float64, nb*nte)
		for b := range nb {
			n := 0.0
			for k2 := range cnt {
				if k2 != k {
					n += cnt[k2][b]
				}
			}
			for t := range nte {
				s := 0.0
				for k2 := range cnt {
					if k2 != k {
						s += sum[k2][b*nte+t]
					}
				}
				enc[k][b*nte+t] = smoothed(s, n, prior[k][t])
			}
		}
	}
	return enc
}

// pooled returns the encoding of every bucket learned on all folds,
// [b*nte+t], with the given prior.
func pooled(cnt, sum [][]float64, prior []float64, nb, nte int) []float64 {
	enc := make([]float64, nb*nte)
	for b := range nb {
		n := 0.0
		for k := range cnt {
			n += cnt[k][b]
		}
		for t := range nte {
			s := 0.0
			for k := range cnt {
				s += sum[k][b*nte+t]
			}
			enc[b*nte+t] = smoothed(s, n, prior[t])
		}
	}
	return enc
}
