package baseline

import (
	"context"
	"encoding"
	"errors"
	"fmt"
	"math"

	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/models/internal/codec"
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

// ErrEncoding reports bytes that UnmarshalBinary cannot decode: a wrong
// magic, an unsupported version, truncated or inconsistent data.
var ErrEncoding = errors.New("baseline: bad model encoding")

const (
	priorVersion = 1
	priorMagic   = "automl/baseline.Prior\x00"
	maxFeatures  = 1 << 24
	maxClasses   = 1 << 16
)

// MarshalBinary encodes the fitted state (exact float bits).
func (m *Prior) MarshalBinary() ([]byte, error) {
	e := codec.NewEncoder(priorMagic, priorVersion)
	if !m.fitted {
		e.Int(0)
		return e.Bytes(), nil
	}
	e.Int(1)
	e.Int(m.p)
	e.Int(m.k)
	if m.k > 0 {
		e.Floats(m.probs)
	} else {
		e.F64(m.mean)
	}
	return e.Bytes(), nil
}

// UnmarshalBinary restores a model written by MarshalBinary. Corrupt or
// truncated bytes give an error wrapping ErrEncoding; m is changed only on
// success.
func (m *Prior) UnmarshalBinary(b []byte) error {
	d, v := codec.NewDecoder(b, priorMagic, ErrEncoding)
	if d.Err() == nil && v != priorVersion {
		d.Fail("prior encoding version %d, this build reads %d", v, priorVersion)
	}
	var out Prior
	out.fitted = d.Int("fitted", 0, 1) == 1
	if d.Err() == nil && out.fitted {
		out.p = d.Int("features", 0, maxFeatures)
		out.k = d.Int("classes", 0, maxClasses)
		switch {
		case d.Err() != nil:
		case out.k == 1:
			d.Fail("1 class")
		case out.k > 0:
			out.probs = d.Floats("probs", out.k)
			for _, p := range out.probs {
				if !(p >= 0 && p <= 1) {
					d.Fail("probability %v", p)
					break
				}
			}
		default:
			out.mean = d.F64()
			d.Finite("mean", out.mean)
		}
	}
	if err := d.Finish(); err != nil {
		return err
	}
	*m = out
	return nil
}
