package linear

import (
	"encoding"
	"math"
)

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
	e := newEncoder(logisticMagic, logisticVersion)
	e.f64(m.C)
	e.int(m.MaxIter)
	e.f64(m.Tol)
	e.int(m.p)
	e.int(m.k)
	if m.k != 0 {
		e.floats(m.coef)
		e.floats(m.intercept)
		e.floats(m.std)
	}
	return e.b, nil
}

// UnmarshalBinary restores a model written by MarshalBinary. Corrupt or
// truncated bytes give an error wrapping ErrEncoding; m is changed only on
// success.
func (m *Logistic) UnmarshalBinary(b []byte) error {
	d, v := newDecoder(b, logisticMagic)
	if d.err == nil && v != logisticVersion {
		d.fail("logistic encoding version %d, this build reads %d", v, logisticVersion)
	}
	var out Logistic
	out.C = d.f64()
	out.MaxIter = d.int("max_iter", 0, math.MaxInt32)
	out.Tol = d.f64()
	out.p = d.int("features", 0, maxFeatures)
	out.k = d.int("classes", 0, maxClasses)
	if d.err == nil && out.k != 0 {
		if out.k < 2 || out.p < 1 {
			d.fail("fitted logistic with %d classes and %d features", out.k, out.p)
		}
		r := out.k
		if r == 2 {
			r = 1
		}
		out.coef = d.floats("coef", r*out.p)
		out.intercept = d.floats("intercept", r)
		out.std = d.floats("std", out.p)
		d.finite("coefficients", out.coef...)
		d.finite("intercepts", out.intercept...)
		d.finite("std", out.std...)
	}
	if err := d.finish(); err != nil {
		return err
	}
	*m = out
	return nil
}

// MarshalBinary encodes the settings and fitted state (exact float bits).
func (m *LeastSquares) MarshalBinary() ([]byte, error) {
	e := newEncoder(leastSquaresMagic, leastSquaresVersion)
	e.f64(m.Alpha)
	e.int(m.p)
	if m.p != 0 {
		e.floats(m.coef)
		e.f64(m.intercept)
		e.floats(m.std)
	}
	return e.b, nil
}

// UnmarshalBinary restores a model written by MarshalBinary. Corrupt or
// truncated bytes give an error wrapping ErrEncoding; m is changed only on
// success.
func (m *LeastSquares) UnmarshalBinary(b []byte) error {
	d, v := newDecoder(b, leastSquaresMagic)
	if d.err == nil && v != leastSquaresVersion {
		d.fail("least squares encoding version %d, this build reads %d", v, leastSquaresVersion)
	}
	var out LeastSquares
	out.Alpha = d.f64()
	out.p = d.int("features", 0, maxFeatures)
	if d.err == nil && out.p != 0 {
		out.coef = d.floats("coef", out.p)
		out.intercept = d.f64()
		out.std = d.floats("std", out.p)
		d.finite("coefficients", out.coef...)
		d.finite("intercept", out.intercept)
		d.finite("std", out.std...)
	}
	if err := d.finish(); err != nil {
		return err
	}
	*m = out
	return nil
}
