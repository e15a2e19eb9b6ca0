package linear

import (
	"encoding"
	"errors"
	"math"

	"github.com/automl-agent/automl/models/internal/codec"
)

// ErrEncoding reports bytes that UnmarshalBinary cannot decode: a wrong
// magic, an unsupported version, truncated or inconsistent data.
var ErrEncoding = errors.New("linear: bad model encoding")

// Encoding versions written by MarshalBinary. UnmarshalBinary reads these
// and rejects newer ones.
const (
	logisticVersion     = 1
	leastSquaresVersion = 1
	logisticMagic       = "automl/linear.Logistic\x00"
	leastSquaresMagic   = "automl/linear.LeastSquares\x00"
	maxFeatures         = 1 << 24
	maxClasses          = 1 << 16
)

var (
	_ encoding.BinaryMarshaler   = (*Logistic)(nil)
	_ encoding.BinaryUnmarshaler = (*Logistic)(nil)
	_ encoding.BinaryMarshaler   = (*LeastSquares)(nil)
	_ encoding.BinaryUnmarshaler = (*LeastSquares)(nil)
)

// MarshalBinary encodes the settings and fitted state (exact float bits).
// An unfitted model encodes its settings only.
func (m *Logistic) MarshalBinary() ([]byte, error) {
	e := codec.NewEncoder(logisticMagic, logisticVersion)
	e.F64(m.C)
	e.Int(m.MaxIter)
	e.F64(m.Tol)
	e.Int(m.p)
	e.Int(m.k)
	if m.k != 0 {
		e.Floats(m.coef)
		e.Floats(m.intercept)
		e.Floats(m.std)
	}
	return e.Bytes(), nil
}

// UnmarshalBinary restores a model written by MarshalBinary. Corrupt or
// truncated bytes give an error wrapping ErrEncoding; m is changed only on
// success.
func (m *Logistic) UnmarshalBinary(b []byte) error {
	d, v := codec.NewDecoder(b, logisticMagic, ErrEncoding)
	if d.Err() == nil && v != logisticVersion {
		d.Fail("logistic encoding version %d, this build reads %d", v, logisticVersion)
	}
	var out Logistic
	out.C = d.F64()
	out.MaxIter = d.Int("max_iter", 0, math.MaxInt32)
	out.Tol = d.F64()
	out.p = d.Int("features", 0, maxFeatures)
	out.k = d.Int("classes", 0, maxClasses)
	if d.Err() == nil && out.k != 0 {
		if out.k < 2 || out.p < 1 {
			d.Fail("fitted logistic with %d classes and %d features", out.k, out.p)
		}
		r := out.k
		if r == 2 {
			r = 1
		}
		out.coef = d.Floats("coef", r*out.p)
		out.intercept = d.Floats("intercept", r)
		out.std = d.Floats("std", out.p)
		d.Finite("coefficients", out.coef...)
		d.Finite("intercepts", out.intercept...)
		d.Finite("std", out.std...)
	}
	if err := d.Finish(); err != nil {
		return err
	}
	*m = out
	return nil
}

// MarshalBinary encodes the settings and fitted state (exact float bits).
func (m *LeastSquares) MarshalBinary() ([]byte, error) {
	e := codec.NewEncoder(leastSquaresMagic, leastSquaresVersion)
	e.F64(m.Alpha)
	e.Int(m.p)
	if m.p != 0 {
		e.Floats(m.coef)
		e.F64(m.intercept)
		e.Floats(m.std)
	}
	return e.Bytes(), nil
}

// UnmarshalBinary restores a model written by MarshalBinary. Corrupt or
// truncated bytes give an error wrapping ErrEncoding; m is changed only on
// success.
func (m *LeastSquares) UnmarshalBinary(b []byte) error {
	d, v := codec.NewDecoder(b, leastSquaresMagic, ErrEncoding)
	if d.Err() == nil && v != leastSquaresVersion {
		d.Fail("least squares encoding version %d, this build reads %d", v, leastSquaresVersion)
	}
	var out LeastSquares
	out.Alpha = d.F64()
	out.p = d.Int("features", 0, maxFeatures)
	if d.Err() == nil && out.p != 0 {
		out.coef = d.Floats("coef", out.p)
		out.intercept = d.F64()
		out.std = d.Floats("std", out.p)
		d.Finite("coefficients", out.coef...)
		d.Finite("intercept", out.intercept)
		d.Finite("std", out.std...)
	}
	if err := d.Finish(); err != nil {
		return err
	}
	*m = out
	return nil
}
