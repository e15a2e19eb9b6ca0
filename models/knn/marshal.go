package knn

import (
	"encoding"
	"errors"
	"math"

	"github.com/automl-agent/automl/models/internal/codec"
)

// ErrEncoding reports bytes that UnmarshalBinary cannot decode: a wrong
// magic, an unsupported version, truncated or inconsistent data.
var ErrEncoding = errors.New("knn: bad model encoding")

const (
	knnVersion  = 2 // 2 added Smoothing
	knnMagic    = "automl/knn.KNN\x00"
	maxFeatures = 1 << 24
	maxClasses  = 1 << 16
)

var (
	_ encoding.BinaryMarshaler   = (*KNN)(nil)
	_ encoding.BinaryUnmarshaler = (*KNN)(nil)
)

// MarshalBinary encodes the settings and the kept training rows (exact
// float bits). An unfitted model encodes its settings only.
func (m *KNN) MarshalBinary() ([]byte, error) {
	e := codec.NewEncoder(knnMagic, knnVersion)
	e.Int(m.Neighbors)
	e.Int(int(m.Weights))
	e.Int(m.MaxTrainRows)
	e.U64(m.Seed)
	e.F64(m.Smoothing)
	e.Int(m.p)
	e.Int(m.k)
	e.Int(m.n)
	if m.n != 0 {
		e.Floats(m.train)
		e.Floats(m.y)
		if m.w == nil {
			e.Int(0)
		} else {
			e.Int(1)
			e.Floats(m.w)
		}
	}
	return e.Bytes(), nil
}

// UnmarshalBinary restores a model written by MarshalBinary. Corrupt or
// truncated bytes give an error wrapping ErrEncoding; m is changed only on
// success.
func (m *KNN) UnmarshalBinary(b []byte) error {
	d, v := codec.NewDecoder(b, knnMagic, ErrEncoding)
	if d.Err() == nil && (v < 1 || v > knnVersion) {
		d.Fail("knn encoding version %d, this build reads 1 to %d", v, knnVersion)
	}
	var out KNN
	out.Neighbors = d.Int("k", 0, math.MaxInt32)
	out.Weights = Weighting(d.Int("weights", int(Uniform), int(Distance)))
	out.MaxTrainRows = d.Int("max_train_rows", 0, math.MaxInt32)
	out.Seed = d.U64()
	if v >= 2 {
		out.Smoothing = d.F64()
		if d.Err() == nil && (!(out.Smoothing >= 0) || math.IsInf(out.Smoothing, 0)) {
			d.Fail("smoothing %v", out.Smoothing)
		}
	}
	out.p = d.Int("features", 0, maxFeatures)
	out.k = d.Int("classes", 0, maxClasses)
	out.n = d.Int("rows", 0, math.MaxInt32)
	if d.Err() == nil && out.k == 1 {
		d.Fail("1 class")
	}
	if d.Err() == nil && out.n != 0 {
		if out.p < 1 {
			d.Fail("fitted knn with no features")
		}
		if d.Err() == nil && uint64(out.n)*uint64(out.p) > uint64(d.Len()/8) {
			d.Fail("%d×%d training matrix but %d bytes left", out.n, out.p, d.Len())
		}
		out.train = d.Floats("train", out.p*out.n)
		out.y = d.Floats("y", out.n)
		if d.Int("has weights", 0, 1) == 1 {
			out.w = d.Floats("w", out.n)
			for _, w := range out.w {
				if !(w > 0) || math.IsInf(w, 0) {
					d.Fail("weight %v", w)
					break
				}
			}
		}
		d.Finite("train", out.train...)
		d.Finite("y", out.y...)
		if d.Err() == nil && out.k > 0 {
			for _, y := range out.y {
				if y < 0 || y >= float64(out.k) || y != math.Trunc(y) {
					d.Fail("class %v not in 0..%d", y, out.k-1)
					break
				}
			}
		}
		out.classes = out.k > 0
	}
	if err := d.Finish(); err != nil {
		return err
	}
	if out.n != 0 {
		out.norms = rowNorms(out.train, out.n, out.p)
		out.prior = classPrior(out.y, out.w, out.k)
	}
	if _, _, err := out.config(); err != nil {
		return err
	}
	*m = out
	return nil
}
