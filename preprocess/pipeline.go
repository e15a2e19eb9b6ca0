package preprocess

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/automl-agent/automl/dataset"
)

// numFolds is the number of folds of the out-of-fold target encoding.
const numFolds = 5

// smoothing is the pseudo-count m of the smoothed target mean
// (sum + m*prior) / (count + m).
const smoothing = 10

// maxTEClasses caps the per-class target-encoding columns of a multiclass
// target; beyond it only the most frequent classes get a column.
const maxTEClasses = 10

// maxCodes is the largest category count of a Native code column: codes
// 0..254 fit a uint8 bin next to models.MissingBin (255).
const maxCodes = 255

// Pipeline is a learned preprocessing: per input column, the kind it was
// given and the statistics learned on the training rows. It is created by
// Fit or UnmarshalBinary, is read-only afterwards, and is safe for
// concurrent use.
type Pipeline struct {
	st    state
	train *trainState // nil after UnmarshalBinary
}

// state is everything that is saved by MarshalBinary.
type state struct {
	Format     string    `json:"format"`
	Version    int       `json:"version"`
	Target     string    `json:"target"`
	NumClasses int       `json:"num_classes"`
	Options    Options   `json:"options"`
	Rows       int       `json:"rows"`       // rows of the training frame
	Used       int       `json:"used"`       // rows with a target
	TEClasses  []int     `json:"te_classes"` // classes with a target-encoding column; nil for regression
	Prior      fvec      `json:"prior"`      // per target-encoding output: mean target on used rows
	Columns    []*column `json:"columns"`    // in training frame order, dropped ones included
}

// column is what was learned about one input column.
type column struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Reason string `json:"reason,omitempty"` // why a dropped column was dropped

	// numeric, datetime and text: per raw output, the imputation value and
	// the standardization of the Dense view.
	Coerce  bool     `json:"coerce,omitempty"`  // numbers learned from strings: unparseable → missing
	Layout  string   `json:"layout,omitempty"`  // datetime parsed from strings with this layout
	Parts   []string `json:"parts,omitempty"`   // datetime parts
	Buckets int      `json:"buckets,omitempty"` // text hash buckets
	Missing bool     `json:"missing,omitempty"` // training had missing values: Dense adds an indicator
	Median  fvec     `json:"median,omitempty"`
	Mean    fvec     `json:"mean,omitempty"`
	Scale   fvec     `json:"scale,omitempty"`

	// categorical: levels in code order; buckets are the levels, then
	// "other" (index L), then missing (index L+1).
	Levels   []string `json:"levels,omitempty"`
	Counts   []int    `json:"counts,omitempty"` // training rows per bucket, len L+2
	HasOther bool     `json:"has_other,omitempty"`
	OneHot   bool     `json:"one_hot,omitempty"` // Dense: one-hot (else freq + target encoding)
	Codes    bool     `json:"codes,omitempty"`   // Native: codes (else freq + target encoding)
	TE       []fvec   `json:"te,omitempty"`      // per bucket, the full-data target encoding

	index map[string]int // level → code, built by prepare
}

// trainState holds what TransformTrain needs beyond the saved state: the
// fold of each training row and per-fold target sums.
type trainState struct {
	rows  int
	fold  []int8      // per row: 0..4, or -1 for a row without target
	prior [][]float64 // [fold][t]: target mean of the used rows outside fold
	y     []float64   // per row, the encoded target (NaN without one), for FoldEncodings
	te    map[*column]*teFolds
}

// teFolds holds the out-of-fold target encodings of one categorical
// column: enc[k][bucket*nte+t] is learned on the used rows outside fold k.
// bucket is each training row's bucket, kept for FoldEncodings.
type teFolds struct {
	enc    [][]float64
	bucket []int32
}

// Column describes what the pipeline does with one input column.
type Column struct {
	// Name is the column name in the training frame.
	Name string
	// Kind is the kind the column was given (KindNumeric, KindCategorical,
	// KindText, KindDatetime) or KindDrop.
	Kind string
	// Reason says why a dropped column was dropped ("" otherwise).
	Reason string
	// Levels is the number of kept levels of a categorical column.
	Levels int
}

