package baseline

import (
	"context"
	"encoding"
	"fmt"
	"math"

	"github.com/automl-agent/automl/models"
)

// Prior predicts without looking at the features: the class shares of the
// total sample weight (classification) or the weighted mean of the target
// (regression), like scikit-learn's DummyClassifier(strategy="prior") and
// DummyRegressor. It is the fallback that always fits: any number of rows
// (even one), any features (even none, or NaN), and all-zero weights
// (then every row counts 1). A class with no weight gets probability 0.
//
// The zero value is ready to use. Predict is safe for concurrent use after
// Fit.
type Prior struct {
	fitted bool
	p, k   int
	probs  []float64 // k, classification
	mean   float64   // regression
}

var (
	_ models.Model               = (*Prior)(nil)
	_ encoding.BinaryMarshaler   = (*Prior)(nil)
	_ encoding.BinaryUnmarshaler = (*Prior)(nil)
)

// Fit records the priors or the mean of d's target. Only the target, the
// weights and NumClasses are checked; the features are ignored.
func (m *Prior) Fit(ctx context.Context, d *models.Data) error {
	if d == nil {
		return fmt.Errorf("%w: nil data", models.ErrData)
	}
	c := *d
	c.Categories, c.Bins, c.Valid = nil, nil, nil
	c.X = [][]float64{d.Y} // the features don't matter; Check needs one column
	if err := c.Check(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	w := d.W
	total := 0.0
	for _, v := range w {
		total += v
	}
	if w != nil && (!(total > 0) || math.IsInf(total, 0)) {
		w = nil // no usable weight: count rows
	}
	weight := func(i int) float64 {
		if w == nil {
			return 1
		}
		return w[i]
	}
	m.fitted = false
	if d.NumClasses > 0 {
		probs := make([]float64, d.NumClasses)
		sum := 0.0
		for i, y := range d.Y {
			probs[int(y)] += weight(i)
			sum += weight(i)
		}
		for c := range probs {
			probs[c] /= sum
		}
		m.probs, m.mean = probs, 0
	} else {
		// Incremental weighted mean: no overflow for large targets.
		mean, sum := 0.0, 0.0
		for i, y := range d.Y {
			wi := weight(i)
			if wi == 0 {
				continue
			}
			sum += wi
			mean += wi / sum * (y - mean)
		}
		m.probs, m.mean = nil, mean
	}
	m.p, m.k = len(d.X), d.NumClasses
	m.fitted = true
	return nil
}

// Predict writes the priors to each of the n rows of X (n*K values) or the
// mean (n values). NaN features are fine. With a model fitted on no
// features, X has no columns and so no rows: nothing is written.
func (m *Prior) Predict(dst []float64, X [][]float64) error {
	if !m.fitted {
		return models.ErrNotFitted
	}
	if err := models.CheckPredict(dst, X, m.p, m.k); err != nil {
		return err
	}
	n := 0
	if len(X) > 0 {
		n = len(X[0])
	}
	if m.k == 0 {
		for i := 0; i < n; i++ {
			dst[i] = m.mean
		}
		return nil
	}
	for i := 0; i < n; i++ {
		copy(dst[i*m.k:(i+1)*m.k], m.probs)
	}
	return nil
}

// Priors returns a copy of the fitted class probabilities (nil for
// regression or before Fit) and the fitted mean (regression).
func (m *Prior) Priors() (probs []float64, mean float64) {
	return append([]float64(nil), m.probs...), m.mean
}

const (
	priorVersion = 1
	priorMagic   = "automl/baseline.Prior\x00"
	maxFeatures  = 1 << 24
	maxClasses   = 1 << 16
)

// MarshalBinary encodes the fitted state (exact float bits).
func (m *Prior) MarshalBinary() ([]byte, error) {
	e := newEncoder(priorMagic, priorVersion)
	if !m.fitted {
		e.int(0)
		return e.b, nil
	}
	e.int(1)
	e.int(m.p)
	e.int(m.k)
	if m.k > 0 {
		e.floats(m.probs)
	} else {
		e.f64(m.mean)
	}
	return e.b, nil
}

// UnmarshalBinary restores a model written by MarshalBinary. Corrupt or
// truncated bytes give an error wrapping ErrEncoding; m is changed only on
// success.
func (m *Prior) UnmarshalBinary(b []byte) error {
	d, v := newDecoder(b, priorMagic)
	if d.err == nil && v != priorVersion {
		d.fail("prior encoding version %d, this build reads %d", v, priorVersion)
	}
	var out Prior
	out.fitted = d.int("fitted", 0, 1) == 1
	if d.err == nil && out.fitted {
		out.p = d.int("features", 0, maxFeatures)
		out.k = d.int("classes", 0, maxClasses)
		switch {
		case d.err != nil:
		case out.k == 1:
			d.fail("1 class")
		case out.k > 0:
			out.probs = d.floats("probs", out.k)
			for _, p := range out.probs {
				if !(p >= 0 && p <= 1) {
					d.fail("probability %v", p)
					break
				}
			}
		default:
			out.mean = d.f64()
			d.finite("mean", out.mean)
		}
	}
	if err := d.finish(); err != nil {
		return err
	}
	*m = out
	return nil
}
