package reftest_test

import (
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models/internal/reftest"
)

// recorder is a testing.TB that records failures instead of reporting them.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) FailNow()              { r.failed = true; runtime.Goexit() }

// fails reports whether check fails the TB it is given.
func fails(t *testing.T, check func(tb testing.TB)) bool {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		check(r)
	}()
	<-done
	return r.failed
}

func TestSynth(t *testing.T) {
	a := reftest.Synth(5, 40, 3, 3)
	assert.Equal(t, a, reftest.Synth(5, 40, 3, 3), "deterministic")
	assert.NotEqual(t, a, reftest.Synth(6, 40, 3, 3), "seed matters")
	require.Len(t, a.X, 3)
	require.Len(t, a.Y, 40)
	for i, y := range a.Y {
		assert.Contains(t, []float64{0, 1, 2}, y, "class of row %d", i)
		assert.True(t, a.W[i] >= 0.5 && a.W[i] < 2, "weight %v", a.W[i])
	}
	r := reftest.Synth(5, 40, 3, 0)
	assert.Equal(t, 0, r.NumClasses)
	assert.NotEqual(t, math.Trunc(r.Y[0]), r.Y[0], "regression target is continuous")
}

func TestCSVRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.csv")
	want := reftest.Synth(9, 25, 4, 0)
	want.X[1][3] = math.SmallestNonzeroFloat64
	want.Y[2] = -1e300
	reftest.WriteCSV(t, path, want)
	assert.Equal(t, want, reftest.ReadCSV(t, path, 0))
	reftest.CheckCSV(t, path, want)
	assert.True(t, fails(t, func(tb testing.TB) { reftest.CheckCSV(tb, path, reftest.Synth(10, 25, 4, 0)) }), "other data")
	assert.True(t, fails(t, func(tb testing.TB) { reftest.ReadCSV(tb, filepath.Join(t.TempDir(), "missing.csv"), 0) }), "missing file")
}

func TestGolden(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"a": {"v": [1, 2.5]}, "b": "x"}`), 0o600))
	g := reftest.LoadGolden(t, path)
	var c struct {
		V []float64 `json:"v"`
	}
	g.Case(t, "a", &c)
	assert.Equal(t, []float64{1, 2.5}, c.V)
	assert.True(t, fails(t, func(tb testing.TB) { g.Case(tb, "missing", &c) }), "missing case")
	assert.True(t, fails(t, func(tb testing.TB) { g.Case(tb, "b", &c) }), "wrong shape")
	assert.True(t, fails(t, func(tb testing.TB) { reftest.LoadGolden(tb, path+".none") }), "missing file")
}

func TestInDelta(t *testing.T) {
	want := []float64{100, 0.5}
	cases := []struct {
		name       string
		got        []float64
		each, wide bool // whether InDeltaEach, InDeltaScaled (tol 1e-3) fail
	}{
		{"equal", []float64{100, 0.5}, false, false},
		{"within each", []float64{100.05, 0.5005}, false, false},
		{"within scale only", []float64{100, 0.55}, true, false},
		{"outside both", []float64{100.2, 0.5}, true, true},
		{"nan", []float64{math.NaN(), 0.5}, true, true},
		{"short", []float64{100}, true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.each, fails(t, func(tb testing.TB) { reftest.InDeltaEach(tb, want, tc.got, 1e-3, "v") }), "InDeltaEach")
			assert.Equal(t, tc.wide, fails(t, func(tb testing.TB) { reftest.InDeltaScaled(tb, want, tc.got, 1e-3, "v") }), "InDeltaScaled")
		})
	}
	assert.InDelta(t, 0.05, reftest.InDeltaEach(t, want, []float64{100.05, 0.5}, 1e-3, "v"), 1e-9, "largest difference")
}
