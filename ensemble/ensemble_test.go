package ensemble

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/evaluate"
)

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// binaryTask draws n rows with a true log-odds s_i ~ N(0, scale²) and
// y_i ~ Bernoulli(sigmoid(s_i)).
func binaryTask(r *rand.Rand, n int, scale float64) (s, y []float64) {
	s, y = make([]float64, n), make([]float64, n)
	for i := range n {
		s[i] = scale * r.NormFloat64()
		if r.Float64() < sigmoid(s[i]) {
			y[i] = 1
		}
	}
	return s, y
}

// binaryMember turns log-odds into n*2 probabilities: sigmoid(a·s + noise).
func binaryMember(r *rand.Rand, s []float64, a, noise float64) []float64 {
	p := make([]float64, 2*len(s))
	for i, v := range s {
		q := sigmoid(a*v + noise*r.NormFloat64())
		p[2*i], p[2*i+1] = 1-q, q
	}
	return p
}

func score(t *testing.T, m evaluate.Metric, y, pred []float64, k int, w []float64) float64 {
	t.Helper()
	s, err := m.Score(y, pred, k, w)
	require.NoError(t, err)
	return s
}

func TestGreedyBeatsOrTiesBestMember(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	s, y := binaryTask(r, 400, 2)
	w := make([]float64, len(y))
	for i := range w {
		w[i] = 0.5 + r.Float64()
	}
	oof := [][]float64{
		binaryMember(r, s, 1, 1.5),
		binaryMember(r, s, 0.5, 0.5),
		binaryMember(r, s, 2, 1),
		binaryMember(r, s, 0, 1), // noise only
	}
	for _, m := range []evaluate.Metric{evaluate.LogLoss{}, evaluate.Accuracy{}, evaluate.ROCAUC{}, evaluate.F1{}, evaluate.BalancedAccuracy{}} {
		for _, ww := range [][]float64{nil, w} {
			t.Run(m.Name(), func(t *testing.T) {
				e, err := Greedy(oof, y, ww, 2, m, 0)
				require.NoError(t, err)
				best := evaluate.Worst(m)
				for _, p := range oof {
					if sc := score(t, m, y, p, 2, ww); evaluate.Better(m, sc, best) {
						best = sc
					}
				}
				assert.False(t, evaluate.Better(m, best, e.Score), "ensemble %v worse than best member %v", e.Score, best)
				// Score is the score of the blend the weights describe.
				blend := make([]float64, len(oof[0]))
				require.NoError(t, e.Combine(blend, oof))
				assert.InDelta(t, score(t, m, y, blend, 2, ww), e.Score, 1e-12)
				sum := 0.0
				for _, wt := range e.Weights {
					assert.GreaterOrEqual(t, wt, 0.0)
					sum += wt
				}
				assert.InDelta(t, 1, sum, 1e-12)
			})
		}
	}
}

func TestGreedyBlendsComplementaryMembers(t *testing.T) {
	t.Run("regression", func(t *testing.T) {
		r := rand.New(rand.NewPCG(2, 2))
		n := 1000
		y := make([]float64, n)
		a, b := make([]float64, n), make([]float64, n)
		for i := range n {
			y[i] = 5 * r.NormFloat64()
			a[i] = y[i] + r.NormFloat64()
			b[i] = y[i] + r.NormFloat64()
		}
		e, err := Greedy([][]float64{a, b}, y, nil, 0, evaluate.RMSE{}, 0)
		require.NoError(t, err)
		ra := score(t, evaluate.RMSE{}, y, a, 0, nil)
		rb := score(t, evaluate.RMSE{}, y, b, 0, nil)
		// Averaging two independent unit-noise predictors: RMSE ≈ 1/√2.
		assert.Less(t, e.Score, 0.8*min(ra, rb))
		assert.InDelta(t, 0.5, e.Weights[0], 0.1)
		assert.InDelta(t, 0.5, e.Weights[1], 0.1)
	})
	t.Run("classification", func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 3))
		s, y := binaryTask(r, 2000, 3)
		a := binaryMember(r, s, 1, 1.5)
		b := binaryMember(r, s, 1, 1.5)
		e, err := Greedy([][]float64{a, b}, y, nil, 2, evaluate.LogLoss{}, 0)
		require.NoError(t, err)
		la := score(t, evaluate.LogLoss{}, y, a, 2, nil)
		lb := score(t, evaluate.LogLoss{}, y, b, 2, nil)
		assert.Less(t, e.Score, min(la, lb)-0.02)
		assert.Len(t, e.Members(), 2)
	})
}

