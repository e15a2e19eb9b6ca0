package preprocess

import (
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/automl-agent/automl/dataset"
)

// Features is a numeric feature matrix for models, column-major.
type Features struct {
	// X holds the features: X[j][i] is feature j of row i. Each column is
	// a new slice owned by the caller. NaN marks a missing value (Native
	// view only; the Dense view has none).
	X [][]float64
	// Names names each feature: "col" for a number or category codes,
	// "col:missing" for a missing indicator, "col=level" for a one-hot
	// column ("col=<other>" for merged and unseen levels), "col:freq" and
	// "col:te" (or "col:te<k>" per class k) for frequency and target
	// encodings, "col:year" ... "col:unix" for datetime parts,
	// "col:tok<b>", "col:len", "col:words" for text.
	Names []string
	// Categories gives per feature 0 for a numeric feature or the number
	// of categories c of a code column (values 0..c-1, NaN missing), as in
	// models.Data.Categories. Only the Native view has code columns.
	Categories []int
	// Rows is the number of rows, also when there are no features.
	Rows int
}

// Transform turns frame f (borrowed for the call) into features with the
// statistics learned by Fit: full-data target encodings, so use it for rows
// that were not training rows (validation, test, prediction).
//
// Columns are found by name; order and extra columns do not matter, the
// target may be absent. A column the pipeline needs that is missing is an
// error wrapping ErrMissingColumn; one whose type cannot be read as learned
// is an error wrapping ErrColumnType (strings are parsed where numbers or
// dates were learned: see the package documentation). Categories not seen
// in training map to the "other" level.
func (p *Pipeline) Transform(f *dataset.Frame, v View) (*Features, error) {
	return p.transform(f, v, nil)
}

// TransformTrain turns the training frame (the one given to Fit, borrowed
// for the call) into features like Transform, except that every target
// encoding of a row that had a target is computed out of fold: from the
// other 4 of 5 folds, so no row sees its own target. Rows whose target was
// NaN at Fit get the full-data encoding, as in Transform.
//
// It is only available on the Pipeline returned by Fit (not after
// UnmarshalBinary) and f must have as many rows as the training frame;
// otherwise it returns an error wrapping ErrNotTraining.
func (p *Pipeline) TransformTrain(f *dataset.Frame, v View) (*Features, error) {
	if p.train == nil {
		return nil, fmt.Errorf("%w: TransformTrain needs the pipeline returned by Fit", ErrNotTraining)
	}
	if f != nil && f.NumRows() != p.train.rows {
		return nil, fmt.Errorf("%w: frame has %d rows, the training frame had %d", ErrNotTraining, f.NumRows(), p.train.rows)
	}
	return p.transform(f, v, p.train)
}

