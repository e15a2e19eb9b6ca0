package knn

import (
	"encoding"
	"math"
)

const (
	knnVersion  = 1
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
	e := newEncoder(knnMagic, knnVersion)
	e.int(m.Neighbors)
	e.int(int(m.Weights))
	e.int(m.MaxTrainRows)
	e.u64(m.Seed)
	e.int(m.p)
	e.int(m.k)
	e.int(m.n)
	if m.n != 0 {
		e.floats(m.train)
		e.floats(m.y)
		if m.w == nil {
			e.int(0)
		} else {
			e.int(1)
			e.floats(m.w)
		}
	}
	return e.b, nil
}

// UnmarshalBinary restores a model written by MarshalBinary. Corrupt or
// truncated bytes give an error wrapping ErrEncoding; m is changed only on
// success.
func (m *KNN) UnmarshalBinary(b []byte) error {
	d, v := newDecoder(b, knnMagic)
	if d.err == nil && v != knnVersion {
		d.fail("knn encoding version %d, this build reads %d", v, knnVersion)
	}
	var out KNN
	out.Neighbors = d.int("k", 0, math.MaxInt32)
	out.Weights = Weighting(d.int("weights", int(Uniform), int(Distance)))
	out.MaxTrainRows = d.int("max_train_rows", 0, math.MaxInt32)
	out.Seed = d.u64()
	out.p = d.int("features", 0, maxFeatures)
	out.k = d.int("classes", 0, maxClasses)
	out.n = d.int("rows", 0, math.MaxInt32)
	if d.err == nil && out.k == 1 {
		d.fail("1 class")
	}
	if d.err == nil && out.n != 0 {
		if out.p < 1 {
			d.fail("fitted knn with no features")
		}
		if d.err == nil && uint64(out.n)*uint64(out.p) > uint64(len(d.b)/8) {
			d.fail("%d×%d training matrix but %d bytes left", out.n, out.p, len(d.b))
		}
		out.train = d.floats("train", out.p*out.n)
		out.y = d.floats("y", out.n)
		if d.int("has weights", 0, 1) == 1 {
			out.w = d.floats("w", out.n)
			for _, w := range out.w {
				if !(w > 0) || math.IsInf(w, 0) {
					d.fail("weight %v", w)
					break
				}
			}
		}
		d.finite("train", out.train...)
		d.finite("y", out.y...)
		if d.err == nil && out.k > 0 {
			for _, y := range out.y {
				if y < 0 || y >= float64(out.k) || y != math.Trunc(y) {
					d.fail("class %v not in 0..%d", y, out.k-1)
					break
				}
			}
		}
		out.classes = out.k > 0
	}
	if err := d.finish(); err != nil {
		return err
	}
	if out.n != 0 {
		out.norms = rowNorms(out.train, out.n, out.p)
	}
	if _, _, err := out.config(); err != nil {
		return err
	}
	*m = out
	return nil
}