func TestGreedyDeterministicAndTieBreak(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	s, y := binaryTask(r, 300, 2)
	oof := [][]float64{binaryMember(r, s, 1, 1), binaryMember(r, s, 1, 1), binaryMember(r, s, 0.3, 1)}
	a, err := Greedy(oof, y, nil, 2, evaluate.LogLoss{}, 40)
	require.NoError(t, err)
	b, err := Greedy(oof, y, nil, 2, evaluate.LogLoss{}, 40)
	require.NoError(t, err)
	assert.Equal(t, a, b)
	prev := runtime.GOMAXPROCS(1)
	c, err := Greedy(oof, y, nil, 2, evaluate.LogLoss{}, 40)
	runtime.GOMAXPROCS(prev)
	require.NoError(t, err)
	assert.Equal(t, a, c, "same ensemble at GOMAXPROCS 1")

	// Identical members: the lowest index takes all the weight.
	same := [][]float64{oof[0], oof[0], oof[0]}
	e, err := Greedy(same, y, nil, 2, evaluate.LogLoss{}, 5)
	require.NoError(t, err)
	assert.Equal(t, []float64{1, 0, 0}, e.Weights)
	assert.Equal(t, []int{0}, e.Members())
}

func TestGreedyErrors(t *testing.T) {
	y := []float64{0, 1}
	good := []float64{0.6, 0.4, 0.3, 0.7}
	cases := map[string]func() error{
		"no members": func() error { _, err := Greedy(nil, y, nil, 2, evaluate.LogLoss{}, 0); return err },
		"short member": func() error {
			_, err := Greedy([][]float64{good, good[:3]}, y, nil, 2, evaluate.LogLoss{}, 0)
			return err
		},
		"nan": func() error {
			_, err := Greedy([][]float64{{0.5, math.NaN(), 0.5, 0.5}}, y, nil, 2, evaluate.LogLoss{}, 0)
			return err
		},
		"wrong task": func() error { _, err := Greedy([][]float64{good}, y, nil, 2, evaluate.RMSE{}, 0); return err },
		"negative rounds": func() error {
			_, err := Greedy([][]float64{good}, y, nil, 2, evaluate.LogLoss{}, -1)
			return err
		},
		"nil metric": func() error { _, err := Greedy([][]float64{good}, y, nil, 2, nil, 0); return err },
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			assert.ErrorIs(t, f(), ErrInput)
		})
	}
	_, err := Greedy([][]float64{good}, []float64{0, 3}, nil, 2, evaluate.LogLoss{}, 0)
	assert.ErrorIs(t, err, evaluate.ErrInput, "the metric rejects a class out of range")
}

func TestWeightedCombineAndMarshal(t *testing.T) {
	e := &Weighted{Weights: []float64{0.25, 0, 0.75}, Score: 0.5}
	dst := make([]float64, 4)
	require.NoError(t, e.Combine(dst, [][]float64{{1, 0, 0, 1}, nil, {0, 1, 1, 0}}))
	assert.Equal(t, []float64{0.25, 0.75, 0.75, 0.25}, dst)
	assert.ErrorIs(t, e.Combine(dst, [][]float64{{1}}), ErrInput)
	assert.ErrorIs(t, e.Combine(dst, [][]float64{{1, 0}, nil, {1, 0, 0}}), ErrInput)
	assert.ErrorIs(t, e.Combine(dst[:1], [][]float64{{1, 0}, nil, {1, 0}}), ErrInput)

	b, err := e.MarshalBinary()
	require.NoError(t, err)
	assert.JSONEq(t, `{"weights":[0.25,0,0.75],"score":0.5}`, string(b))
	var back Weighted
	require.NoError(t, back.UnmarshalBinary(b))
	assert.Equal(t, *e, back)
	assert.ErrorIs(t, back.UnmarshalBinary([]byte(`{"weights":[0.5,0.2]}`)), ErrInput)
	assert.ErrorIs(t, back.UnmarshalBinary([]byte(`{"weights":[1.5,-0.5]}`)), ErrInput)
	assert.ErrorIs(t, back.UnmarshalBinary([]byte(`not json`)), ErrInput)
	nanScore := &Weighted{Weights: []float64{1}, Score: math.NaN()}
	b, err = nanScore.MarshalBinary()
	require.NoError(t, err)
	assert.JSONEq(t, `{"weights":[1],"score":null}`, string(b))
}

