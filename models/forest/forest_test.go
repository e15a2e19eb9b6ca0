package forest

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
)

// xorData returns n rows of p uniform features where the class is
// (x0 > 0.5) xor (x1 > 0.5); the other features are noise.
func xorData(n, p int, seed uint64) *models.Data {
	rng := rand.New(rand.NewPCG(seed, 1))
	d := &models.Data{X: make([][]float64, p), Y: make([]float64, n), NumClasses: 2}
	for j := range d.X {
		d.X[j] = make([]float64, n)
		for i := range n {
			d.X[j][i] = rng.Float64()
		}
	}
	for i := range n {
		if (d.X[0][i] > 0.5) != (d.X[1][i] > 0.5) {
			d.Y[i] = 1
		}
	}
	return d
}

// regData returns n rows of p features with y = sin(3 x0) + x1^2 + 0.5 x2 x3 + noise.
func regData(n, p int, seed uint64) *models.Data {
	rng := rand.New(rand.NewPCG(seed, 2))
	d := &models.Data{X: make([][]float64, p), Y: make([]float64, n)}
	for j := range d.X {
		d.X[j] = make([]float64, n)
		for i := range n {
			d.X[j][i] = rng.NormFloat64()
		}
	}
	for i := range n {
		x := func(j int) float64 { return d.X[j%p][i] }
		d.Y[i] = math.Sin(3*x(0)) + x(1)*x(1) + 0.5*x(2)*x(3) + 0.1*rng.NormFloat64()
	}
	return d
}

func split80(d *models.Data) (train, test *models.Data) {
	n := d.Rows()
	var tr, te []int
	for i := range n {
		if i%5 == 0 {
			te = append(te, i)
		} else {
			tr = append(tr, i)
		}
	}
	return d.Subset(tr), d.Subset(te)
}

func predict(t testing.TB, m models.Model, d *models.Data, k int) []float64 {
	out := make([]float64, models.OutputLen(d.Rows(), k))
	require.NoError(t, m.Predict(out, d.X))
	return out
}

func accuracy(p []float64, y []float64, k int) float64 {
	ok := 0
	for i, yi := range y {
		best := 0
		for c := 1; c < k; c++ {
			if p[i*k+c] > p[i*k+best] {
				best = c
			}
		}
		if float64(best) == yi {
			ok++
		}
	}
	return float64(ok) / float64(len(y))
}

func rmse(p, y []float64) float64 {
	var s float64
	for i := range y {
		s += (p[i] - y[i]) * (p[i] - y[i])
	}
	return math.Sqrt(s / float64(len(y)))
}

func TestXOR(t *testing.T) {
	train, test := split80(xorData(2500, 5, 1))
	for _, tc := range []struct {
		name string
		new  func(models.Params) (*Forest, error)
		p    models.Params
		min  float64
	}{
		{"random_forest", NewRandomForest, models.Params{"n_estimators": 50, "max_features": 0.5}, 0.95},
		{"extra_trees", NewExtraTrees, models.Params{"n_estimators": 50, "max_features": 1.0}, 0.93},
		{"cart", NewCART, nil, 0.95},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tc.new(tc.p)
			require.NoError(t, err)
			require.NoError(t, m.Fit(t.Context(), train))
			acc := accuracy(predict(t, m, test, 2), test.Y, 2)
			assert.GreaterOrEqual(t, acc, tc.min)
			imp := m.Importances()
			assert.Greater(t, imp[0], imp[2])
			assert.Greater(t, imp[1], imp[4])
		})
	}
}

func TestRegression(t *testing.T) {
	train, test := split80(regData(3000, 6, 3))
	var base float64
	for _, y := range test.Y {
		base += y
	}
	mean := base / float64(len(test.Y))
	var sd float64
	for _, y := range test.Y {
		sd += (y - mean) * (y - mean)
	}
	sd = math.Sqrt(sd / float64(len(test.Y)))
	for _, tc := range []struct {
		name string
		new  func(models.Params) (*Forest, error)
		max  float64 // rmse / sd
	}{
		{"random_forest", NewRandomForest, 0.45},
		{"extra_trees", NewExtraTrees, 0.45},
		{"cart", NewCART, 0.7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tc.new(models.Params{"n_estimators": 30})
			require.NoError(t, err)
			require.NoError(t, m.Fit(t.Context(), train))
			r := rmse(predict(t, m, test, 0), test.Y)
			assert.Less(t, r/sd, tc.max)
		})
	}
}

