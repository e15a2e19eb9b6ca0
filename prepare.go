package automl

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/evaluate"
	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/planner"
	"github.com/automl-agent/automl/preprocess"
)

// viewData is one feature view of the training rows. On small views the
// folds are cut once, each with its own bins (foldBins), and shared,
// read-only, by every trial; on big ones (lazyCells and up) each trial
// cuts the fold it trains, so that memory holds the view once plus one
// fold per trial in flight, not a copy per fold.
type viewData struct {
	names []string
	full  *models.Data
	folds []foldData // nil when the folds are cut per trial
	te    *foldTE    // nil when no feature reads the target
}

// foldTE re-encodes a view's target-encoding features per split, so that
// a fold's model never sees, through them, the targets of the rows it is
// scored on (preprocess.Pipeline.FoldEncodings). full holds the whole
// training set's out-of-fold encodings, for the final fit.
type foldTE struct {
	pipe *preprocess.Pipeline
	view preprocess.View
	idx  []int // the features, in the order FoldEncodings returns them
}

type foldData struct {
	train *models.Data
	testX [][]float64
}

// lazyCells is the view size (rows × features) from which folds are cut
// per trial: 2M cells is 16 MB per fold copy, and cutting a fold costs a
// few milliseconds against seconds of training.
const lazyCells = 2_000_000

// big reports whether the view has lazyCells cells or more.
func (v *viewData) big() bool { return len(v.full.X)*len(v.full.Y) >= lazyCells }

// fold returns split i's training data and held-out features. When the
// folds are cut per trial and the model trains from bins alone (binned),
// the training data has no X: only the bins' codes are copied.
func (v *viewData) fold(i int, s evaluate.Split, binned bool) (*models.Data, [][]float64) {
	if v.folds != nil {
		return v.folds[i].train, v.folds[i].testX
	}
	return v.cut(s, binned)
}

// cut copies split s's training data and held-out features out of the
// view, with the split's own target encodings.
func (v *viewData) cut(s evaluate.Split, binned bool) (*models.Data, [][]float64) {
	testX := gatherColumns(v.full.X, s.Test)
	var d *models.Data
	if binned && v.full.Bins != nil {
		d = &models.Data{NumClasses: v.full.NumClasses, Categories: v.full.Categories, Y: pick(v.full.Y, s.Train), Bins: v.full.Bins.Subset(s.Train)}
		if v.full.W != nil {
			d.W = pick(v.full.W, s.Train)
		}
	} else {
		d = v.full.Subset(s.Train)
	}
	v.encodeFold(s, d, testX)
	return d, testX
}

// heldOut returns split i's held-out features, as fold returns them.
func (v *viewData) heldOut(i int, s evaluate.Split) [][]float64 {
	if v.folds != nil {
		return v.folds[i].testX
	}
	testX := gatherColumns(v.full.X, s.Test)
	v.encodeFold(s, nil, testX)
	return testX
}

// encodeFold replaces the target-encoding features of split s's training
// data d (its X and bins, when it has them; d may be nil) and held-out
// features testX with the split's own encodings.
func (v *viewData) encodeFold(s evaluate.Split, d *models.Data, testX [][]float64) {
	if v.te == nil {
		return
	}
	fe, err := v.te.pipe.FoldEncodings(v.te.view, s.Train, s.Test)
	if err != nil {
		// The rows come from the splits of this pipeline's own frame:
		// this is a bug, and runTrial makes the panic the trial's error.
		panic(fmt.Sprintf("automl: target encodings of a fold: %v", err))
	}
	for k, j := range v.te.idx {
		testX[j] = fe.Test[k]
		if d == nil {
			continue
		}
		if d.X != nil {
			d.X[j] = fe.Train[k]
		}
		if d.Bins != nil {
			codes := make([]uint8, len(fe.Train[k]))
			for r, x := range fe.Train[k] {
				codes[r] = v.full.Bins.BinValue(j, x)
			}
			d.Bins.Codes[j] = codes
		}
	}
}

