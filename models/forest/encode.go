package forest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/automl-agent/automl/models"
)

// ErrFormat reports bytes that are not a forest encoded by MarshalBinary
// (wrong magic, unknown version, truncated or inconsistent).
var ErrFormat = errors.New("forest: bad encoding")

// Encoding: magic, version, then little-endian fields (see MarshalBinary).
// Version 2 added pure classification leaves (a negative leaf offset names
// the class) and sparse ones (a leaf threshold n > 0 says its values are n
// class, probability pairs); version 1 bytes, whose leaves all carry K
// probabilities, are still read.
const (
	magic         = "AMLF"
	formatVersion = 2
	nodeBytes     = 8 + 4 + 4
)

// MarshalBinary encodes the fitted forest: configuration, trees, importances
// (not the out-of-bag predictions)
// (format version 2, little-endian, 16 bytes per node plus, for
// classification, 8 per class per leaf that holds more than one class, or 16
// per class present when that is less). It returns models.ErrNotFitted
// before Fit.
func (m *Forest) MarshalBinary() ([]byte, error) {
	if len(m.trees) == 0 {
		return nil, models.ErrNotFitted
	}
	size := 128 + 9*m.features
	for i := range m.trees {
		t := &m.trees[i]
		size += 12 + nodeBytes*len(t.nodes) + 8*len(t.values) + 8*len(t.cats)
	}
	b := make([]byte, 0, size)
	le := binary.LittleEndian
	b = append(b, magic...)
	b = append(b, formatVersion, byte(m.cfg.Kind))
	var flags byte
	if m.cfg.NoBootstrap {
		flags |= 1
	}
	if m.cfg.OOB {
		flags |= 2
	}
	b = append(b, flags)
	c := m.cfg
	b = le.AppendUint32(b, uint32(c.Trees))
	b = le.AppendUint64(b, math.Float64bits(c.MaxFeatures))
	b = le.AppendUint32(b, uint32(c.MaxDepth))
	b = le.AppendUint32(b, uint32(c.MinSamplesLeaf))
	b = le.AppendUint32(b, uint32(c.MinSamplesSplit))
	b = le.AppendUint64(b, math.Float64bits(c.MinImpurityDecrease))
	b = le.AppendUint64(b, math.Float64bits(c.MaxSamples))
	b = le.AppendUint64(b, c.Seed)
	b = le.AppendUint32(b, uint32(c.Jobs))
	b = le.AppendUint32(b, uint32(c.MaxBins))
	b = le.AppendUint32(b, uint32(m.features))
	b = le.AppendUint32(b, uint32(m.numClasses))
	b = append(b, m.catWords...)
	for _, v := range m.imp {
		b = le.AppendUint64(b, math.Float64bits(v))
	}
	b = le.AppendUint32(b, uint32(len(m.trees)))
	for i := range m.trees {
		t := &m.trees[i]
		b = le.AppendUint32(b, uint32(len(t.nodes)))
		for _, nd := range t.nodes {
			b = le.AppendUint64(b, math.Float64bits(nd.thr))
			b = le.AppendUint32(b, nd.feat)
			b = le.AppendUint32(b, uint32(nd.child))
		}
		b = le.AppendUint32(b, uint32(len(t.values)))
		for _, v := range t.values {
			b = le.AppendUint64(b, math.Float64bits(v))
		}
		b = le.AppendUint32(b, uint32(len(t.cats)))
		for _, w := range t.cats {
			b = le.AppendUint64(b, w)
		}
	}
	return b, nil
}

// decoder reads little-endian fields, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(format string, a ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: "+format, append([]any{ErrFormat}, a...)...)
	}
}

func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b) {
		d.fail("truncated (need %d bytes, %d left)", n, len(d.b))
		return nil
	}
	out := d.b[:n]
	d.b = d.b[n:]
	return out
}

func (d *decoder) u8() byte {
	if p := d.take(1); p != nil {
		return p[0]
	}
	return 0
}

func (d *decoder) u32() uint32 {
	if p := d.take(4); p != nil {
		return binary.LittleEndian.Uint32(p)
	}
	return 0
}

func (d *decoder) u64() uint64 {
	if p := d.take(8); p != nil {
		return binary.LittleEndian.Uint64(p)
	}
	return 0
}

func (d *decoder) f64() float64 { return math.Float64frombits(d.u64()) }

// count reads a length whose items take at least each bytes, checking the
// bytes are there before anything is allocated.
func (d *decoder) count(each int, what string) int {
	n := int(d.u32())
	if d.err == nil && n > len(d.b)/each {
		d.fail("%d %s do not fit in %d bytes", n, what, len(d.b))
		return 0
	}
	return n
}