func TestCARTFindsExactSplit(t *testing.T) {
	// y depends on x0 through a step at 42.5; x1 is noise. A depth-1 tree
	// must split x0 exactly between 42 and 43.
	n := 400
	rng := rand.New(rand.NewPCG(5, 5))
	x0, x1 := make([]float64, n), make([]float64, n)
	yc, yr := make([]float64, n), make([]float64, n)
	for i := range n {
		x0[i] = float64(i % 100)
		x1[i] = rng.Float64()
		if x0[i] > 42 {
			yc[i], yr[i] = 1, 3
		} else {
			yr[i] = -1
		}
	}
	for _, tc := range []struct {
		name string
		y    []float64
		k    int
	}{{"classification", yc, 2}, {"regression", yr, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewCART(models.Params{"max_depth": 1})
			require.NoError(t, err)
			require.NoError(t, m.Fit(t.Context(), &models.Data{X: [][]float64{x1, x0}, Y: tc.y, NumClasses: tc.k}))
			root := m.trees[0].nodes[0]
			assert.Equal(t, 1, root.feature())
			assert.Equal(t, 42.5, root.thr)
			assert.Equal(t, 3, len(m.trees[0].nodes))
			out := make([]float64, models.OutputLen(4, tc.k))
			require.NoError(t, m.Predict(out, [][]float64{{0, 0, 0, 0}, {42, 42.5, 42.6, 1e9}}))
			if tc.k == 0 {
				assert.Equal(t, []float64{-1, -1, 3, 3}, out)
			} else {
				assert.Equal(t, []float64{1, 0, 1, 0, 0, 1, 0, 1}, out)
			}
			assert.Equal(t, []float64{0, 1}, m.Importances())
		})
	}
}

func TestMissingDirection(t *testing.T) {
	// x0 is missing exactly when the class is 1 (or the target is 5); the
	// tree must learn to send NaN to that side, whichever it is.
	for _, tc := range []struct {
		name     string
		missHigh bool // missing rows look like the high values
	}{{"missing-with-high", true}, {"missing-with-low", false}} {
		t.Run(tc.name, func(t *testing.T) {
			n := 300
			x := make([]float64, n)
			y := make([]float64, n)
			for i := range n {
				switch i % 3 {
				case 0:
					x[i], y[i] = float64(i%50), 0
				case 1:
					x[i], y[i] = 100+float64(i%50), 1
				default:
					x[i] = math.NaN()
					if tc.missHigh {
						y[i] = 1
					}
				}
			}
			m, err := NewCART(models.Params{"max_depth": 1})
			require.NoError(t, err)
			require.NoError(t, m.Fit(t.Context(), &models.Data{X: [][]float64{x}, Y: y, NumClasses: 2}))
			out := make([]float64, 6)
			require.NoError(t, m.Predict(out, [][]float64{{math.NaN(), 10, 120}}))
			want := []float64{1, 0, 1, 0, 0, 1}
			if tc.missHigh {
				want = []float64{0, 1, 1, 0, 0, 1}
			}
			assert.Equal(t, want, out)
		})
	}
}

func TestMissingOnlySplit(t *testing.T) {
	// The feature is constant where present: the only split is present
	// vs missing, and present values never seen (far above) go left too.
	x := []float64{1, 1, 1, math.NaN(), math.NaN(), math.NaN()}
	y := []float64{2, 2, 2, 7, 7, 7}
	m, err := NewCART(nil)
	require.NoError(t, err)
	require.NoError(t, m.Fit(t.Context(), &models.Data{X: [][]float64{x}, Y: y}))
	out := make([]float64, 3)
	require.NoError(t, m.Predict(out, [][]float64{{math.NaN(), 1, 1e300}}))
	assert.Equal(t, []float64{7, 2, 2}, out)
}

