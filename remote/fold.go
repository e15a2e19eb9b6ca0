package remote

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/automl-agent/automl/models"
)

// ErrEncoding reports fold data or a fold result that cannot be
// decoded: truncated, corrupt or of another format version.
var ErrEncoding = errors.New("remote: bad fold encoding")

const (
	foldMagic   = "AMLFOLD1"
	resultMagic = "AMLRES02"
)

// EncodeFold encodes a fold's training data (X, Y, W, NumClasses,
// Categories and Bins; not Valid) and its held-out features into one
// little-endian blob that DecodeFold reads back bit for bit, nil slices
// staying nil. Its Key is the fold's address in a Store.
func EncodeFold(train *models.Data, testX [][]float64) ([]byte, error) {
	if train == nil {
		return nil, fmt.Errorf("%w: no training data", ErrEncoding)
	}
	if train.Valid != nil {
		return nil, fmt.Errorf("%w: training data with a validation set", ErrEncoding)
	}
	size := 64 + 8*len(train.Y) + 8*len(train.W) + 8*len(train.Categories)
	for _, c := range train.X {
		size += 8 + 8*len(c)
	}
	for _, c := range testX {
		size += 8 + 8*len(c)
	}
	if b := train.Bins; b != nil {
		for _, c := range b.Codes {
			size += 8 + len(c)
		}
		for _, u := range b.Uppers {
			size += 9 + 8*len(u)
		}
	}
	w := make(encoder, 0, size)
	w = append(w, foldMagic...)
	w.int(train.NumClasses)
	w.floats(train.Y)
	w.floats(train.W)
	w.ints(train.Categories)
	w.matrix(train.X)
	w.matrix(testX)
	if b := train.Bins; b == nil {
		w.int(-1)
	} else {
		w.int(b.N)
		w.int(len(b.Codes))
		for _, c := range b.Codes {
			w.bytes(c)
		}
		w.matrix(b.Uppers)
		w.ints(b.Categories)
	}
	return w, nil
}

// DecodeFold decodes what EncodeFold encoded. Bad input gives an error
// wrapping ErrEncoding, never a panic.
func DecodeFold(b []byte) (*models.Data, [][]float64, error) {
	r := decoder{b: b}
	if !r.magic(foldMagic) {
		return nil, nil, fmt.Errorf("%w: not fold data", ErrEncoding)
	}
	d := &models.Data{}
	d.NumClasses = r.int()
	d.Y = r.floats()
	d.W = r.floats()
	d.Categories = r.ints()
	d.X = r.matrix()
	testX := r.matrix()
	if n := r.int(); n >= 0 && r.err == nil {
		bins := &models.Binned{N: n}
		if nc := r.count(1); nc >= 0 {
			bins.Codes = make([][]uint8, nc)
			total := 0
			for j := range bins.Codes {
				bins.Codes[j] = r.bytes()
				total += len(bins.Codes[j])
			}
			// One contiguous block, as NewBinned allocates them.
			block := make([]uint8, 0, total)
			for j, c := range bins.Codes {
				if c != nil {
					block = append(block, c...)
					bins.Codes[j] = block[len(block)-len(c) : len(block) : len(block)]
				}
			}
		}
		bins.Uppers = r.matrix()
		bins.Categories = r.ints()
		d.Bins = bins
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = fmt.Errorf("%w: %d trailing bytes", ErrEncoding, len(r.b))
	}
	if r.err != nil {
		return nil, nil, r.err
	}
	return d, testX, nil
}

// resultNonce is the length of the random bytes each result starts with:
// two folds with the same predictions and model (a deterministic model
// fitted twice) still get different blob keys, so the coordinator can
// delete a result blob once read without pulling it from under the other.
const resultNonce = 16

