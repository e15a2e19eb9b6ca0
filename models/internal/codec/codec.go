package codec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// ErrEncoding is the sentinel a Decoder wraps when NewDecoder is given a nil
// sentinel. Model packages pass their own instead.
var ErrEncoding = errors.New("codec: bad encoding")

// Encoder appends little-endian values to a byte slice. The zero value is
// not useful; make one with NewEncoder.
type Encoder struct{ b []byte }

// NewEncoder returns an Encoder whose output starts with magic and version.
func NewEncoder(magic string, version uint64) *Encoder {
	e := &Encoder{b: make([]byte, 0, 64)}
	e.b = append(e.b, magic...)
	e.U64(version)
	return e
}

// Bytes returns the encoding written so far. The caller owns the slice; the
// Encoder should not be used after Bytes.
func (e *Encoder) Bytes() []byte { return e.b }

// U64 appends v as 8 little-endian bytes.
func (e *Encoder) U64(v uint64) { e.b = binary.LittleEndian.AppendUint64(e.b, v) }

// Int appends v as its uint64 bits (Decoder.Int reads it back).
func (e *Encoder) Int(v int) { e.U64(uint64(v)) }

// F64 appends the IEEE 754 bits of v.
func (e *Encoder) F64(v float64) { e.U64(math.Float64bits(v)) }

// Floats appends len(v) and then each value of v.
func (e *Encoder) Floats(v []float64) {
	e.Int(len(v))
	for _, x := range v {
		e.F64(x)
	}
}

// Decoder reads what an Encoder wrote. The first error sticks: later reads
// return zero values and Err, Finish report that error.
type Decoder struct {
	b        []byte
	sentinel error
	err      error
}

// NewDecoder checks that b starts with magic and returns a Decoder
// positioned after the version, and the version read. Errors wrap sentinel
// (ErrEncoding if sentinel is nil); on a wrong magic or truncated header the
// version is 0 and Err is set. b is borrowed, never modified.
func NewDecoder(b []byte, magic string, sentinel error) (*Decoder, uint64) {
	if sentinel == nil {
		sentinel = ErrEncoding
	}
	d := &Decoder{b: b, sentinel: sentinel}
	if len(b) < len(magic) || string(b[:len(magic)]) != magic {
		d.err = fmt.Errorf("%w: not a %q model", sentinel, magic)
		return d, 0
	}
	d.b = b[len(magic):]
	return d, d.U64()
}

// Err returns the first error met so far, or nil.
func (d *Decoder) Err() error { return d.err }

// Len returns the number of bytes not yet read.
func (d *Decoder) Len() int { return len(d.b) }

// Fail records an error wrapping the sentinel, with the detail
// fmt.Sprintf(format, a...), unless an error is already recorded.
func (d *Decoder) Fail(format string, a ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: "+format, append([]any{d.sentinel}, a...)...)
	}
}

// U64 reads 8 little-endian bytes. It returns 0 after an error or when fewer
// than 8 bytes are left (which is recorded as "truncated").
func (d *Decoder) U64() uint64 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 8 {
		d.Fail("truncated")
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

// F64 reads a float64 from its IEEE 754 bits; 0 after an error. It does not
// check finiteness (see Finite).
func (d *Decoder) F64() float64 { return math.Float64frombits(d.U64()) }

// Int reads an integer that must lie in [lo, hi] and be at most
// math.MaxInt32; otherwise it records an error naming name and returns 0.
func (d *Decoder) Int(name string, lo, hi int) int {
	v := d.U64()
	if d.err != nil {
		return 0
	}
	if v > math.MaxInt32 || int(v) < lo || int(v) > hi {
		d.Fail("%s = %d out of range [%d, %d]", name, v, lo, hi)
		return 0
	}
	return int(v)
}

// Floats reads a slice written by Encoder.Floats whose length must be want.
// A different length, or one longer than the bytes left, records an error
// naming name and returns nil (nothing is allocated).
func (d *Decoder) Floats(name string, want int) []float64 {
	n := d.U64()
	if d.err != nil {
		return nil
	}
	if n != uint64(want) || n > uint64(len(d.b)/8) {
		d.Fail("%s has %d values, want %d (%d bytes left)", name, n, want, len(d.b))
		return nil
	}
	out := make([]float64, want)
	for i := range out {
		out[i] = d.F64()
	}
	return out
}

// Finite records an error naming name unless every value of v is finite
// (not NaN, not ±Inf).
func (d *Decoder) Finite(name string, v ...float64) {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			d.Fail("%s holds %v", name, x)
			return
		}
	}
}

// Finish returns the first error, or an error if bytes are left unread, or
// nil.
func (d *Decoder) Finish() error {
	if d.err == nil && len(d.b) != 0 {
		d.Fail("%d trailing bytes", len(d.b))
	}
	return d.err
}