// prepare profiles the data, encodes the target, fits the preprocessing
// pipeline, makes the folds and the feature views the candidates need.
func (r *run) prepare(ctx context.Context, input *dataset.Frame) error {
	r.emit(Event{Kind: EventPhase, Phase: "profile"})
	prof, err := dataset.AnalyzeOptions{Task: r.o.Task}.Analyze(input, r.target)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInput, err)
	}
	r.profile = prof
	if err := r.encodeTarget(input); err != nil {
		return err
	}
	if err := r.chooseMetric(); err != nil {
		return err
	}
	specs, err := r.candidates()
	if err != nil {
		return err
	}
	r.specs = specs
	if err := ctx.Err(); err != nil {
		return r.outOfTime("profiling", err)
	}
	return r.preprocess(ctx, nil)
}

// outOfTime is the error of a Fit whose context ended (err) during phase,
// before any model could train: it says how long had passed, and is not
// ErrInput, since the data was fine.
func (r *run) outOfTime(phase string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("automl: the time budget ran out while %s, %.1fs after Fit started, before any model trained (raise the budget or sample the rows): %w", phase, time.Since(r.start).Seconds(), err)
	}
	return fmt.Errorf("automl: stopped while %s: %w", phase, err)
}

// preprocess fits the preprocessing pipeline (with the plan's column
// overrides, when cols is not nil) and makes the feature views the
// candidates need, without folds.
func (r *run) preprocess(ctx context.Context, cols *planner.Columns) error {
	r.emit(Event{Kind: EventPhase, Phase: "preprocess"})
	drop := slices.Clone(r.o.Drop)
	if r.o.Weight != "" {
		drop = append(drop, r.o.Weight)
	}
	if r.o.Group != "" {
		drop = append(drop, r.o.Group)
	}
	opts := preprocess.Options{Drop: drop, Seed: r.o.Seed, Groups: r.groups}
	if cols != nil {
		opts.Drop = append(opts.Drop, cols.Drop...)
		opts.Kinds = map[string]string{}
		for _, c := range cols.Categorical {
			opts.Kinds[c] = preprocess.KindCategorical
		}
		for _, c := range cols.Text {
			opts.Kinds[c] = preprocess.KindText
		}
	}
	var err error
	r.pipe, err = preprocess.Fit(ctx, r.frame, r.target, r.y, r.k, opts)
	if err != nil {
		if ctx.Err() != nil {
			return r.outOfTime("preprocessing", ctx.Err())
		}
		return fmt.Errorf("%w: %w", ErrInput, err)
	}
	r.views = [2]*viewData{}
	for _, s := range r.specs {
		if r.views[s.Input] != nil {
			continue
		}
		v, err := r.makeView(s.Input)
		if err != nil {
			return err
		}
		r.views[s.Input] = v
	}
	r.concurrency = r.o.Parallelism
	if v := r.views[models.InputNative]; v != nil && v.big() {
		r.big = true
		// Big tables train one trial at a time with every core: the first
		// strong model comes back sooner, memory holds one trial's fold,
		// and estimates are not blurred by trials competing for cores.
		r.concurrency = 1
	}
	return nil
}

// validate cuts the cross-validation folds the plan asks for and, on
// small views, the folds' feature copies.
func (r *run) validate() error {
	var err error
	r.splits, err = r.makeSplits()
	if err != nil {
		return err
	}
	r.warnRareClasses(r.nfolds)
	r.foldY = make([][]float64, len(r.splits))
	r.foldW = make([][]float64, len(r.splits))
	for i, s := range r.splits {
		r.foldY[i] = pick(r.y, s.Test)
		if r.w != nil {
			r.foldW[i] = pick(r.w, s.Test)
		}
	}
	for _, v := range r.views {
		if v != nil {
			if err := v.cutFolds(r.splits); err != nil {
				return err
			}
		}
	}
	return nil
}