// encodeResult packs a fold's predictions and its model's bytes.
func encodeResult(pred []float64, model []byte) []byte {
	w := make(encoder, 0, len(resultMagic)+resultNonce+9+8*len(pred)+len(model))
	w = append(w, resultMagic...)
	var nonce [resultNonce]byte
	_, _ = rand.Read(nonce[:]) // never fails (crypto/rand)
	w = append(w, nonce[:]...)
	w.floats(pred)
	w = append(w, model...)
	return w
}

// decodeResult unpacks what encodeResult packed; the model's bytes alias b.
func decodeResult(b []byte) (pred []float64, model []byte, err error) {
	r := decoder{b: b}
	if !r.magic(resultMagic) || len(r.b) < resultNonce {
		return nil, nil, fmt.Errorf("%w: not a fold result", ErrEncoding)
	}
	r.b = r.b[resultNonce:]
	pred = r.floats()
	if r.err != nil {
		return nil, nil, r.err
	}
	return pred, r.b, nil
}

// encoder appends little-endian values. A slice is its length (-1 for
// nil) then its elements.
type encoder []byte

func (w *encoder) int(v int) { *w = binary.LittleEndian.AppendUint64(*w, uint64(int64(v))) }

func (w *encoder) length(n int, isNil bool) {
	if isNil {
		n = -1
	}
	w.int(n)
}

func (w *encoder) floats(v []float64) {
	w.length(len(v), v == nil)
	for _, x := range v {
		*w = binary.LittleEndian.AppendUint64(*w, math.Float64bits(x))
	}
}

func (w *encoder) ints(v []int) {
	w.length(len(v), v == nil)
	for _, x := range v {
		w.int(x)
	}
}

func (w *encoder) bytes(v []byte) {
	w.length(len(v), v == nil)
	*w = append(*w, v...)
}

func (w *encoder) matrix(m [][]float64) {
	w.length(len(m), m == nil)
	for _, c := range m {
		w.floats(c)
	}
}

// decoder reads what encoder wrote; the first error sticks and later reads
// return zero values.
type decoder struct {
	b   []byte
	err error
}

func (r *decoder) magic(m string) bool {
	if len(r.b) < len(m) || string(r.b[:len(m)]) != m {
		return false
	}
	r.b = r.b[len(m):]
	return true
}

func (r *decoder) int() int {
	if r.err != nil {
		return 0
	}
	if len(r.b) < 8 {
		r.err = fmt.Errorf("%w: truncated", ErrEncoding)
		return 0
	}
	v := int64(binary.LittleEndian.Uint64(r.b))
	r.b = r.b[8:]
	if v < -1 || v > math.MaxInt32*64 {
		r.err = fmt.Errorf("%w: value %d out of range", ErrEncoding, v)
		return 0
	}
	return int(v)
}

// count reads a slice length whose elements take at least elem bytes
// each, and checks that they fit in what is left: -1 means nil.
func (r *decoder) count(elem int) int {
	n := r.int()
	if r.err == nil && n > len(r.b)/elem {
		r.err = fmt.Errorf("%w: length %d past the end", ErrEncoding, n)
	}
	if r.err != nil {
		return -1
	}
	return n
}

func (r *decoder) floats() []float64 {
	n := r.count(8)
	if n < 0 {
		return nil
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(r.b[8*i:]))
	}
	r.b = r.b[8*n:]
	return v
}

func (r *decoder) ints() []int {
	n := r.count(8)
	if n < 0 {
		return nil
	}
	v := make([]int, n)
	for i := range v {
		v[i] = r.int()
	}
	return v
}

func (r *decoder) bytes() []byte {
	n := r.count(1)
	if n < 0 {
		return nil
	}
	v := make([]byte, n)
	copy(v, r.b)
	r.b = r.b[n:]
	return v
}

func (r *decoder) matrix() [][]float64 {
	n := r.count(8)
	if n < 0 {
		return nil
	}
	m := make([][]float64, n)
	for j := range m {
		m[j] = r.floats()
	}
	return m
}
