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
	// Priors: over the training rows, and over those outside each
	// encoding fold.
	foldN := make([]float64, numFolds)
	foldS := make([]float64, numFolds*nte)
	for _, i := range train {
		k := int(ts.fold[i])
		foldN[k]++
		for t := range nte {
			foldS[k*nte+t] += p.targetValue(ts.y[i], t)
		}
	}
	prior := make([]float64, nte)
	innerPrior := make([]float64, numFolds*nte)
	for t := range nte {
		n, s := 0.0, 0.0
		for k := range numFolds {
			n += foldN[k]
			s += foldS[k*nte+t]
		}
		prior[t] = p.st.Prior[t]
		if n > 0 {
			prior[t] = s / n
		}
		for k := range numFolds {
			if m := n - foldN[k]; m > 0 {
				innerPrior[k*nte+t] = (s - foldS[k*nte+t]) / m
			} else {
				innerPrior[k*nte+t] = prior[t]
			}
		}
	}
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
		cnt := make([]float64, numFolds*nb)
		sum := make([]float64, numFolds*nb*nte)
		for _, i := range train {
			b, k := int(tf.bucket[i]), int(ts.fold[i])
			cnt[k*nb+b]++
			for t := range nte {
				sum[(k*nb+b)*nte+t] += p.targetValue(ts.y[i], t)
			}
		}
		// enc[k*nb+b] for k < numFolds: the encoding of bucket b learned
		// outside fold k; k = numFolds: learned on every training row.
		enc := make([]float64, (numFolds+1)*nb*nte)
		for b := range nb {
			all := 0.0
			for k := range numFolds {
				all += cnt[k*nb+b]
			}
			for t := range nte {
				s := 0.0
				for k := range numFolds {
					s += sum[(k*nb+b)*nte+t]
				}
				enc[(numFolds*nb+b)*nte+t] = (s + smoothing*prior[t]) / (all + smoothing)
				for k := range numFolds {
					// Sum the other folds rather than subtract this one,
					// so a row's own target cannot leak through rounding.
					n, o := 0.0, 0.0
					for k2 := range numFolds {
						if k2 != k {
							n += cnt[k2*nb+b]
							o += sum[(k2*nb+b)*nte+t]
						}
					}
					enc[(k*nb+b)*nte+t] = (o + smoothing*innerPrior[k*nte+t]) / (n + smoothing)
				}
			}
		}
		fill := func(rows []int, fold func(i int) int) [][]float64 {
			xs := make([][]float64, nte)
			for t := range xs {
				xs[t] = make([]float64, len(rows))
			}
			for j, i := range rows {
				b := int(tf.bucket[i])
				for t := range nte {
					x := enc[(fold(i)*nb+b)*nte+t]
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