// encodeTarget drops rows with a missing target, keeps the rest as r.frame
// and encodes the target (class index or value) and weights.
func (r *run) encodeTarget(f *dataset.Frame) error {
	col := f.Column(f.ColumnIndex(r.target))
	n := f.NumRows()
	y := make([]float64, n)
	keep := make([]int, 0, n)
	switch r.profile.Task {
	case dataset.TaskBinary, dataset.TaskMulticlass:
		r.classes = slices.Clone(r.profile.Classes)
		r.k = len(r.classes)
		if r.k < 2 {
			return fmt.Errorf("%w: target %q has %d class", ErrInput, r.target, r.k)
		}
		index := make(map[string]int, r.k)
		for i, c := range r.classes {
			index[c] = i
		}
		vals, valid := dataset.Strings(col)
		for i := range n {
			if !valid[i] {
				continue
			}
			c, ok := index[vals[i]]
			if !ok {
				return fmt.Errorf("%w: target %q, row %d: class %q is not in the profile", ErrInput, r.target, i, vals[i])
			}
			y[i] = float64(c)
			keep = append(keep, i)
		}
	case dataset.TaskRegression:
		vals, err := dataset.Floats(col)
		if err != nil {
			return fmt.Errorf("%w: regression target %q: %w", ErrInput, r.target, err)
		}
		for i, v := range vals {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			y[i] = v
			keep = append(keep, i)
		}
	default:
		return fmt.Errorf("%w: unknown task %q", ErrInput, r.profile.Task)
	}
	if len(keep) == 0 {
		return fmt.Errorf("%w: target %q has no usable value", ErrInput, r.target)
	}
	var w []float64
	if r.o.Weight != "" {
		var err error
		w, err = dataset.Floats(f.Column(f.ColumnIndex(r.o.Weight)))
		if err != nil {
			return fmt.Errorf("%w: weight column %q: %w", ErrInput, r.o.Weight, err)
		}
	}
	if len(keep) == n {
		f.Retain()
		r.frame = f
	} else {
		sub, err := f.Select(keep)
		if err != nil {
			return fmt.Errorf("automl: dropping rows with no target: %w", err)
		}
		r.frame = sub
	}
	r.y = make([]float64, len(keep))
	for j, i := range keep {
		r.y[j] = y[i]
	}
	if w != nil {
		r.w = make([]float64, len(keep))
		for j, i := range keep {
			v := w[i]
			if !(v >= 0) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: weight column %q, row %d: weight %v is not a finite non-negative number", ErrInput, r.o.Weight, i, v)
			}
			r.w[j] = v
		}
	}
	if r.o.Group != "" {
		vals, valid := dataset.Strings(f.Column(f.ColumnIndex(r.o.Group)))
		r.groups = make([]string, len(keep))
		for j, i := range keep {
			if valid[i] {
				r.groups[j] = "v" + vals[i]
			} else {
				r.groups[j] = "n" + strconv.Itoa(i) // a group of its own
			}
		}
	}
	if r.k > 0 {
		seen := make([]bool, r.k)
		for _, v := range r.y {
			seen[int(v)] = true
		}
		for c, ok := range seen {
			if !ok {
				return fmt.Errorf("%w: class %q of target %q has no row with a usable target", ErrInput, r.classes[c], r.target)
			}
		}
	}
	return nil
}

func (r *run) chooseMetric() error {
	m := r.o.CustomMetric
	switch {
	case m != nil:
	case r.o.Metric == "":
		m = evaluate.DefaultMetric(r.k)
	default:
		var err error
		if m, err = evaluate.MetricByName(r.o.Metric); err != nil {
			return fmt.Errorf("%w: %w", ErrInput, err)
		}
	}
	if err := evaluate.CheckTask(m, r.k); err != nil {
		return fmt.Errorf("%w: metric %q does not fit a %s task: %w", ErrInput, m.Name(), r.profile.Task, err)
	}
	r.metric = m
	return nil
}

