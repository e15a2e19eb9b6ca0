package baseline

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// ErrEncoding reports bytes that UnmarshalBinary cannot decode: a wrong
// magic, an unsupported version, truncated or inconsistent data.
var ErrEncoding = errors.New("baseline: bad model encoding")

// encoder appends little-endian values to a byte slice.
type encoder struct{ b []byte }

func newEncoder(magic string, version uint64) *encoder {
	e := &encoder{b: make([]byte, 0, 64)}
	e.b = append(e.b, magic...)
	e.u64(version)
	return e
}

func (e *encoder) u64(v uint64)  { e.b = binary.LittleEndian.AppendUint64(e.b, v) }
func (e *encoder) int(v int)     { e.u64(uint64(v)) }
func (e *encoder) f64(v float64) { e.u64(math.Float64bits(v)) }
func (e *encoder) floats(v []float64) {
	e.int(len(v))
	for _, x := range v {
		e.f64(x)
	}
}

// decoder reads what encoder wrote; the first error sticks and later reads
// return zero values.
type decoder struct {
	b   []byte
	err error
}

// newDecoder checks the magic and returns the version.
func newDecoder(b []byte, magic string) (*decoder, uint64) {
	d := &decoder{b: b}
	if len(b) < len(magic) || string(b[:len(magic)]) != magic {
		d.err = fmt.Errorf("%w: not a %q model", ErrEncoding, magic)
		return d, 0
	}
	d.b = b[len(magic):]
	return d, d.u64()
}

func (d *decoder) fail(format string, a ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: "+format, append([]any{ErrEncoding}, a...)...)
	}
}

func (d *decoder) u64() uint64 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 8 {
		d.fail("truncated")
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

func (d *decoder) f64() float64 { return math.Float64frombits(d.u64()) }

// int reads an integer in [lo, hi].
func (d *decoder) int(name string, lo, hi int) int {
	v := d.u64()
	if d.err != nil {
		return 0
	}
	if v > math.MaxInt32 || int(v) < lo || int(v) > hi {
		d.fail("%s = %d out of range [%d, %d]", name, v, lo, hi)
		return 0
	}
	return int(v)
}

// floats reads a slice whose length must be want.
func (d *decoder) floats(name string, want int) []float64 {
	n := d.u64()
	if d.err != nil {
		return nil
	}
	if n != uint64(want) || n > uint64(len(d.b)/8) {
		d.fail("%s has %d values, want %d (%d bytes left)", name, n, want, len(d.b))
		return nil
	}
	out := make([]float64, want)
	for i := range out {
		out[i] = d.f64()
	}
	return out
}

// finite fails unless every value of v is finite.
func (d *decoder) finite(name string, v ...float64) {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			d.fail("%s holds %v", name, x)
			return
		}
	}
}

// finish reports the first error or trailing bytes.
func (d *decoder) finish() error {
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d trailing bytes", len(d.b))
	}
	return d.err
}
