package preprocess

import (
	"fmt"
	"math"
	"strconv"
)

// FoldFeatures are the target-encoding features of one view recomputed
// for one cross-validation split (see Pipeline.FoldEncodings).
type FoldFeatures struct {
	// Names names the features as Features.Names does ("col:te", or
	// "col:te<k>" per class k), in the order of Pipeline.TargetEncoded.
	Names []string
	// Train[k][j] is feature Names[k] of the split's training row j.
	Train [][]float64
	// Test[k][j] is feature Names[k] of the split's held-out row j.
	Test [][]float64
}

// encodes reports whether column c has target-encoding outputs in view v.
func (p *Pipeline) encodes(c *column, v View) bool {
	if c.Kind != KindCategorical || c.TE == nil {
		return false
	}
	if v == Native {
		return !c.Codes
	}
	return !c.OneHot
}

// encodingNames names the target-encoding outputs of column c.
func (p *Pipeline) encodingNames(c *column) []string {
	nte := p.nte()
	names := make([]string, nte)
	for t := range nte {
		if p.st.NumClasses <= 2 {
			names[t] = c.Name + ":te"
		} else {
			names[t] = c.Name + ":te" + strconv.Itoa(p.st.TEClasses[t])
		}
	}
	return names
}

// TargetEncoded returns the names of view v's target-encoding features
// (the only features whose values depend on the target), in the order
// FoldEncodings returns them. New slice; nil when there are none.
func (p *Pipeline) TargetEncoded(v View) []string {
	var out []string
	for _, c := range p.st.Columns {
		if p.encodes(c, v) {
			out = append(out, p.encodingNames(c)...)
		}
	}
	return out
}

// FoldEncodings recomputes view v's target encodings for one
// cross-validation split of the training frame, given as row indices of
// that frame: train (rows with a target) and test. It is what keeps
// cross-validation honest when a model sees target encodings.
//
// TransformTrain encodes every training row out of fold, but from 4/5 of
// all rows, held-out rows of a later split included: a model cross-
// validated on those features has seen, through its training rows'
// encodings, the targets of the rows it is scored on. FoldEncodings uses
// the split's training rows only. Each training row is encoded from the
// training rows outside its own encoding fold (the folds of Fit,
// restricted to train, so they nest inside the split), and each test row
// from all of the split's training rows, as Transform encodes new rows
// after a fit on the whole frame. Priors are taken on the same rows.
//
// The other features (imputation medians, category levels and
// frequencies, scales) never read the target, and the Dense scaling of
// the encodings is one affine map shared by every row; they come from the
// whole frame. It needs the Pipeline returned by Fit (else an error
// wrapping ErrNotTraining); an index out of range, or a training row
// without a target, is an error wrapping ErrInvalid.
func (p *Pipeline) FoldEncodings(v View, train, test []int) (*FoldFeatures, error) {
	ts := p.train
	if ts == nil {
		return nil, fmt.Errorf("%w: FoldEncodings needs the pipeline returned by Fit", ErrNotTraining)
	}
	if v != Native && v != Dense {
		return nil, fmt.Errorf("%w: unknown view %d", ErrInvalid, int(v))
	}
	for _, i := range train {
		if i < 0 || i >= ts.rows || ts.fold[i] < 0 {
			return nil, fmt.Errorf("%w: training row %d is out of range or has no target", ErrInvalid, i)
		}
	}
	for _, i := range test {
		if i < 0 || i >= ts.rows {
			return nil, fmt.Errorf("%w: test row %d is out of range", ErrInvalid, i)
		}
	}
	nte := p.nte()
	// Priors over the training rows, and over those outside each encoding
	// fold.
	foldN := make([]float64, numFolds)
	foldS := make([][]float64, numFolds)
	for k := range foldS {
		foldS[k] = make([]float64, nte)
	}
	for _, i := range train {
		k := int(ts.fold[i])
		foldN[k]++
		for t := range nte {
			foldS[k][t] += p.targetValue(ts.y[i], t)
		}
	}
	prior, innerPrior := priors(foldN, foldS, p.st.Prior)
	out := &FoldFeatures{}
	for _, c := range p.st.Columns {
		if !p.encodes(c, v) {
			continue
		}
		tf := ts.te[c]
		if tf == nil {
			return nil, fmt.Errorf("%w: column %q has no training encodings", ErrNotTraining, c.Name)
		}
		L, nb := len(c.Levels), len(c.Levels)+2
		cnt := make([][]float64, numFolds)
		sum := make([][]float64, numFolds)
		for k := range numFolds {
			cnt[k] = make([]float64, nb)
			sum[k] = make([]float64, nb*nte)
		}
		for _, i := range train {
			b, k := int(tf.bucket[i]), int(ts.fold[i])
			cnt[k][b]++
			for t := range nte {
				sum[k][b*nte+t] += p.targetValue(ts.y[i], t)
			}
		}
		// Training rows get the encoding learned outside their fold, test
		// rows the one learned on every training row.
		enc := append(outOfFold(cnt, sum, innerPrior, nb, nte), pooled(cnt, sum, prior, nb, nte))
		fill := func(rows []int, fold func(i int) int) [][]float64 {
			xs := make([][]float64, nte)
			for t := range xs {
				xs[t] = make([]float64, len(rows))
			}
			for j, i := range rows {
				b := int(tf.bucket[i])
				for t := range nte {
					x := enc[fold(i)][b*nte+t]
					switch {
					case v == Native && b == L+1:
						x = math.NaN()
					case v == Dense:
						x = (x - c.Mean[1+t]) / c.Scale[1+t]
					}
					xs[t][j] = x
				}
			}
			return xs
		}
		out.Names = append(out.Names, p.encodingNames(c)...)
		out.Train = append(out.Train, fill(train, func(i int) int { return int(ts.fold[i]) })...)
		out.Test = append(out.Test, fill(test, func(int) int { return numFolds })...)
	}
	return out, nil
}