func TestStackerRecalibrates(t *testing.T) {
	// One member ranks well but is badly underconfident, the other is
	// noisier but calibrated: no convex blend fixes the first member's
	// scale, logistic stacking does.
	r := rand.New(rand.NewPCG(5, 5))
	s, y := binaryTask(r, 1500, 3)
	oof := [][]float64{binaryMember(r, s, 0.2, 0.05), binaryMember(r, s, 1, 2)}
	m := evaluate.LogLoss{}
	g, err := Greedy(oof, y, nil, 2, m, 0)
	require.NoError(t, err)
	splits, err := evaluate.StratifiedKFold(y, 2, 5, 1)
	require.NoError(t, err)
	st, err := Stack(t.Context(), oof, nil, y, nil, 2, m, splits, 1)
	require.NoError(t, err)
	t.Logf("greedy %.4f, stacker %.4f (lambda %g)", g.Score, st.Score, st.Lambda)
	assert.Less(t, st.Score, g.Score-0.05, "stacking should clearly beat the convex blend")

	// The Bayes log loss (true probabilities) bounds what any model gets.
	truth := binaryMember(r, s, 1, 0)
	assert.Greater(t, st.Score, score(t, m, y, truth, 2, nil)-0.02)

	// Predict on the training predictions gives valid probabilities, close
	// to the cross-validated ones in score.
	pred := make([]float64, 2*len(y))
	require.NoError(t, st.Predict(pred, oof, nil))
	for i := range len(y) {
		assert.InDelta(t, 1, pred[2*i]+pred[2*i+1], 1e-12)
	}
	assert.InDelta(t, st.Score, score(t, m, y, pred, 2, nil), 0.02)
}

func TestStackerTiesWhenItCannotHelp(t *testing.T) {
	// Member 0 is the exact conditional mean, member 1 a noisier copy:
	// the best blend is member 0 alone and stacking has nothing to add.
	r := rand.New(rand.NewPCG(6, 6))
	n := 800
	y := make([]float64, n)
	a, b := make([]float64, n), make([]float64, n)
	for i := range n {
		a[i] = 3 * r.NormFloat64()
		y[i] = a[i] + r.NormFloat64()
		b[i] = a[i] + 2*r.NormFloat64()
	}
	m := evaluate.RMSE{}
	g, err := Greedy([][]float64{a, b}, y, nil, 0, m, 0)
	require.NoError(t, err)
	st, err := Stack(t.Context(), [][]float64{a, b}, nil, y, nil, 0, m, nil, 7)
	require.NoError(t, err)
	t.Logf("greedy %.4f, stacker %.4f", g.Score, st.Score)
	assert.Equal(t, []float64{1, 0}, g.Weights)
	assert.InDelta(t, g.Score, st.Score, 0.01*g.Score, "stacking cannot improve on the true mean by much")
	assert.GreaterOrEqual(t, st.Score, g.Score, "out of fold, stacking pays for estimating its weights")
}

func TestStackerSkipConnectionAndMulticlass(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	n := 600
	// Regression: y depends on x, which the member ignores.
	x := make([]float64, n)
	y := make([]float64, n)
	a := make([]float64, n)
	for i := range n {
		x[i] = r.NormFloat64()
		a[i] = 2 * r.NormFloat64()
		y[i] = a[i] + 2*x[i] + 0.3*r.NormFloat64()
	}
	x[3] = math.NaN() // a missing original feature is imputed, not an error
	plain, err := Stack(t.Context(), [][]float64{a}, nil, y, nil, 0, evaluate.RMSE{}, nil, 1)
	require.NoError(t, err)
	skip, err := Stack(t.Context(), [][]float64{a}, [][]float64{x}, y, nil, 0, evaluate.RMSE{}, nil, 1)
	require.NoError(t, err)
	assert.Less(t, skip.Score, 0.5*plain.Score)
	pred := make([]float64, n)
	require.NoError(t, skip.Predict(pred, [][]float64{a}, [][]float64{x}))
	assert.Less(t, score(t, evaluate.RMSE{}, y, pred, 0, nil), 0.5)
	assert.ErrorIs(t, skip.Predict(pred, [][]float64{a}, nil), ErrInput)

	// Multiclass: three classes, member probabilities too flat.
	k := 3
	yc := make([]float64, n)
	pc := make([]float64, n*k)
	for i := range n {
		c := r.IntN(k)
		yc[i] = float64(c)
		logits := make([]float64, k)
		for j := range logits {
			logits[j] = r.NormFloat64()
		}
		logits[c] += 2
		for j := range logits {
			logits[j] *= 0.3
		}
		softmaxInPlace(logits)
		copy(pc[i*k:], logits)
	}
	st, err := Stack(t.Context(), [][]float64{pc}, nil, yc, nil, k, evaluate.LogLoss{}, nil, 1)
	require.NoError(t, err)
	g, err := Greedy([][]float64{pc}, yc, nil, k, evaluate.LogLoss{}, 0)
	require.NoError(t, err)
	assert.Less(t, st.Score, g.Score-0.05)

	// Round trip through MarshalBinary keeps predictions bit for bit.
	b, err := st.MarshalBinary()
	require.NoError(t, err)
	var back Stacker
	require.NoError(t, back.UnmarshalBinary(b))
	p1 := make([]float64, n*k)
	p2 := make([]float64, n*k)
	require.NoError(t, st.Predict(p1, [][]float64{pc}, nil))
	require.NoError(t, back.Predict(p2, [][]float64{pc}, nil))
	assert.Equal(t, p1, p2)
	assert.Equal(t, st.Score, back.Score)
	assert.ErrorIs(t, back.UnmarshalBinary([]byte(`{"version":2}`)), ErrInput)
	assert.ErrorIs(t, back.UnmarshalBinary([]byte(`{"version":1,"num_classes":3,"members":1,"model":{"k":3,"p":3,"coef":[1],"intercept":[0,0,0]}}`)), ErrInput)
}

func TestStackerDeterministicAndErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	s, y := binaryTask(r, 300, 2)
	oof := [][]float64{binaryMember(r, s, 0.5, 1), binaryMember(r, s, 1, 1)}
	a, err := Stack(t.Context(), oof, nil, y, nil, 2, evaluate.ROCAUC{}, nil, 3)
	require.NoError(t, err)
	b, err := Stack(t.Context(), oof, nil, y, nil, 2, evaluate.ROCAUC{}, nil, 3)
	require.NoError(t, err)
	assert.Equal(t, a, b)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = Stack(ctx, oof, nil, y, nil, 2, evaluate.LogLoss{}, nil, 1)
	assert.ErrorIs(t, err, context.Canceled)
	_, err = Stack(t.Context(), oof, [][]float64{{1, 2}}, y, nil, 2, evaluate.LogLoss{}, nil, 1)
	assert.ErrorIs(t, err, ErrInput)
	_, err = Stack(t.Context(), oof, nil, y, nil, 2, evaluate.LogLoss{}, []evaluate.Split{{Train: []int{0}, Test: []int{300}}}, 1)
	assert.ErrorIs(t, err, ErrInput)
	bad := append([]float64{}, y...)
	bad[0] = 2
	_, err = Stack(t.Context(), oof, nil, bad, nil, 2, evaluate.LogLoss{}, nil, 1)
	assert.ErrorIs(t, err, ErrInput)
	var empty Stacker
	assert.ErrorIs(t, empty.Predict(nil, oof, nil), ErrInput)
	_, err = empty.MarshalBinary()
	assert.ErrorIs(t, err, ErrInput)
}

func TestTemperatureScale(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 10))
	n, k := 3000, 4
	y := make([]float64, n)
	proba := make([]float64, n*k)
	for i := range n {
		logits := make([]float64, k)
		for c := range logits {
			logits[c] = r.NormFloat64()
		}
		// Sample y from the calibrated softmax, then make the prediction
		// overconfident by a factor of 3.
		cal := append([]float64{}, logits...)
		softmaxInPlace(cal)
		u, c := r.Float64(), 0
		for ; c < k-1 && u > cal[c]; c++ {
			u -= cal[c]
		}
		y[i] = float64(c)
		for c := range logits {
			logits[c] *= 3
		}
		softmaxInPlace(logits)
		copy(proba[i*k:], logits)
	}
	temp, err := TemperatureScale(proba, y, nil, k)
	require.NoError(t, err)
	assert.InDelta(t, 3, temp.T, 0.3)

	before := score(t, evaluate.LogLoss{}, y, proba, k, nil)
	cal := make([]float64, len(proba))
	require.NoError(t, temp.Apply(cal, proba, k))
	after := score(t, evaluate.LogLoss{}, y, cal, k, nil)
	assert.Less(t, after, before-0.1)
	// The fitted T is the minimum: nearby temperatures do worse.
	for _, f := range []float64{0.97, 1.03} {
		other := &Temperature{T: temp.T * f}
		require.NoError(t, other.Apply(cal, proba, k))
		assert.Greater(t, score(t, evaluate.LogLoss{}, y, cal, k, nil), after)
	}
	// Labels do not change.
	assert.Equal(t, evaluate.Labels(nil, proba, k), evaluate.Labels(nil, cal, k))

	b, err := temp.MarshalBinary()
	require.NoError(t, err)
	var back Temperature
	require.NoError(t, back.UnmarshalBinary(b))
	assert.Equal(t, *temp, back)
	assert.ErrorIs(t, back.UnmarshalBinary([]byte(`{"t":0}`)), ErrInput)

	_, err = TemperatureScale(proba[:5], y, nil, k)
	assert.ErrorIs(t, err, ErrInput)
	_, err = TemperatureScale(proba, y, nil, 0)
	assert.ErrorIs(t, err, ErrInput)
	assert.ErrorIs(t, (&Temperature{T: -1}).Apply(cal, proba, k), ErrInput)
	assert.ErrorIs(t, temp.Apply(cal[:3], proba, k), ErrInput)
}
