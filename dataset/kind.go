package dataset

import (
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Kind is the role a column plays for learning, decided by InferKind from
// its Arrow type, its values and its name.
type Kind string

// Column kinds.
const (
	KindNumeric     Kind = "numeric"     // floating point measurements
	KindInteger     Kind = "integer"     // integer counts or codes
	KindBoolean     Kind = "boolean"     // true/false
	KindCategorical Kind = "categorical" // strings with repeated values
	KindDatetime    Kind = "datetime"    // timestamps and dates
	KindText        Kind = "text"        // free text: near-unique, long or with spaces
	KindIdentifier  Kind = "identifier"  // row keys: carry no signal, drop them
	KindConstant    Kind = "constant"    // at most one distinct non-null value
)

// Thresholds used by InferKind.
const (
	// kindMinUnique is the least number of distinct values before a column
	// may be called text or identifier because its values are (nearly)
	// unique; smaller columns are too small to tell.
	kindMinUnique = 20
	// lowCardinality is the most distinct values of a numeric or integer
	// column flagged ColumnProfile.LowCardinality.
	lowCardinality = 20
)

// InferKind returns the kind of column a named name. The rules, first
// match wins (ratios are over non-null values; NaN counts as null):
//
//   - no non-null value, or a single distinct one: KindConstant;
//   - boolean type: KindBoolean;
//   - timestamp, date or time type: KindDatetime;
//   - floating point type: KindNumeric;
//   - integer type: KindIdentifier if the name looks like an id ("id",
//     "*_id", "userId", "index", "uuid", "key", "Unnamed: 0", ...) and at
//     least 95% of values are distinct, or if the values are unique, at
//     least 20, and step by exactly +1 in row order (a row number);
//     otherwise KindInteger (however few its values; Analyze notes
//     ColumnProfile.LowCardinality when it has at most 20);
//   - string and other types: KindIdentifier if the name looks like an id
//     and at least 95% of values are distinct; KindText if the mean length
//     is at least 50 bytes, or if at least half the values are distinct,
//     there are more than 20 of them, and the mean length is at least 20
//     bytes or at least half the values contain a space; KindIdentifier if
//     at least 95% are distinct and more than 20; else KindCategorical.
//
// a is borrowed. InferKind does not panic on any array.
func InferKind(name string, a arrow.Array) Kind {
	if a == nil {
		return KindConstant
	}
	s := summarize(name, a)
	return s.kind()
}

// looksLikeID reports whether a column name reads like a key.
func looksLikeID(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	switch n {
	case "id", "index", "idx", "uuid", "guid", "key", "rowid", "row_id", "row", "row_number", "rownum", "pk":
		return true
	}
	if strings.HasPrefix(n, "unnamed") {
		return true
	}
	for _, suf := range []string{"_id", "-id", " id", ".id", "_key", "_uuid", "_index"} {
		if strings.HasSuffix(n, suf) {
			return true
		}
	}
	// camelCase "userId" / "userID".
	r := []rune(strings.TrimSpace(name))
	if k := len(r); k >= 3 && r[k-2] == 'I' && (r[k-1] == 'd' || r[k-1] == 'D') && unicode.IsLower(r[k-3]) {
		return true
	}
	return false
}

// typeClass groups Arrow types by how they are profiled.
type typeClass int

const (
	classString typeClass = iota
	classFloat
	classInt
	classBool
	classTime
)

func classOf(dt arrow.DataType) typeClass {
	switch dt.ID() {
	case arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64:
		return classFloat
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return classInt
	case arrow.BOOL:
		return classBool
	case arrow.TIMESTAMP, arrow.DATE32, arrow.DATE64, arrow.TIME32, arrow.TIME64:
		return classTime
	}
	return classString
}

// mapDistinctCap is the most distinct values a numeric column is coded
// with a Go map; past it, summarize codes the column by buckets instead
// (codeByBuckets): a map of millions of floats falls out of the cache and
// made Analyze superlinear. A variable so tests can force the buckets.
var mapDistinctCap = 1 << 14

// mapEarlyCap: a long column whose first 2*mapEarlyCap rows hold
// mapEarlyCap distinct values is coded by buckets at once, not after
// filling the map to mapDistinctCap.
const mapEarlyCap = 1 << 10

// summary is what one pass over a column learns: dense value codes and the
// facts InferKind and Analyze need.
//
// A column has one code per distinct non-null value. Strings and numeric
// columns with at most mapDistinctCap distinct values are coded by a map,
// in order of first appearance, with per-row codes. Numeric columns with
// more are coded by buckets (bucketed is set; see codeByBuckets), in
// another order, and their per-row codes are made only when asked for
// (rowCodes). Nothing depends on the numbering: the top values order ties
// by first row, not by code, and classes by value.
type summary struct {
	name     string
	arr      arrow.Array
	class    typeClass
	n        int
	missing  int
	codes    []int32   // per row; -1 for null; nil until rowCodes when bucketed
	counts   []int     // per code
	first    []int     // per code, the first row holding it
	floats   []float64 // per row for numeric classes (NaN null), else nil; read only
	avgLen   float64   // strings: mean byte length of non-null values
	spaces   float64   // strings: share of non-null values with a space
	rowStep1 bool      // ints: unique and stepping by +1 in row order
	sc       *scratch  // the buffers the summary uses, or nil
	// Coding by buckets: the non-null values' keys (floatKey) and rows,
	// bucket by bucket, each bucket in row order.
	bucketed bool
	keys     []uint64
	rows     []uint32
	bounds   []int // bucket b holds keys[bounds[b]:bounds[b+1]]
}

func (s *summary) distinct() int { return len(s.counts) }

func (s *summary) nonNull() int { return s.n - s.missing }

// label formats code c as Strings would.
func (s *summary) label(c int32) string {
	return formatValue(s.arr, s.first[c])
}

// rowCodes returns the code of every row (-1 for null), making them from
// the buckets the first time a bucketed summary is asked.
func (s *summary) rowCodes() []int32 {
	if s.codes != nil || !s.bucketed {
		return s.codes
	}
	var codes []int32
	if s.sc != nil {
		codes = buffer(s.sc, &s.sc.codes, s.n) // the map's, unused when bucketed
	} else {
		codes = make([]int32, s.n)
	}
	for i := range codes {
		codes[i] = -1
	}
	s.group(codes)
	s.codes = codes
	return codes
}

// markMissing sets miss[i] for every row i whose value is null.
func (s *summary) markMissing(miss []bool) {
	if s.codes == nil && s.bucketed {
		for i, v := range s.floats {
			if math.IsNaN(v) {
				miss[i] = true
			}
		}
		return
	}
	for i, c := range s.codes {
		if c < 0 {
			miss[i] = true
		}
	}
}

// scratch holds the big per-column buffers of summarize for reuse by the
// next column. A summary made with a scratch is valid until the next
// summarize with the same scratch.
type scratch struct {
	codes         []int32
	keys          []uint64
	rows          []uint32
	counts, first []int
}

// buffer returns (*b)[:n], reallocating *b when it is too small; with sc
// nil it returns a new slice.
func buffer[T any](sc *scratch, b *[]T, n int) []T {
	if sc == nil {
		return make([]T, n)
	}
	if cap(*b) < n {
		*b = make([]T, n)
	}
	return (*b)[:n]
}

// summarize codes column a (borrowed).
func summarize(name string, a arrow.Array) *summary { return summarizeWith(name, a, nil) }

// summarizeWith codes column a (borrowed) with the buffers of sc (nil
// for new ones).
func summarizeWith(name string, a arrow.Array, sc *scratch) *summary {
	n := a.Len()
	s := &summary{name: name, arr: a, class: classOf(a.DataType()), n: n, sc: sc}
	if s.class != classString {
		fl, err := floats(a)
		if err == nil {
			s.floats = fl
			if !s.codeByMap(fl) {
				s.codeByBuckets(fl)
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
	s.codes = make([]int32, n)
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
			s.counts = append(s.counts, 0)
			s.first = append(s.first, i)
		}
		s.codes[i] = c
		s.counts[c]++
	}
	if nn := s.nonNull(); nn > 0 {
		s.avgLen = float64(totalLen) / float64(nn)
		s.spaces = float64(withSpace) / float64(nn)
	}
	return s
}

// floats returns Floats(a), but a float64 column without nulls as its own
// values (borrowed, not to be written) rather than a copy.
func floats(a arrow.Array) ([]float64, error) {
	c, ok := a.(*array.Float64)
	if !ok {
		return Floats(a)
	}
	vals := c.Float64Values()
	if c.NullN() == 0 {
		return vals, nil
	}
	out := slices.Clone(vals)
	for i := range out {
		if c.IsNull(i) {
			out[i] = math.NaN()
		}
	}
	return out, nil
}

// codeByMap codes numeric values fl (NaN null) with a map, in order of
// first appearance. It gives up, leaving s as it found it, and reports
// false when a value past the first mapDistinctCap distinct ones turns
// up, or, in a column longer than that, when the first 2*mapEarlyCap rows
// hold more than mapEarlyCap distinct values.
func (s *summary) codeByMap(fl []float64) bool {
	var codes []int32
	if s.sc != nil {
		codes = buffer(s.sc, &s.sc.codes, len(fl))
	} else {
		codes = make([]int32, len(fl))
	}
	idx := make(map[float64]int32, min(len(fl), 1024))
	missing := 0
	for i, v := range fl {
		if math.IsNaN(v) {
			codes[i] = -1
			missing++
			continue
		}
		c, ok := idx[v]
		if !ok {
			d := len(s.counts)
			if (d == mapDistinctCap || d == mapEarlyCap && i < 2*mapEarlyCap && len(fl) > mapDistinctCap) && len(fl) <= math.MaxUint32 {
				s.counts, s.first = nil, nil
				return false
			}
			c = int32(len(s.counts))
			idx[v] = c
			s.counts = append(s.counts, 0)
			s.first = append(s.first, i)
		}
		codes[i] = c
		s.counts[c]++
	}
	s.codes, s.missing = codes, missing
	return true
}

// codeByBuckets codes numeric values fl (NaN null) without a map of every
// value: it partitions the values by a hash of their bits into buckets
// small enough for the cache, stably (each bucket holds its rows in row
// order), then codes each bucket with a small open-addressing table.
// Values equal as float64 (so -0 and +0) share a code, and each code's
// first row is the first row holding it, as the map coding has them;
// codes are numbered bucket by bucket.
func (s *summary) codeByBuckets(fl []float64) {
	n := len(fl)
	bbits := bucketBits(n)
	bounds := make([]int, 1<<bbits+1)
	for _, v := range fl {
		if !math.IsNaN(v) {
			bounds[bucketOf(floatKey(v), bbits)+1]++
		}
	}
	for b := 1; b < len(bounds); b++ {
		bounds[b] += bounds[b-1]
	}
	m := bounds[len(bounds)-1]
	s.missing = n - m
	var keys []uint64
	var rows []uint32
	if sc := s.sc; sc != nil {
		keys, rows = buffer(sc, &sc.keys, m), buffer(sc, &sc.rows, m)
		s.counts, s.first = buffer(sc, &sc.counts, m)[:0], buffer(sc, &sc.first, m)[:0]
	} else {
		keys, rows = make([]uint64, m), make([]uint32, m)
		s.counts, s.first = make([]int, 0, m), make([]int, 0, m)
	}
	pos := slices.Clone(bounds[:len(bounds)-1])
	for i, v := range fl {
		if math.IsNaN(v) {
			continue
		}
		k := floatKey(v)
		b := bucketOf(k, bbits)
		keys[pos[b]], rows[pos[b]] = k, uint32(i)
		pos[b]++
	}
	s.bucketed, s.keys, s.rows, s.bounds = true, keys, rows, bounds
	s.group(nil)
}

// group codes a bucketed summary's buckets in order: it appends each new
// value's count and first row to counts and first, or, when codes is not
// nil, sets codes[row] instead (the same codes, made again).
func (s *summary) group(codes []int32) {
	var t groupTable
	next := int32(0)
	for b := 0; b+1 < len(s.bounds); b++ {
		keys, rows := s.keys[s.bounds[b]:s.bounds[b+1]], s.rows[s.bounds[b]:s.bounds[b+1]]
		t.reset(len(keys))
		for j, k := range keys {
			c, fresh := t.find(k, next)
			switch {
			case codes != nil:
				codes[rows[j]] = c
				if fresh {
					next++
				}
			case fresh:
				next++
				s.counts = append(s.counts, 1)
				s.first = append(s.first, int(rows[j]))
			default:
				s.counts[c]++
			}
		}
	}
}

// bucketBits returns log2 of the number of buckets for n values: about
// 8192 values a bucket, so that its table stays in the cache, and at most
// 256 buckets, few enough write streams for the partition.
func bucketBits(n int) uint {
	b := uint(0)
	for b < 8 && n>>b > 1<<13 {
		b++
	}
	return b
}

// bucketOf returns the bucket, of 1<<bbits, of key k.
func bucketOf(k uint64, bbits uint) uint64 {
	if bbits == 0 {
		return 0
	}
	return (k * 0x9e3779b97f4a7c15) >> (64 - bbits)
}

// groupTable maps keys (never 0) to codes by linear probing.
type groupTable struct {
	slots []groupSlot
	shift uint
}

type groupSlot struct {
	key  uint64
	code int32
}

// reset empties t for up to n keys.
func (t *groupTable) reset(n int) {
	size, shift := 16, uint(60)
	for size < 2*n {
		size, shift = 2*size, shift-1
	}
	if cap(t.slots) < size {
		t.slots = make([]groupSlot, size)
	}
	t.slots, t.shift = t.slots[:size], shift
	clear(t.slots)
}

// find returns the code of k, storing next for it if it is new (fresh).
func (t *groupTable) find(k uint64, next int32) (code int32, fresh bool) {
	mask := uint64(len(t.slots) - 1)
	for i := (k * 0xff51afd7ed558ccd) >> t.shift; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		switch sl.key {
		case k:
			return sl.code, false
		case 0:
			sl.key, sl.code = k, next
			return next, true
		}
	}
}

// floatKey maps a non-NaN float to a uint64 that sorts in the float's
// order, with -0 and +0 the same key. No float maps to 0.
func floatKey(v float64) uint64 {
	if v == 0 {
		return 1 << 63
	}
	b := math.Float64bits(v)
	if b>>63 != 0 {
		return ^b
	}
	return b | 1<<63
}

// kind applies the InferKind rules to a summary.
func (s *summary) kind() Kind {
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