// candidates returns the specs to try, cheapest first (ties by name).
func (r *run) candidates() ([]models.Spec, error) {
	reg := r.o.Registry
	names := reg.Names()
	for _, n := range append(slices.Clone(r.o.Include), r.o.Exclude...) {
		if _, err := reg.Spec(n); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInput, err)
		}
	}
	var out []models.Spec
	for _, n := range names {
		if len(r.o.Include) > 0 && !slices.Contains(r.o.Include, n) && n != baselineModel {
			continue
		}
		if slices.Contains(r.o.Exclude, n) {
			continue
		}
		s, _ := reg.Spec(n)
		if !s.Supports(r.k) {
			continue
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no registered model supports this %s task with the given Include/Exclude", ErrInput, r.profile.Task)
	}
	slices.SortStableFunc(out, func(a, b models.Spec) int {
		ca, cb := cost(a), cost(b)
		switch {
		case ca < cb:
			return -1
		case ca > cb:
			return 1
		}
		return 0
	})
	return out, nil
}

// warnRareClasses adds a profile warning (and logs it) for each class with
// fewer rows than the k folds: some folds then train without it.
func (r *run) warnRareClasses(k int) {
	if r.k == 0 {
		return
	}
	count := make([]int, r.k)
	for _, v := range r.y {
		count[int(v)]++
	}
	for c, n := range count {
		if n < k {
			rows := "rows"
			if n == 1 {
				rows = "row"
			}
			msg := fmt.Sprintf("class %q has %d %s, fewer than the %d cross-validation folds: some folds train without it and scores are unreliable", r.classes[c], n, rows, k)
			r.profile.Warnings = append(r.profile.Warnings, dataset.Warning{Column: r.target, Code: dataset.WarnRareClass, Message: msg})
			r.o.Logger.Warn(msg)
		}
	}
}

// distinct counts the distinct values of vals.
func distinct(vals []string) int {
	seen := make(map[string]struct{})
	for _, v := range vals {
		seen[v] = struct{}{}
	}
	return len(seen)
}

func cost(s models.Spec) float64 {
	if s.Cost <= 0 {
		return 1
	}
	return s.Cost
}

// makeSplits cuts the training rows into cross-validation folds, redrawn
// as many times as the plan's repeats (r.nfolds is the number of folds of
// one repeat), or, when the plan asks for a holdout, into one split
// (r.nfolds is 1 and r.holdout true).
func (r *run) makeSplits() ([]evaluate.Split, error) {
	n := len(r.y)
	k := r.planned.Validation.Folds
	if r.groups != nil {
		groups := distinct(r.groups)
		if groups < 2 {
			return nil, fmt.Errorf("%w: group column %q has %d distinct value; cross-validation needs at least 2", ErrInput, r.o.Group, groups)
		}
		k = min(k, groups)
	}
	if k > n {
		k = n
	}
	if k < 2 {
		return nil, fmt.Errorf("%w: %d usable rows are too few to validate a model", ErrInput, n)
	}
	if h := r.planned.Validation.Holdout; h > 0 && r.groups == nil {
		// One split: the out-of-fold vectors then cover the held-out rows
		// only, in that split's order (r.oy, r.ow).
		var s evaluate.Split
		var err error
		if r.k > 0 {
			s, err = evaluate.StratifiedHoldout(r.y, r.k, h, r.o.Seed)
		} else {
			s, err = evaluate.Holdout(n, h, r.o.Seed)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInput, err)
		}
		r.nfolds, r.holdout = 1, true
		r.oy = pick(r.y, s.Test)
		if r.w != nil {
			r.ow = pick(r.w, s.Test)
		}
		return []evaluate.Split{s}, nil
	}
	r.oy, r.ow = r.y, r.w
	reps := max(1, r.planned.Validation.Repeats)
	r.nfolds = k
	var out []evaluate.Split
	for rep := range reps {
		seed := r.o.Seed + uint64(rep)*0x9E3779B97F4A7C15
		var s []evaluate.Split
		var err error
		switch {
		case r.groups != nil:
			s, err = evaluate.ShuffledGroupKFold(r.groups, k, seed)
		case r.k > 0:
			s, err = evaluate.StratifiedKFold(r.y, r.k, k, seed)
		default:
			s, err = evaluate.KFold(n, k, seed)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInput, err)
		}
		out = append(out, s...)
	}
	return out, nil
}

