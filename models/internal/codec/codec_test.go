package codec_test

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models/internal/codec"
)

var errTest = errors.New("test: bad encoding")

const (
	magic   = "automl/test\x00"
	version = 3
)

// record holds one value of every kind the codec writes.
type record struct {
	u   uint64
	i   int
	f   float64
	fs  []float64
	nan float64
}

func (r record) encode() []byte {
	e := codec.NewEncoder(magic, version)
	e.U64(r.u)
	e.Int(r.i)
	e.F64(r.f)
	e.Floats(r.fs)
	e.F64(r.nan)
	return e.Bytes()
}

// decode reads what encode wrote; want is the expected length of fs.
func decode(b []byte, want int) (record, uint64, error) {
	d, v := codec.NewDecoder(b, magic, errTest)
	var r record
	r.u = d.U64()
	r.i = d.Int("i", -5, 1<<20)
	r.f = d.F64()
	r.fs = d.Floats("fs", want)
	r.nan = d.F64()
	return r, v, d.Finish()
}

func TestRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		r    record
	}{
		{"zeros", record{fs: []float64{}}},
		{"typical", record{u: math.MaxUint64, i: 12345, f: -0.1, fs: []float64{1, -2.5, 1e-300, math.SmallestNonzeroFloat64}, nan: math.NaN()}},
		{"specials", record{u: 1 << 63, i: 1 << 20, f: math.Copysign(0, -1), fs: []float64{math.Inf(1), math.Inf(-1), math.MaxFloat64}, nan: math.Float64frombits(0x7ff8_0000_dead_beef)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.r.encode()
			require.Len(t, b, len(magic)+8*(1+4+len(tc.r.fs)+1))
			assert.Equal(t, magic, string(b[:len(magic)]))
			got, v, err := decode(b, len(tc.r.fs))
			require.NoError(t, err)
			assert.Equal(t, uint64(version), v)
			assert.Equal(t, tc.r.u, got.u)
			assert.Equal(t, tc.r.i, got.i)
			assert.Equal(t, math.Float64bits(tc.r.f), math.Float64bits(got.f), "exact bits")
			require.Len(t, got.fs, len(tc.r.fs))
			for i := range tc.r.fs {
				assert.Equal(t, math.Float64bits(tc.r.fs[i]), math.Float64bits(got.fs[i]), "fs[%d]", i)
			}
			assert.Equal(t, math.Float64bits(tc.r.nan), math.Float64bits(got.nan), "NaN payload kept")
		})
	}
}

