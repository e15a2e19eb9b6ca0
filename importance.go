package automl

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// importanceRows caps the rows used for permutation importance, and
// importanceRepeats is the number of shuffles per column.
const (
	importanceRows    = 3000
	importanceRepeats = 3
	// importanceMinRows is the fewest rows worth measuring on: below it the
	// shuffles measure noise, and Fit reports no importance instead.
	importanceMinRows = 200
)

// importance measures, out of fold, how much the final blend's metric
// drops when one input column is shuffled. Each fold's models are scored on
// a sample of that fold's own held-out rows, so no model judges rows it was
// trained on; every feature derived from the column (one-hot levels,
// encodings, date parts, missing indicators) is shuffled together, so the
// whole pipeline is measured. It returns nil if the time runs out.
func (r *run) importance(ctx context.Context, p *Predictor) []ColumnImportance {
	if len(r.final) == 0 || len(p.columns) == 0 {
		return nil
	}
	for _, t := range r.final {
		if len(t.models) != len(r.splits) {
			return nil // the fallback prior: nothing to measure
		}
	}
	// The first repeat's folds cover every row once; later repeats would
	// only multiply the cost.
	splits := r.splits[:r.nfolds]
	// Which features, per view, come from which input column.
	var owners [2][][]int // owners[view][col] = feature indices
	for in, v := range r.views {
		if v == nil {
			continue
		}
		owners[in] = make([][]int, len(p.columns))
		for j, name := range v.names {
			if c := sourceColumn(name, p.columns); c >= 0 {
				owners[in][c] = append(owners[in][c], j)
			}
		}
	}
	type foldSample struct {
		X [2][][]float64
		y []float64
		w []float64
	}
	var samples []foldSample
	var y, w []float64
	// sample takes a strided sample of about per rows of each fold's
	// held-out rows.
	sample := func(per int) {
		samples = make([]foldSample, len(splits))
		y, w = nil, nil
		for fi, s := range splits {
			stride := max(1, len(s.Test)/per)
			var local []int
			for j := 0; j < len(s.Test); j += stride {
				local = append(local, j)
			}
			fs := foldSample{y: pick(r.foldY[fi], local)}
			if r.w != nil {
				fs.w = pick(r.foldW[fi], local)
				w = append(w, fs.w...)
			}
			for in, v := range r.views {
				if v != nil {
					fs.X[in] = gatherColumns(v.heldOut(fi, s), local)
				}
			}
			samples[fi] = fs
			y = append(y, fs.y...)
		}
	}
	per := max(1, importanceRows/len(splits))
	for _, s := range splits {
		per = min(per, len(s.Test))
	}
	sample(per)
	width := max(r.k, 1)
	predict := func() ([]float64, bool) {
		out := make([]float64, 0, len(y)*width)
		for fi, fs := range samples {
			n := len(fs.y)
			preds := make([][]float64, len(r.final))
			for mi, t := range r.final {
				preds[mi] = make([]float64, n*width)
				if err := t.models[fi].Predict(preds[mi], fs.X[t.spec.Input]); err != nil {
					return nil, false
				}
			}
			blend := make([]float64, n*width)
			if err := p.combine(blend, preds, fs.X[p.stackInput]); err != nil {
				return nil, false
			}
			out = append(out, blend...)
		}
		return out, true
	}
	score := func() (float64, bool) {
		pred, ok := predict()
		if !ok {
			return 0, false
		}
		s, err := r.metric.Score(y, pred, r.k, w)
		return s, err == nil
	}
	t0 := time.Now()
	base, ok := score()
	if !ok {
		return nil
	}
	// Fit the work into the time left: fewer rows when one scoring pass
	// times every column and repeat would not fit in half of it.
	repeats := importanceRepeats
	need := time.Since(t0) * time.Duration(len(p.columns)*repeats)
	r.o.Logger.Debug("permutation importance", "rows", len(y), "pass", time.Since(t0), "need", need, "left", r.timeLeft())
	if left := r.timeLeft() / 3; need > left {
		repeats = 1
		need /= importanceRepeats
		if need > left {
			per = int(float64(per) * float64(left) / float64(need))
			if per*len(splits) < importanceMinRows {
				r.o.Logger.Info("permutation importance skipped: no time left for enough rows", "rows", per*len(splits))
				return nil
			}
			sample(per)
			t1 := time.Now()
			if base, ok = score(); !ok {
				return nil
			}
			r.o.Logger.Debug("permutation importance resampled", "rows", len(y), "pass", time.Since(t1))
		}
	}
	out := make([]ColumnImportance, 0, len(p.columns))
	for c, name := range p.columns {
		drops := make([]float64, 0, repeats)
		for rep := range repeats {
			if ctx.Err() != nil {
				r.o.Logger.Debug("permutation importance out of time", "column", name)
				return nil
			}
			rng := rand.New(rand.NewPCG(r.o.Seed^0x1234_5678, uint64(c*importanceRepeats+rep)))
			// Shuffle, score, and put the columns back.
			var saved [][]float64
			for fi := range samples {
				perm := rng.Perm(len(samples[fi].y))
				for in := range owners {
					if owners[in] == nil {
						continue
					}
					for _, j := range owners[in][c] {
						col := samples[fi].X[in][j]
						saved = append(saved, slices.Clone(col))
						for i, src := range perm {
							col[i] = saved[len(saved)-1][src]
						}
					}
				}
			}
			s, ok := score()
			k := 0
			for fi := range samples {
				for in := range owners {
					if owners[in] == nil {
						continue
					}
					for _, j := range owners[in][c] {
						copy(samples[fi].X[in][j], saved[k])
						k++
					}
				}
			}
			if !ok {
				return nil
			}
			d := base - s
			if !r.metric.Greater() {
				d = s - base
			}
			drops = append(drops, d)
		}
		mean, std := meanStd(drops)
		out = append(out, ColumnImportance{Column: name, Mean: mean, Std: std})
	}
	slices.SortStableFunc(out, func(a, b ColumnImportance) int {
		switch {
		case a.Mean > b.Mean:
			return -1
		case a.Mean < b.Mean:
			return 1
		}
		return strings.Compare(a.Column, b.Column)
	})
	return out
}

// sourceColumn returns the index of the input column a feature comes
// from: the longest column name that is the feature name or its prefix
// followed by ':' or '='; -1 if none.
func sourceColumn(feature string, columns []string) int {
	best, bestLen := -1, -1
	for c, name := range columns {
		if !strings.HasPrefix(feature, name) || len(name) <= bestLen {
			continue
		}
		rest := feature[len(name):]
		if rest == "" || rest[0] == ':' || rest[0] == '=' {
			best, bestLen = c, len(name)
		}
	}
	return best
}