// makeView transforms the training rows into one feature view and cuts
// its folds.
func (r *run) makeView(in models.Input) (*viewData, error) {
	pv := preprocess.Native
	if in == models.InputDense {
		pv = preprocess.Dense
	}
	feats, err := r.pipe.TransformTrain(r.frame, pv)
	if err != nil {
		return nil, fmt.Errorf("automl: preprocessing: %w", err)
	}
	if len(feats.X) == 0 {
		return nil, fmt.Errorf("%w: no usable feature column besides the target", ErrInput)
	}
	d := &models.Data{X: feats.X, Y: r.y, W: r.w, NumClasses: r.k, Categories: feats.Categories}
	if in == models.InputNative {
		if d.Bins, err = models.NewBinned(feats.X, feats.Categories, 0); err != nil {
			return nil, fmt.Errorf("automl: binning: %w", err)
		}
	}
	v := &viewData{names: feats.Names, full: d}
	if te := r.pipe.TargetEncoded(pv); len(te) > 0 {
		v.te = &foldTE{pipe: r.pipe, view: pv}
		for _, name := range te {
			j := slices.Index(feats.Names, name)
			if j < 0 {
				return nil, fmt.Errorf("automl: preprocessing: target-encoded feature %q is not in the view", name)
			}
			v.te.idx = append(v.te.idx, j)
		}
	}
	return v, nil
}

// cutFolds keeps a copy of every fold's rows when the view is small, each
// with bins cut from the fold's own training rows (foldBins) when the view
// has bins. The folds are cut from a copy of the view without its shared
// bins, which they would only replace.
func (v *viewData) cutFolds(splits []evaluate.Split) error {
	v.folds = nil
	if v.big() {
		return nil
	}
	unbinned := *v.full
	unbinned.Bins = nil
	cutter := viewData{full: &unbinned, te: v.te}
	v.folds = make([]foldData, len(splits))
	for i, s := range splits {
		train, testX := cutter.cut(s, false)
		if v.full.Bins != nil {
			if err := foldBins(train); err != nil {
				return err
			}
		}
		v.folds[i] = foldData{train: train, testX: testX}
	}
	return nil
}

// foldBins cuts a fold's bins from its own training rows, as a model
// fitted on those rows alone would cut them; the bagged predictor's fold
// models then bin new rows with them. Bins carry no target, but shared
// ones, cut once from every training row, had edges at the held-out rows'
// values: where a held-out row lies in a gap between its class and the
// next, its own edge split the gap, the fold's tree split at the first of
// the equal-gain edges (the split search keeps the first best), just past
// its training rows, and the row fell on the wrong side. Out-of-fold
// scores of the binned families (boosting, forests, trees) were then
// pessimistic on small tables with clean thresholds, and those trials
// were ranked, blended and tempered on errors they do not make on new
// rows (TestBinnedModelsCrossValidateWithTheirFoldsBins). On bench/small's
// axis13 (178 rows, 3 classes that thresholds separate) held-out log loss
// went from 0.0187 to 0.0034 over 30 splits (bench/README.md). Big views,
// whose folds are cut per trial, keep the shared bins: binning there
// would be one more pass per trial and fold, and with many rows per bin
// a held-out row's value is seldom an edge (not measured).
func foldBins(d *models.Data) error {
	b, err := models.NewBinned(d.X, d.Categories, 0)
	if err != nil {
		return fmt.Errorf("automl: binning a fold: %w", err)
	}
	d.Bins = b
	return nil
}

// gatherColumns returns the rows of column-major X listed in rows.
func gatherColumns(X [][]float64, rows []int) [][]float64 {
	out := make([][]float64, len(X))
	for j, c := range X {
		col := make([]float64, len(rows))
		for k, i := range rows {
			col[k] = c[i]
		}
		out[j] = col
	}
	return out
}

// pick returns x at the listed indices.
func pick(x []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for k, i := range idx {
		out[k] = x[i]
	}
	return out
}