func TestUnseenMissingGoesToLargerChild(t *testing.T) {
	// No NaN at training: NaN (and unseen categories) follow the heavier child.
	for _, tc := range []struct {
		name  string
		w     []float64
		wantY float64
	}{
		{"left-heavier", []float64{1, 1, 1, 1, 1, 1}, 0},
		{"right-heavier", []float64{1, 1, 1, 10, 10, 10}, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := []float64{1, 2, 3, 4, 5, 6}
			y := []float64{0, 0, 0, 0, 5, 5}
			m, err := NewCART(models.Params{"max_depth": 1})
			require.NoError(t, err)
			require.NoError(t, m.Fit(t.Context(), &models.Data{X: [][]float64{x}, Y: y, W: tc.w}))
			out := make([]float64, 1)
			require.NoError(t, m.Predict(out, [][]float64{{math.NaN()}}))
			assert.Equal(t, tc.wantY, out[0])

			c := []float64{0, 0, 0, 0, 1, 1}
			require.NoError(t, m.Fit(t.Context(), &models.Data{X: [][]float64{c}, Y: y, W: tc.w, Categories: []int{3}}))
			require.NoError(t, m.Predict(out, [][]float64{{2}})) // category 2 never seen
			assert.Equal(t, tc.wantY, out[0])
			require.NoError(t, m.Predict(out, [][]float64{{math.NaN()}}))
			assert.Equal(t, tc.wantY, out[0])
		})
	}
}

func TestCategoricalSubsetSplit(t *testing.T) {
	// Class 1 iff the category is in {1, 4, 6}: not a contiguous range of
	// codes, so only a subset split separates it in one step.
	n := 800
	rng := rand.New(rand.NewPCG(7, 7))
	x := make([]float64, n)
	yc, yr := make([]float64, n), make([]float64, n)
	for i := range n {
		c := rng.IntN(8)
		x[i] = float64(c)
		if c == 1 || c == 4 || c == 6 {
			yc[i], yr[i] = 1, 10
		}
		if i%97 == 0 {
			x[i] = math.NaN() // missing rows, all class 0
			yc[i], yr[i] = 0, 0
		}
	}
	for _, tc := range []struct {
		name string
		y    []float64
		k    int
	}{{"classification", yc, 2}, {"regression", yr, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewCART(models.Params{"max_depth": 1})
			require.NoError(t, err)
			d := &models.Data{X: [][]float64{x}, Y: tc.y, NumClasses: tc.k, Categories: []int{8}}
			require.NoError(t, m.Fit(t.Context(), d))
			assert.True(t, m.trees[0].nodes[0].isCat())
			test := []float64{0, 1, 2, 3, 4, 5, 6, 7, math.NaN()}
			out := make([]float64, models.OutputLen(len(test), tc.k))
			require.NoError(t, m.Predict(out, [][]float64{test}))
			for i, v := range test {
				pos := v == 1 || v == 4 || v == 6
				if tc.k == 0 {
					want := 0.0
					if pos {
						want = 10
					}
					assert.InDelta(t, want, out[i], 1e-12, "category %v", v)
				} else {
					assert.Equal(t, pos, out[2*i+1] > 0.5, "category %v", v)
				}
			}
		})
	}
}

func TestMulticlassCategorical(t *testing.T) {
	// Three classes by category groups {0,3}, {1,4}, {2,5}: a depth-2 tree
	// separates them exactly.
	n := 600
	x := make([]float64, n)
	y := make([]float64, n)
	for i := range n {
		x[i] = float64(i % 6)
		y[i] = float64(i % 3)
	}
	m, err := NewCART(models.Params{"max_depth": 2})
	require.NoError(t, err)
	require.NoError(t, m.Fit(t.Context(), &models.Data{X: [][]float64{x}, Y: y, NumClasses: 3, Categories: []int{6}}))
	out := make([]float64, 6*3)
	require.NoError(t, m.Predict(out, [][]float64{{0, 1, 2, 3, 4, 5}}))
	assert.Equal(t, 1.0, accuracy(out, []float64{0, 1, 2, 0, 1, 2}, 3))
}