// UnmarshalBinary decodes a forest written by MarshalBinary, replacing m.
// Bytes that are truncated, of another version or inconsistent (a child
// index out of range, a feature out of range, ...) give an error wrapping
// ErrFormat; m is then left unchanged.
func (m *Forest) UnmarshalBinary(data []byte) error {
	d := &decoder{b: data}
	if string(d.take(len(magic))) != magic {
		return fmt.Errorf("%w: not a forest (bad magic)", ErrFormat)
	}
	version := d.u8()
	if version < 1 || version > formatVersion {
		return fmt.Errorf("%w: format version %d, this build reads 1 to %d", ErrFormat, version, formatVersion)
	}
	var c Config
	c.Kind = Kind(d.u8())
	flags := d.u8()
	c.NoBootstrap = flags&1 != 0
	c.OOB = flags&2 != 0
	c.Trees = int(d.u32())
	c.MaxFeatures = d.f64()
	c.MaxDepth = int(int32(d.u32()))
	c.MinSamplesLeaf = int(int32(d.u32()))
	c.MinSamplesSplit = int(int32(d.u32()))
	c.MinImpurityDecrease = d.f64()
	c.MaxSamples = d.f64()
	c.Seed = d.u64()
	c.Jobs = int(int32(d.u32()))
	c.MaxBins = int(int32(d.u32()))
	features := int(d.u32())
	numClasses := int(d.u32())
	if d.err != nil {
		return d.err
	}
	if flags&^3 != 0 {
		return fmt.Errorf("%w: unknown flags %#x", ErrFormat, flags)
	}
	if err := c.validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrFormat, err)
	}
	if features < 1 || features > len(d.b)/9 {
		return fmt.Errorf("%w: %d features", ErrFormat, features)
	}
	if numClasses == 1 || numClasses < 0 || numClasses > 1<<20 {
		return fmt.Errorf("%w: %d classes", ErrFormat, numClasses)
	}
	k := max(1, numClasses)
	catWords := append([]uint8(nil), d.take(features)...)
	for j, w := range catWords {
		if w > 4 {
			return fmt.Errorf("%w: feature %d has %d category words", ErrFormat, j, w)
		}
	}
	imp := make([]float64, features)
	for j := range imp {
		imp[j] = d.f64()
	}
	nt := d.count(nodeBytes+12, "trees")
	if d.err != nil {
		return d.err
	}
	if nt == 0 {
		return fmt.Errorf("%w: no trees", ErrFormat)
	}
	trees := make([]tree, nt)
	for ti := range trees {
		t := &trees[ti]
		nn := d.count(nodeBytes, "nodes")
		t.nodes = make([]node, nn)
		for i := range t.nodes {
			nd := &t.nodes[i]
			nd.thr = d.f64()
			nd.feat = d.u32()
			nd.child = int32(d.u32())
		}
		nv := d.count(8, "values")
		t.values = make([]float64, nv)
		for i := range t.values {
			t.values[i] = d.f64()
		}
		nc := d.count(8, "category words")
		t.cats = make([]uint64, nc)
		for i := range t.cats {
			t.cats[i] = d.u64()
		}
		if d.err != nil {
			return d.err
		}
		if err := t.check(features, k, catWords, version); err != nil {
			return fmt.Errorf("%w: tree %d: %w", ErrFormat, ti, err)
		}
	}
	if len(d.b) != 0 {
		return fmt.Errorf("%w: %d trailing bytes", ErrFormat, len(d.b))
	}
	*m = Forest{cfg: c, features: features, numClasses: numClasses, catWords: catWords, trees: trees, imp: imp}
	return nil
}

// check validates a decoded tree of format version so that prediction
// cannot index out of range or loop: children come after their parent.
func (t *tree) check(features, k int, catWords []uint8, version byte) error {
	nn := int32(len(t.nodes))
	if nn == 0 {
		return errors.New("no nodes")
	}
	for i := range t.nodes {
		nd := &t.nodes[i]
		if nd.isLeaf() {
			if k > 1 {
				if err := t.checkLeaf(nd, k, version); err != nil {
					return fmt.Errorf("node %d: %w", i, err)
				}
			}
			continue
		}
		f := nd.feature()
		if f >= features {
			return fmt.Errorf("node %d: feature %d out of range", i, f)
		}
		if nd.child <= int32(i) || nd.child >= nn-1 {
			return fmt.Errorf("node %d: child %d out of range", i, nd.child)
		}
		cw := int(catWords[f])
		if nd.isCat() != (cw > 0) {
			return fmt.Errorf("node %d: split kind does not match feature %d", i, f)
		}
		if cw > 0 {
			if off := math.Float64bits(nd.thr); off > uint64(len(t.cats)) || int(off)+cw > len(t.cats) {
				return fmt.Errorf("node %d: category offset %d out of range", i, off)
			}
		} else if nd.thr != nd.thr {
			return fmt.Errorf("node %d: NaN threshold", i)
		}
	}
	return nil
}

// checkLeaf validates classification leaf nd of a K-class tree: a pure
// leaf's class, a dense leaf's K values or a sparse leaf's pairs, whose
// classes must be whole numbers below k (version 1 has dense leaves only).
func (t *tree) checkLeaf(nd *node, k int, version byte) error {
	n := nd.thr
	if version < 2 && nd.child < 0 {
		return fmt.Errorf("leaf class %d in version %d bytes", -int64(nd.child)-1, version)
	}
	if version < 2 && n != 0 {
		return fmt.Errorf("leaf pair count %v in version %d bytes", n, version)
	}
	if nd.child < 0 {
		if c := -int(nd.child) - 1; c >= k {
			return fmt.Errorf("leaf class %d out of range", c)
		}
		return nil
	}
	if n == 0 {
		if int(nd.child)+k > len(t.values) {
			return fmt.Errorf("leaf value offset %d out of range", nd.child)
		}
		return nil
	}
	if !(n >= 1 && n <= float64(k)) || n != math.Trunc(n) {
		return fmt.Errorf("leaf pair count %v out of range", n)
	}
	if int(nd.child)+2*int(n) > len(t.values) {
		return fmt.Errorf("leaf value offset %d out of range", nd.child)
	}
	pairs := t.values[nd.child : int(nd.child)+2*int(n)]
	for j := 0; j < len(pairs); j += 2 {
		if c := pairs[j]; !(c >= 0 && c < float64(k)) || c != math.Trunc(c) {
			return fmt.Errorf("leaf class %v out of range", c)
		}
	}
	return nil
}