func (p *Pipeline) transform(f *dataset.Frame, v View, ts *trainState) (*Features, error) {
	if f == nil {
		return nil, fmt.Errorf("%w: nil frame", ErrInvalid)
	}
	if v != Native && v != Dense {
		return nil, fmt.Errorf("%w: unknown view %d", ErrInvalid, int(v))
	}
	out := &Features{Rows: f.NumRows()}
	for _, c := range p.st.Columns {
		if c.Kind == KindDrop {
			continue
		}
		j := f.ColumnIndex(c.Name)
		if j < 0 {
			return nil, fmt.Errorf("%w: %q", ErrMissingColumn, c.Name)
		}
		if err := p.emit(out, c, f.Column(j), v, ts); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// add appends one output column.
func (fs *Features) add(name string, cats int, x []float64) {
	fs.X = append(fs.X, x)
	fs.Names = append(fs.Names, name)
	fs.Categories = append(fs.Categories, cats)
}

// emit appends the outputs of column c read from a.
func (p *Pipeline) emit(out *Features, c *column, a arrow.Array, v View, ts *trainState) error {
	switch c.Kind {
	case KindNumeric:
		x, err := readNumbers(a, c)
		if err != nil {
			return err
		}
		emitRaw(out, c, [][]float64{x}, []string{c.Name}, v)
	case KindDatetime:
		secs, err := readSeconds(a, c)
		if err != nil {
			return err
		}
		names := make([]string, len(c.Parts))
		for k, pt := range c.Parts {
			names[k] = c.Name + ":" + pt
		}
		emitRaw(out, c, c.rawDatetime(secs), names, v)
	case KindText:
		vals, valid := dataset.Strings(a)
		names := make([]string, c.Buckets+2)
		w := len(strconv.Itoa(c.Buckets - 1))
		for b := 0; b < c.Buckets; b++ {
			names[b] = fmt.Sprintf("%s:tok%0*d", c.Name, w, b)
		}
		names[c.Buckets], names[c.Buckets+1] = c.Name+":len", c.Name+":words"
		emitRaw(out, c, c.rawText(vals, valid), names, v)
	case KindCategorical:
		p.emitCategorical(out, c, c.bucketsOf(a), v, ts)
	}
	return nil
}

// emitRaw appends raw outputs: as they are in the Native view; imputed
// with the median, standardized, and followed by a missing indicator (if
// training had missing values) in the Dense view. raw is reused.
func emitRaw(out *Features, c *column, raw [][]float64, names []string, v View) {
	if v == Native {
		for j, x := range raw {
			out.add(names[j], 0, x)
		}
		return
	}
	var ind []float64
	if c.Missing && len(raw) > 0 {
		ind = make([]float64, len(raw[0]))
		for i, x := range raw[0] {
			if math.IsNaN(x) {
				ind[i] = 1
			}
		}
	}
	for j, x := range raw {
		med, mean, scale := c.Median[j], c.Mean[j], c.Scale[j]
		for i, xi := range x {
			if math.IsNaN(xi) {
				xi = med
			}
			x[i] = (xi - mean) / scale
		}
		out.add(names[j], 0, x)
	}
	if ind != nil {
		out.add(c.Name+":missing", 0, ind)
	}
}

// buckets maps each row to its level code, L for "other", L+1 for missing
// (null or empty).
func (c *column) buckets(vals []string, valid []bool) []int {
	L := len(c.Levels)
	out := make([]int, len(vals))
	for i, s := range vals {
		switch code, ok := c.index[s]; {
		case !valid[i] || s == "":
			out[i] = L + 1
		case ok:
			out[i] = code
		default:
			out[i] = L
		}
	}
	return out
}

// bucketsOf maps each row of a to its bucket as buckets does, reading
// string and dictionary arrays without formatting every value.
func (c *column) bucketsOf(a arrow.Array) []int {
	L := len(c.Levels)
	get := func(s string) int {
		if s == "" {
			return L + 1
		}
		if code, ok := c.index[s]; ok {
			return code
		}
		return L
	}
	out := make([]int, a.Len())
	switch arr := a.(type) {
	case *array.String:
		for i := range out {
			if arr.IsNull(i) {
				out[i] = L + 1
			} else {
				out[i] = get(arr.Value(i))
			}
		}
	case *array.LargeString:
		for i := range out {
			if arr.IsNull(i) {
				out[i] = L + 1
			} else {
				out[i] = get(arr.Value(i))
			}
		}
	case *array.Dictionary:
		dict := c.bucketsOf(arr.Dictionary())
		for i := range out {
			if arr.IsNull(i) {
				out[i] = L + 1
			} else if k := arr.GetValueIndex(i); k >= 0 && k < len(dict) {
				out[i] = dict[k]
			} else {
				out[i] = L + 1
			}
		}
	default:
		vals, valid := dataset.Strings(a)
		return c.buckets(vals, valid)
	}
	return out
}

// freq is the training share of bucket b.
func (c *column) freq(b, used int) float64 {
	return float64(c.Counts[b]) / float64(used)
}

// emitCategorical appends the outputs of a categorical column.
func (p *Pipeline) emitCategorical(out *Features, c *column, bucket []int, v View, ts *trainState) {
	L, n := len(c.Levels), len(bucket)
	switch {
	case v == Native && c.Codes:
		x := make([]float64, n)
		for i, b := range bucket {
			if b == L+1 {
				x[i] = math.NaN()
			} else {
				x[i] = float64(b)
			}
		}
		out.add(c.Name, L+1, x)
		return
	case v == Dense && c.OneHot:
		cols := L
		if c.HasOther {
			cols++
		}
		xs := make([][]float64, cols)
		for k := range xs {
			xs[k] = make([]float64, n)
		}
		for i, b := range bucket {
			if b < cols {
				xs[b][i] = 1
			}
		}
		for k, l := range c.Levels {
			out.add(c.Name+"="+l, 0, xs[k])
		}
		if c.HasOther {
			out.add(c.Name+"=<other>", 0, xs[L])
		}
		return
	}
	// Frequency and target encodings.
	nte := p.nte()
	var tf *teFolds
	if ts != nil {
		tf = ts.te[c]
	}
	xs := make([][]float64, 1+nte)
	for k := range xs {
		xs[k] = make([]float64, n)
	}
	for i, b := range bucket {
		if v == Native && b == L+1 {
			for k := range xs {
				xs[k][i] = math.NaN()
			}
			continue
		}
		xs[0][i] = c.freq(b, p.st.Used)
		if tf != nil && ts.fold[i] >= 0 {
			enc := tf.enc[ts.fold[i]]
			for t := 0; t < nte; t++ {
				xs[1+t][i] = enc[b*nte+t]
			}
		} else {
			for t := 0; t < nte; t++ {
				xs[1+t][i] = c.TE[b][t]
			}
		}
	}
	names := append([]string{c.Name + ":freq"}, p.encodingNames(c)...)
	if v == Dense {
		for k, x := range xs {
			mean, scale := c.Mean[k], c.Scale[k]
			for i := range x {
				x[i] = (x[i] - mean) / scale
			}
		}
	}
	for k, x := range xs {
		out.add(names[k], 0, x)
	}
}

// Datetime parts, in output order.
const (
	partYear    = "year"
	partMonth   = "month"
	partDay     = "day"
	partWeekday = "weekday"
	partHour    = "hour"
	partUnix    = "unix"
)

func allParts() []string {
	return []string{partYear, partMonth, partDay, partWeekday, partHour, partUnix}
}

// rawDatetime expands seconds since the epoch into c.Parts (UTC), NaN for
// missing.
func (c *column) rawDatetime(secs []float64) [][]float64 {
	out := make([][]float64, len(c.Parts))
	for k := range out {
		out[k] = make([]float64, len(secs))
	}
	for i, s := range secs {
		if math.IsNaN(s) || math.Abs(s) > 1e15 {
			for k := range out {
				out[k][i] = math.NaN()
			}
			continue
		}
		whole := math.Floor(s)
		t := time.Unix(int64(whole), int64((s-whole)*1e9)).UTC()
		for k, pt := range c.Parts {
			var x float64
			switch pt {
			case partYear:
				x = float64(t.Year())
			case partMonth:
				x = float64(t.Month())
			case partDay:
				x = float64(t.Day())
			case partWeekday:
				x = float64(t.Weekday())
			case partHour:
				x = float64(t.Hour())
			default:
				x = s
			}
			out[k][i] = x
		}
	}
	return out
}

// rawText computes per row the hashed token counts (c.Buckets columns),
// the length in runes and the token count. Null is the empty string.
// Tokens are maximal runs of letters and digits, lowercased, hashed with
// 32-bit FNV-1a modulo c.Buckets.
func (c *column) rawText(vals []string, valid []bool) [][]float64 {
	B := c.Buckets
	out := make([][]float64, B+2)
	for k := range out {
		out[k] = make([]float64, len(vals))
	}
	h := fnv.New32a()
	var tok []byte
	for i, s := range vals {
		if !valid[i] {
			continue
		}
		words := 0
		flush := func() {
			if len(tok) == 0 {
				return
			}
			h.Reset()
			h.Write(tok)
			out[h.Sum32()%uint32(B)][i]++
			words++
			tok = tok[:0]
		}
		for _, r := range s {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				tok = utf8.AppendRune(tok, unicode.ToLower(r))
			} else {
				flush()
			}
		}
		flush()
		out[B][i] = float64(utf8.RuneCountInString(s))
		out[B+1][i] = float64(words)
	}
	return out
}