func TestWeightsEqualDuplicates(t *testing.T) {
	// Weight 2 on a row is the same as the row twice (for a tree without
	// sampling and min_samples_leaf 1).
	base := regData(300, 4, 9)
	w := make([]float64, base.Rows())
	var dup []int
	for i := range w {
		w[i] = float64(1 + i%2)
		dup = append(dup, i)
		if i%2 == 1 {
			dup = append(dup, i)
		}
	}
	weighted := &models.Data{X: base.X, Y: base.Y, W: w}
	duplicated := base.Subset(dup)
	bins, err := models.NewBinned(base.X, nil, 0)
	require.NoError(t, err)
	weighted.Bins = bins
	duplicated.Bins = bins.Subset(dup)
	m1, err := NewCART(models.Params{"max_depth": 6})
	require.NoError(t, err)
	m2, err := NewCART(models.Params{"max_depth": 6})
	require.NoError(t, err)
	require.NoError(t, m1.Fit(t.Context(), weighted))
	require.NoError(t, m2.Fit(t.Context(), duplicated))
	test := regData(200, 4, 10)
	assert.InDeltaSlice(t, predict(t, m2, test, 0), predict(t, m1, test, 0), 1e-9)
}

func TestDeterministicAcrossParallelism(t *testing.T) {
	cls := xorData(1500, 6, 11)
	cls.X[2][3] = math.NaN()
	cls.Categories = []int{0, 0, 0, 0, 0, 5}
	for i := range cls.X[5] {
		cls.X[5][i] = float64(i % 5)
	}
	reg := regData(1500, 6, 12)
	for _, kind := range []Kind{RandomForest, ExtraTrees} {
		for _, d := range []*models.Data{cls, reg} {
			t.Run(fmt.Sprintf("%s/%d", kind, d.NumClasses), func(t *testing.T) {
				var outs [][]float64
				for _, procs := range []int{1, 4} {
					old := runtime.GOMAXPROCS(procs)
					m, err := New(Config{Kind: kind, Trees: 12, Seed: 3, Jobs: procs})
					require.NoError(t, err)
					require.NoError(t, m.Fit(t.Context(), d))
					outs = append(outs, predict(t, m, d, d.NumClasses))
					runtime.GOMAXPROCS(old)
				}
				require.Equal(t, len(outs[0]), len(outs[1]))
				for i := range outs[0] {
					require.Equal(t, math.Float64bits(outs[0][i]), math.Float64bits(outs[1][i]), "row value %d", i)
				}
			})
		}
	}
}

func TestOutOfBag(t *testing.T) {
	d := xorData(1500, 4, 21)
	train, test := split80(d)
	m, err := NewRandomForest(models.Params{"n_estimators": 40, "oob": true, "max_features": 0.5})
	require.NoError(t, err)
	require.NoError(t, m.Fit(t.Context(), train))
	oob := m.OOBPrediction()
	require.Len(t, oob, 2*train.Rows())
	testAcc := accuracy(predict(t, m, test, 2), test.Y, 2)
	oobAcc := accuracy(oob, train.Y, 2)
	assert.InDelta(t, testAcc, oobAcc, 0.04)
	for i := 0; i < len(oob); i += 2 {
		assert.InDelta(t, 1, oob[i]+oob[i+1], 1e-12)
	}
	// In-sample predictions are far more optimistic than out-of-bag ones.
	assert.Greater(t, accuracy(predict(t, m, train, 2), train.Y, 2), oobAcc)

	et, err := NewExtraTrees(models.Params{"n_estimators": 3, "oob": true})
	require.NoError(t, err)
	require.NoError(t, et.Fit(t.Context(), train))
	assert.Nil(t, et.OOBPrediction())
}