func TestLittleEndian(t *testing.T) {
	e := codec.NewEncoder("M", 0x0102)
	e.Int(-1)
	assert.Equal(t, []byte{'M', 2, 1, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, e.Bytes())
}

func TestTruncated(t *testing.T) {
	r := record{u: 7, i: 3, f: 2, fs: []float64{1, 2, 3}, nan: 4}
	b := r.encode()
	endFs := len(b) - 8 // the last field follows the slice
	for n := range len(b) {
		got, _, err := decode(b[:n], 3)
		require.Error(t, err, "truncated to %d", n)
		assert.ErrorIs(t, err, errTest, "truncated to %d", n)
		if n < endFs {
			assert.Nil(t, got.fs, "truncated to %d: no partial slice", n)
		}
	}
	_, _, err := decode(append(b, 0), 3)
	assert.ErrorIs(t, err, errTest, "trailing byte")
	assert.ErrorContains(t, err, "1 trailing bytes")
}

func TestWrongMagic(t *testing.T) {
	b := record{fs: []float64{}}.encode()
	for _, bad := range [][]byte{nil, []byte("automl/tes"), append([]byte("automl/TEST\x00"), b[len(magic):]...)} {
		d, v := codec.NewDecoder(bad, magic, errTest)
		assert.Zero(t, v)
		require.ErrorIs(t, d.Err(), errTest)
		assert.ErrorContains(t, d.Err(), "not a")
		// Reads after the error are zero and keep the first error.
		first := d.Err()
		assert.Zero(t, d.U64())
		assert.Zero(t, d.Int("x", 0, 1))
		assert.Nil(t, d.Floats("x", 0))
		d.Fail("later")
		assert.Same(t, first, d.Finish())
	}
}

func TestChecks(t *testing.T) {
	enc := func(write func(e *codec.Encoder)) []byte {
		e := codec.NewEncoder(magic, version)
		write(e)
		return e.Bytes()
	}
	cases := []struct {
		name string
		b    []byte
		read func(d *codec.Decoder)
		msg  string
	}{
		{"int above hi", enc(func(e *codec.Encoder) { e.Int(11) }), func(d *codec.Decoder) { d.Int("n", 0, 10) }, "n = 11 out of range [0, 10]"},
		{"int below lo", enc(func(e *codec.Encoder) { e.Int(1) }), func(d *codec.Decoder) { d.Int("n", 2, 10) }, "n = 1 out of range"},
		{"int negative", enc(func(e *codec.Encoder) { e.Int(-1) }), func(d *codec.Decoder) { d.Int("n", math.MinInt, math.MaxInt) }, "out of range"},
		{"int above MaxInt32", enc(func(e *codec.Encoder) { e.Int(math.MaxInt32 + 1) }), func(d *codec.Decoder) { d.Int("n", 0, math.MaxInt) }, "out of range"},
		{"floats wrong length", enc(func(e *codec.Encoder) { e.Floats([]float64{1, 2}) }), func(d *codec.Decoder) { d.Floats("v", 3) }, "v has 2 values, want 3"},
		{"floats huge length", enc(func(e *codec.Encoder) { e.U64(math.MaxUint64) }), func(d *codec.Decoder) { d.Floats("v", math.MaxInt) }, "v has"},
		{"floats length beyond input", enc(func(e *codec.Encoder) { e.Int(1 << 30) }), func(d *codec.Decoder) { d.Floats("v", 1<<30) }, "bytes left"},
		{"nan", enc(func(e *codec.Encoder) { e.F64(math.NaN()) }), func(d *codec.Decoder) { d.Finite("x", d.F64()) }, "x holds NaN"},
		{"inf", enc(func(e *codec.Encoder) { e.Floats([]float64{1, math.Inf(-1)}) }), func(d *codec.Decoder) { d.Finite("v", d.Floats("v", 2)...) }, "v holds -Inf"},
		{"fail", enc(func(e *codec.Encoder) {}), func(d *codec.Decoder) { d.Fail("version %d", 9) }, "version 9"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := codec.NewDecoder(tc.b, magic, errTest)
			require.NoError(t, d.Err())
			tc.read(d)
			err := d.Finish()
			require.ErrorIs(t, err, errTest)
			assert.ErrorContains(t, err, tc.msg)
		})
	}
}

func TestLen(t *testing.T) {
	b := record{fs: []float64{1}}.encode()
	d, _ := codec.NewDecoder(b, magic, errTest)
	assert.Equal(t, len(b)-len(magic)-8, d.Len())
	d.U64()
	assert.Equal(t, len(b)-len(magic)-16, d.Len())
}

func TestNilSentinel(t *testing.T) {
	d, _ := codec.NewDecoder(nil, magic, nil)
	assert.ErrorIs(t, d.Err(), codec.ErrEncoding)
}

func FuzzDecode(f *testing.F) {
	f.Add(record{fs: []float64{}}.encode(), 0)
	f.Add(record{u: 1, i: 2, f: 3, fs: []float64{4, 5}, nan: math.NaN()}.encode(), 2)
	f.Add(record{fs: []float64{1}}.encode()[:len(magic)+20], 1)
	f.Add([]byte("garbage"), 0)
	f.Fuzz(func(t *testing.T, b []byte, want int) {
		want = max(0, min(want, 1<<20))
		got, v, err := decode(b, want)
		if err != nil {
			if !errors.Is(err, errTest) {
				t.Fatalf("error %v does not wrap the sentinel", err)
			}
			return
		}
		// Accepted input re-encodes to the same bytes.
		if v != version {
			e := codec.NewEncoder(magic, v)
			b2 := e.Bytes()
			if string(b2) != string(b[:len(b2)]) {
				t.Fatalf("header mismatch")
			}
			return
		}
		if b2 := got.encode(); string(b2) != string(b) {
			t.Fatalf("round trip differs:\n%x\n%x", b, b2)
		}
	})
}
