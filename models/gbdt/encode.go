package gbdt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/automl-agent/automl/models"
)

// File format (little endian), version 1:
//
//	"GBDT" version:u8 obj:u8 nf:u32 numClasses:u32 k:u32
//	base:k×f64  importances:nf×f64  ntrees:u32
//	per tree: nnodes:u32 ncats:u32 nleaves:u32
//	          nodes: thr:f64 feature:u32 left:i32 right:i32 cat:i32 gain:f32 binThr:u8 defLeft:u8
//	          cats: ncats×4×u64  leaves: nleaves×f64
const (
	magic         = "GBDT"
	formatVersion = 1
	nodeBytes     = 8 + 4 + 4 + 4 + 4 + 4 + 1 + 1
)

// ErrFormat reports a model file that is not a valid gbdt model.
var ErrFormat = errors.New("gbdt: bad model data")

// MarshalBinary encodes the fitted model (versioned; see UnmarshalBinary).
func (m *Model) MarshalBinary() ([]byte, error) {
	if m.base == nil {
		return nil, models.ErrNotFitted
	}
	size := 4 + 2 + 12 + 8*len(m.base) + 8*len(m.imp) + 4
	for i := range m.trees {
		t := &m.trees[i]
		size += 12 + nodeBytes*len(t.nodes) + 8*len(t.cats) + 8*len(t.leaves)
	}
	b := make([]byte, 0, size)
	b = append(b, magic...)
	b = append(b, formatVersion, m.obj)
	b = binary.LittleEndian.AppendUint32(b, uint32(m.nf))
	b = binary.LittleEndian.AppendUint32(b, uint32(m.numClasses))
	b = binary.LittleEndian.AppendUint32(b, uint32(m.k))
	for _, v := range m.base {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	for _, v := range m.imp {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(m.trees)))
	for i := range m.trees {
		t := &m.trees[i]
		b = binary.LittleEndian.AppendUint32(b, uint32(len(t.nodes)))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(t.cats)/4))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(t.leaves)))
		for _, nd := range t.nodes {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(nd.thr))
			b = binary.LittleEndian.AppendUint32(b, uint32(nd.feature))
			b = binary.LittleEndian.AppendUint32(b, uint32(nd.left))
			b = binary.LittleEndian.AppendUint32(b, uint32(nd.right))
			b = binary.LittleEndian.AppendUint32(b, uint32(nd.cat))
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(nd.gain))
			dl := uint8(0)
			if nd.defLeft {
				dl = 1
			}
			b = append(b, nd.binThr, dl)
		}
		for _, w := range t.cats {
			b = binary.LittleEndian.AppendUint64(b, w)
		}
		for _, v := range t.leaves {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
	}
	return b, nil
}

// reader decodes with bounds checks; the first failure sticks.
type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b) {
		r.err = fmt.Errorf("%w: truncated", ErrFormat)
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) u8() uint8 {
	if b := r.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *reader) u32() uint32 {
	if b := r.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (r *reader) f64() float64 {
	if b := r.take(8); b != nil {
		return math.Float64frombits(binary.LittleEndian.Uint64(b))
	}
	return 0
}

// count reads a length and checks that at least count×unit bytes remain,
// so a corrupt length cannot trigger a huge allocation.
func (r *reader) count(unit int) int {
	n := int(r.u32())
	if r.err == nil && n > len(r.b)/unit {
		r.err = fmt.Errorf("%w: length %d exceeds the data", ErrFormat, n)
	}
	if r.err != nil {
		return 0
	}
	return n
}

// UnmarshalBinary decodes a model written by MarshalBinary, replacing m's
// fitted state (hyperparameters are not stored). Predictions after loading
// are bit-identical. Malformed or truncated data is an error wrapping
// ErrFormat; it never panics.
func (m *Model) UnmarshalBinary(data []byte) error {
	r := &reader{b: data}
	if string(r.take(4)) != magic {
		return fmt.Errorf("%w: not a gbdt model", ErrFormat)
	}
	if v := r.u8(); v != formatVersion {
		if r.err != nil {
			return r.err
		}
		return fmt.Errorf("%w: format version %d, this build reads %d", ErrFormat, v, formatVersion)
	}
	var out Model
	out.cfg = m.cfg
	out.obj = r.u8()
	out.nf = int(r.u32())
	out.numClasses = int(r.u32())
	out.k = int(r.u32())
	if r.err != nil {
		return r.err
	}
	switch {
	case out.obj < objSquared || out.obj > objMulticlass:
		return fmt.Errorf("%w: objective code %d", ErrFormat, out.obj)
	case out.nf < 1 || out.nf > len(r.b)/8:
		return fmt.Errorf("%w: %d features", ErrFormat, out.nf)
	case out.obj == objMulticlass && (out.numClasses < 2 || out.k != out.numClasses),
		out.obj == objBinary && (out.numClasses != 2 || out.k != 1),
		out.obj < objBinary && (out.numClasses != 0 || out.k != 1),
		out.k > len(r.b)/8:
		return fmt.Errorf("%w: objective %d with %d classes and %d outputs", ErrFormat, out.obj, out.numClasses, out.k)
	}
	out.base = make([]float64, out.k)
	for i := range out.base {
		out.base[i] = r.f64()
	}
	out.imp = make([]float64, out.nf)
	for i := range out.imp {
		out.imp[i] = r.f64()
	}
	ntrees := r.count(12)
	if r.err != nil {
		return r.err
	}
	if ntrees%out.k != 0 {
		return fmt.Errorf("%w: %d trees for %d outputs", ErrFormat, ntrees, out.k)
	}
	out.trees = make([]tree, ntrees)
	for ti := range out.trees {
		t := &out.trees[ti]
		nn := r.count(nodeBytes)
		nc := r.count(32)
		nl := r.count(8)
		if r.err != nil {
			return r.err
		}
		if nl != nn+1 {
			return fmt.Errorf("%w: tree %d has %d nodes and %d leaves", ErrFormat, ti, nn, nl)
		}
		t.nodes = make([]node, nn)
		for i := range t.nodes {
			nd := &t.nodes[i]
			nd.thr = r.f64()
			nd.feature = int32(r.u32())
			nd.left = int32(r.u32())
			nd.right = int32(r.u32())
			nd.cat = int32(r.u32())
			nd.gain = math.Float32frombits(r.u32())
			nd.binThr = r.u8()
			dl := r.u8()
			if r.err != nil {
				return r.err
			}
			if nd.feature < 0 || int(nd.feature) >= out.nf || dl > 1 || nd.cat < -1 || int(nd.cat) >= nc {
				return fmt.Errorf("%w: tree %d node %d", ErrFormat, ti, i)
			}
			nd.defLeft = dl == 1
			for _, c := range [2]int32{nd.left, nd.right} {
				if c >= 0 && (int(c) <= i || int(c) >= nn) || c < 0 && int(^c) >= nl {
					return fmt.Errorf("%w: tree %d node %d has child %d", ErrFormat, ti, i, c)
				}
			}
		}
		t.cats = make([]uint64, 4*nc)
		for i := range t.cats {
			b := r.take(8)
			if b == nil {
				return r.err
			}
			t.cats[i] = binary.LittleEndian.Uint64(b)
		}
		t.leaves = make([]float64, nl)
		for i := range t.leaves {
			t.leaves[i] = r.f64()
		}
		if r.err != nil {
			return r.err
		}
	}
	if len(r.b) != 0 {
		return fmt.Errorf("%w: %d trailing bytes", ErrFormat, len(r.b))
	}
	out.bestIter = ntrees / out.k
	out.forest = buildForest(out.trees, out.k)
	*m = out
	return nil
}