func TestSeedChangesForest(t *testing.T) {
	d := regData(500, 5, 13)
	var outs [][]float64
	for _, seed := range []int{1, 2} {
		m, err := NewRandomForest(models.Params{"n_estimators": 5, "seed": seed})
		require.NoError(t, err)
		require.NoError(t, m.Fit(t.Context(), d))
		outs = append(outs, predict(t, m, d, 0))
	}
	assert.NotEqual(t, outs[0], outs[1])
}

func TestContextCancel(t *testing.T) {
	d := regData(20000, 10, 14)
	m, err := NewRandomForest(models.Params{"n_estimators": 1000})
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.ErrorIs(t, m.Fit(ctx, d), context.Canceled)

	ctx, cancel = context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = m.Fit(ctx, d)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 3*time.Second)
	assert.ErrorIs(t, m.Predict(make([]float64, d.Rows()), d.X), models.ErrNotFitted)
}

func TestSaveLoadBitIdentical(t *testing.T) {
	cls := xorData(800, 4, 15)
	cls.Categories = []int{0, 0, 0, 7}
	for i := range cls.X[3] {
		cls.X[3][i] = float64(i % 7)
		if i%13 == 0 {
			cls.X[0][i] = math.NaN()
		}
	}
	cls.NumClasses = 3
	for i := range cls.Y {
		if i%7 == 3 {
			cls.Y[i] = 2
		}
	}
	for _, tc := range []struct {
		name string
		kind Kind
		d    *models.Data
	}{
		{"rf-multiclass", RandomForest, cls},
		{"et-regression", ExtraTrees, regData(600, 5, 16)},
		{"cart-regression", CART, regData(600, 5, 17)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := New(Config{Kind: tc.kind, Trees: 8})
			require.NoError(t, err)
			require.NoError(t, m.Fit(t.Context(), tc.d))
			b, err := m.MarshalBinary()
			require.NoError(t, err)
			var back Forest
			require.NoError(t, back.UnmarshalBinary(b))
			want, got := predict(t, m, tc.d, tc.d.NumClasses), predict(t, &back, tc.d, tc.d.NumClasses)
			for i := range want {
				require.Equal(t, math.Float64bits(want[i]), math.Float64bits(got[i]))
			}
			assert.Equal(t, m.Importances(), back.Importances())
			assert.Equal(t, m.Config(), back.Config())
			b2, err := back.MarshalBinary()
			require.NoError(t, err)
			assert.Equal(t, b, b2)

			// Every truncation and a flipped version are errors, never panics.
			for cut := 0; cut < len(b); cut += 1 + len(b)/200 {
				assert.ErrorIs(t, new(Forest).UnmarshalBinary(b[:cut]), ErrFormat, "cut %d", cut)
			}
			bad := append([]byte(nil), b...)
			bad[4] = 99
			assert.ErrorIs(t, new(Forest).UnmarshalBinary(bad), ErrFormat)
		})
	}
	_, err := new(Forest).MarshalBinary()
	assert.ErrorIs(t, err, models.ErrNotFitted)
}

func FuzzUnmarshalBinary(f *testing.F) {
	d := xorData(200, 3, 18)
	d.Categories = []int{0, 0, 4}
	for i := range d.X[2] {
		d.X[2][i] = float64(i % 4)
	}
	d.X[0][5] = math.NaN()
	m, err := New(Config{Kind: RandomForest, Trees: 2, MaxDepth: 3})
	require.NoError(f, err)
	require.NoError(f, m.Fit(context.Background(), d))
	b, err := m.MarshalBinary()
	require.NoError(f, err)
	f.Add(b)
	f.Add([]byte(magic))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m Forest
		if m.UnmarshalBinary(data) != nil {
			return
		}
		x := [][]float64{}
		for j := range m.features {
			x = append(x, []float64{math.NaN(), float64(j), -1, 1e9, 3})
		}
		out := make([]float64, models.OutputLen(5, m.numClasses))
		_ = m.Predict(out, x)
	})
}

func TestParamsAndErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    models.Params
		ok   bool
	}{
		{"defaults", nil, true},
		{"sqrt", models.Params{"max_features": "sqrt"}, true},
		{"log2", models.Params{"max_features": "log2"}, true},
		{"fraction", models.Params{"max_features": 0.3}, true},
		{"fraction-string", models.Params{"max_features": "0.3"}, true},
		{"json-numbers", models.Params{"n_estimators": 10.0, "max_depth": 4.0, "bootstrap": false}, true},
		{"unknown", models.Params{"n_trees": 10}, false},
		{"bad-max-features", models.Params{"max_features": "cube"}, false},
		{"max-features-too-big", models.Params{"max_features": 2.0}, false},
		{"negative-depth", models.Params{"max_depth": -1}, false},
		{"split-one", models.Params{"min_samples_split": 1}, false},
		{"bad-type", models.Params{"n_estimators": "many"}, false},
		{"max-samples", models.Params{"max_samples": 1.5}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewRandomForest(tc.p)
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, models.ErrParam)
			}
		})
	}
	m, err := NewCART(nil)
	require.NoError(t, err)
	assert.ErrorIs(t, m.Predict(make([]float64, 2), [][]float64{{1, 2}}), models.ErrNotFitted)
	assert.ErrorIs(t, m.Fit(t.Context(), &models.Data{X: [][]float64{{1}}, Y: []float64{1, 2}}), models.ErrData)
	assert.ErrorIs(t, m.Fit(t.Context(), &models.Data{X: [][]float64{{1, 2}}, Y: []float64{1, 2}, W: []float64{0, 0}}), models.ErrData)
	d := regData(50, 2, 1)
	require.NoError(t, m.Fit(t.Context(), d))
	assert.ErrorIs(t, m.Predict(make([]float64, 50), d.X[:1]), models.ErrData)
	assert.ErrorIs(t, m.Predict(make([]float64, 49), d.X), models.ErrData)
	bad := &models.Data{X: d.X, Y: d.Y, Bins: &models.Binned{N: 3}}
	assert.ErrorIs(t, m.Fit(t.Context(), bad), models.ErrData)
}

func TestRegistered(t *testing.T) {
	for _, name := range []string{"random_forest", "extra_trees", "cart"} {
		s, err := models.Default().Spec(name)
		require.NoError(t, err)
		assert.True(t, s.Supports(0) && s.Supports(3))
		assert.Equal(t, models.InputNative, s.Input)
		for _, p := range s.Portfolio {
			m, err := s.New(p)
			require.NoError(t, err, "%v", p)
			require.NoError(t, m.Fit(t.Context(), xorData(100, 3, 1)))
		}
		rng := rand.New(rand.NewPCG(1, 1))
		for range 20 {
			_, err := s.New(models.Params(s.Space.Sample(rng)))
			require.NoError(t, err)
		}
	}
}

func TestSingleClassAndConstant(t *testing.T) {
	m, err := NewRandomForest(models.Params{"n_estimators": 3})
	require.NoError(t, err)
	d := &models.Data{X: [][]float64{{1, 2, 3, 4}}, Y: []float64{1, 1, 1, 1}, NumClasses: 3}
	require.NoError(t, m.Fit(t.Context(), d))
	out := make([]float64, 3)
	require.NoError(t, m.Predict(out, [][]float64{{2.5}}))
	assert.Equal(t, []float64{0, 1, 0}, out)
	assert.Equal(t, []float64{0}, m.Importances())
}

// TestSizeBytes: nothing before Fit; after it, the nodes of every tree,
// so twice the trees hold about twice the memory.
func TestSizeBytes(t *testing.T) {
	train := regData(1000, 4, 5)
	size := func(trees int) int64 {
		m, err := NewRandomForest(models.Params{"n_estimators": trees, "seed": 1})
		require.NoError(t, err)
		assert.Zero(t, m.SizeBytes())
		require.NoError(t, m.Fit(t.Context(), train))
		return m.SizeBytes()
	}
	s10, s20 := size(10), size(20)
	assert.Greater(t, s10, int64(10*500*16), "ten trees of ~1,000 nodes")
	assert.InDelta(t, 2, float64(s20)/float64(s10), 0.2)
}