// Fit learns a preprocessing pipeline from frame f (borrowed for the call).
//
// y is the encoded target, one value per row: the class index 0..numClasses-1
// as float64 for classification, the value for regression (numClasses 0).
// Rows whose y is NaN are ignored when learning statistics: to fit on a
// subset of the rows (a training fold) pass NaN for the others. The column
// named target, if present, is never a feature.
//
// Fit infers each column's kind (or takes it from opts.Kinds), drops
// constant, all-missing and identifier-like columns, and learns medians,
// scales, levels and target encodings. It honours ctx between columns.
func Fit(ctx context.Context, f *dataset.Frame, target string, y []float64, numClasses int, opts Options) (*Pipeline, error) {
	if f == nil {
		return nil, fmt.Errorf("%w: nil frame", ErrInvalid)
	}
	n := f.NumRows()
	if len(y) != n {
		return nil, fmt.Errorf("%w: %d target values for %d rows", ErrInvalid, len(y), n)
	}
	if numClasses < 0 || numClasses == 1 {
		return nil, fmt.Errorf("%w: numClasses = %d, want 0 (regression) or >= 2", ErrInvalid, numClasses)
	}
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	used := make([]int, 0, n)
	for i, v := range y {
		if math.IsNaN(v) {
			continue
		}
		if math.IsInf(v, 0) {
			return nil, fmt.Errorf("%w: target of row %d is %v", ErrInvalid, i, v)
		}
		if numClasses > 0 && (v < 0 || v >= float64(numClasses) || v != math.Trunc(v)) {
			return nil, fmt.Errorf("%w: class %v of row %d is not in 0..%d", ErrInvalid, v, i, numClasses-1)
		}
		used = append(used, i)
	}
	if len(used) == 0 {
		return nil, fmt.Errorf("%w: no row has a target", ErrInvalid)
	}
	p := &Pipeline{st: state{
		Format: formatName, Version: formatVersion,
		Target: target, NumClasses: numClasses, Options: o, Rows: n, Used: len(used),
	}}
	p.st.TEClasses = teClasses(y, used, numClasses)
	if o.Groups != nil && len(o.Groups) != n {
		return nil, fmt.Errorf("%w: %d group IDs for %d rows", ErrInvalid, len(o.Groups), n)
	}
	p.train = newTrainState(n, used, o.Seed, o.Groups)
	p.train.y = slices.Clone(y)
	p.st.Options.Groups = nil
	nte := p.nte()
	// Per-row target-encoding values, row-major [i*nte+t].
	tv := make([]float64, n*nte)
	for _, i := range used {
		for t := 0; t < nte; t++ {
			tv[i*nte+t] = p.targetValue(y[i], t)
		}
	}
	// Priors: the mean target-encoding value, overall and out of each fold
	// (summing the other folds, so no row's target enters its own prior).
	foldN := make([]float64, numFolds)
	foldS := make([][]float64, numFolds)
	for k := range foldS {
		foldS[k] = make([]float64, nte)
	}
	for _, i := range used {
		k := p.train.fold[i]
		foldN[k]++
		for t := 0; t < nte; t++ {
			foldS[k][t] += tv[i*nte+t]
		}
	}
	all, out := priors(foldN, foldS, make([]float64, nte))
	p.st.Prior, p.train.prior = all, out

	fc := &fitCtx{p: p, used: used, tv: tv, nte: nte}
	for j, name := range f.Names() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if name == target {
			continue
		}
		c, err := fc.fitColumn(name, f.Column(j))
		if err != nil {
			return nil, err
		}
		p.st.Columns = append(p.st.Columns, c)
	}
	p.prepare()
	return p, nil
}

// teClasses returns the classes that get a target-encoding column: nil for
// regression, class 1 for a binary target, every class up to maxTEClasses,
// else the maxTEClasses most frequent (ties to the lower index), ascending.
func teClasses(y []float64, used []int, k int) []int {
	switch {
	case k == 0:
		return nil
	case k == 2:
		return []int{1}
	case k <= maxTEClasses:
		out := make([]int, k)
		for i := range out {
			out[i] = i
		}
		return out
	}
	cnt := make([]int, k)
	for _, i := range used {
		cnt[int(y[i])]++
	}
	idx := make([]int, k)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(cnt[b], cnt[a]) })
	idx = idx[:maxTEClasses]
	slices.Sort(idx)
	return idx
}

// nte is the number of target-encoding outputs per categorical column.
func (p *Pipeline) nte() int {
	if p.st.NumClasses == 0 {
		return 1
	}
	return len(p.st.TEClasses)
}

// targetValue is the value of target y averaged by target-encoding output t.
func (p *Pipeline) targetValue(y float64, t int) float64 {
	if p.st.NumClasses == 0 {
		return y
	}
	if int(y) == p.st.TEClasses[t] {
		return 1
	}
	return 0
}

// newTrainState assigns the used rows to folds: a seeded shuffle dealt
// round-robin, so fold sizes differ by at most one. With groups, the
// distinct groups are shuffled and dealt instead, so a group's rows share a
// fold.
func newTrainState(n int, used []int, seed uint64, groups []string) *trainState {
	ts := &trainState{rows: n, fold: make([]int8, n), te: map[*column]*teFolds{}}
	for i := range ts.fold {
		ts.fold[i] = -1
	}
	r := rand.New(rand.NewPCG(seed, 0x70726570))
	if groups == nil {
		perm := r.Perm(len(used))
		for j, pi := range perm {
			ts.fold[used[pi]] = int8(j % numFolds)
		}
		return ts
	}
	id := map[string]int{}
	for _, i := range used {
		if _, ok := id[groups[i]]; !ok {
			id[groups[i]] = len(id)
		}
	}
	foldOf := make([]int8, len(id))
	for j, g := range r.Perm(len(id)) {
		foldOf[g] = int8(j % numFolds)
	}
	for _, i := range used {
		ts.fold[i] = foldOf[id[groups[i]]]
	}
	return ts
}

// prepare builds the lookup indexes of a fitted or decoded pipeline.
func (p *Pipeline) prepare() {
	for _, c := range p.st.Columns {
		if c.Kind == KindCategorical {
			c.index = make(map[string]int, len(c.Levels))
			for i, l := range c.Levels {
				c.index[l] = i
			}
		}
	}
}

// InputColumns returns, in training order, the names of the columns the
// pipeline reads: the frame given to Transform must have them. New slice.
func (p *Pipeline) InputColumns() []string {
	var out []string
	for _, c := range p.st.Columns {
		if c.Kind != KindDrop {
			out = append(out, c.Name)
		}
	}
	return out
}

// Columns describes every column of the training frame except the target,
// in training order, dropped ones included with their reason. New slice.
func (p *Pipeline) Columns() []Column {
	out := make([]Column, len(p.st.Columns))
	for i, c := range p.st.Columns {
		out[i] = Column{Name: c.Name, Kind: c.Kind, Reason: c.Reason, Levels: len(c.Levels)}
	}
	return out
}

// Target returns the name of the target column given to Fit.
func (p *Pipeline) Target() string { return p.st.Target }

// NumClasses returns the numClasses given to Fit (0 for regression).
func (p *Pipeline) NumClasses() int { return p.st.NumClasses }

// Options returns the options Fit ran with, defaults filled in.
func (p *Pipeline) Options() Options { return p.st.Options }
