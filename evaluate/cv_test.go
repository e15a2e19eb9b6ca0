package evaluate

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
)

// leakModel remembers the row ids (feature 0) it trained on and predicts 1
// for a row it has seen and the training mean of y otherwise, so a leaked
// row shows up in the out-of-fold predictions.
type leakModel struct {
	seen map[float64]bool
	mean float64
}

func (m *leakModel) Fit(ctx context.Context, d *models.Data) error {
	m.seen = map[float64]bool{}
	for _, id := range d.X[0] {
		m.seen[id] = true
	}
	for _, y := range d.Y {
		m.mean += y
	}
	m.mean /= float64(len(d.Y))
	return ctx.Err()
}

func (m *leakModel) Predict(dst []float64, X [][]float64) error {
	for i, id := range X[0] {
		dst[i] = m.mean
		if m.seen[id] {
			dst[i] = 1e9
		}
	}
	return nil
}

// priorModel predicts the weighted class frequencies of its training rows.
type priorModel struct{ p []float64 }

func (m *priorModel) Fit(_ context.Context, d *models.Data) error {
	m.p = make([]float64, d.NumClasses)
	s := 0.0
	for i, y := range d.Y {
		m.p[int(y)] += d.Weight(i)
		s += d.Weight(i)
	}
	for c := range m.p {
		m.p[c] /= s
	}
	return nil
}

func (m *priorModel) Predict(dst []float64, X [][]float64) error {
	k := len(m.p)
	for i := range X[0] {
		copy(dst[i*k:(i+1)*k], m.p)
	}
	return nil
}

type panicModel struct{ inPredict bool }

func (m panicModel) Fit(context.Context, *models.Data) error {
	if !m.inPredict {
		panic("fit exploded")
	}
	return nil
}

func (m panicModel) Predict([]float64, [][]float64) error { panic("predict exploded") }

func regressionData(n int) *models.Data {
	d := &models.Data{X: [][]float64{make([]float64, n)}, Y: make([]float64, n)}
	for i := range n {
		d.X[0][i] = float64(i)
		d.Y[i] = float64(i % 7)
	}
	return d
}

func TestCrossValidateOutOfFold(t *testing.T) {
	d := regressionData(50)
	splits, err := KFold(50, 5, 1)
	require.NoError(t, err)
	res, err := CrossValidate(t.Context(), d, splits, func() (models.Model, error) { return &leakModel{}, nil }, MAE{})
	require.NoError(t, err)
	require.Len(t, res.OOF, 50)
	require.Len(t, res.Models, 5)
	require.Len(t, res.FoldScores, 5)
	for i, p := range res.OOF {
		assert.Less(t, p, 1e8, "row %d was predicted by a model that trained on it", i)
	}
	// Each OOF value is the mean of y over the other folds.
	for f, sp := range splits {
		s := 0.0
		for _, i := range sp.Train {
			s += d.Y[i]
		}
		for _, i := range sp.Test {
			assert.InDelta(t, s/float64(len(sp.Train)), res.OOF[i], 1e-12, "fold %d row %d", f, i)
		}
	}
	mean, std := meanStd(res.FoldScores)
	assert.Equal(t, mean, res.Score)
	assert.Equal(t, std, res.Std)
	oof, err := MAE{}.Score(d.Y, res.OOF, 0, nil)
	require.NoError(t, err)
	assert.InDelta(t, oof, res.OOFScore, 1e-12)
	assert.GreaterOrEqual(t, res.FitSeconds, 0.0)
}

func TestCrossValidateHoldoutLeavesNaN(t *testing.T) {
	d := regressionData(20)
	sp, err := Holdout(20, 0.25, 3)
	require.NoError(t, err)
	res, err := CrossValidate(t.Context(), d, []Split{sp}, func() (models.Model, error) { return &leakModel{}, nil }, RMSE{})
	require.NoError(t, err)
	nan := 0
	for _, p := range res.OOF {
		if math.IsNaN(p) {
			nan++
		}
	}
	assert.Equal(t, 15, nan)
	assert.Equal(t, res.FoldScores[0], res.OOFScore)
	assert.Equal(t, 0.0, res.Std)
}

func TestCrossValidateClassificationWeighted(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	n := 60
	d := &models.Data{X: [][]float64{make([]float64, n)}, Y: make([]float64, n), W: make([]float64, n), NumClasses: 3}
	for i := range n {
		d.Y[i] = float64(r.IntN(3))
		d.W[i] = 1 + r.Float64()
	}
	splits, err := StratifiedKFold(d.Y, 3, 4, 2)
	require.NoError(t, err)
	res, err := CrossValidate(t.Context(), d, splits, func() (models.Model, error) { return &priorModel{}, nil }, LogLoss{})
	require.NoError(t, err)
	require.Len(t, res.OOF, n*3)
	for i := range n {
		assert.InDelta(t, 1, res.OOF[3*i]+res.OOF[3*i+1]+res.OOF[3*i+2], 1e-12)
	}
	// Weighted fold scores: recompute fold 0 by hand.
	sp := splits[0]
	var y, w, p []float64
	for _, i := range sp.Test {
		y = append(y, d.Y[i])
		w = append(w, d.W[i])
		p = append(p, res.OOF[3*i:3*i+3]...)
	}
	want, err := LogLoss{}.Score(y, p, 3, w)
	require.NoError(t, err)
	assert.InDelta(t, want, res.FoldScores[0], 1e-12)
}

func TestCrossValidateErrors(t *testing.T) {
	d := regressionData(10)
	splits, _ := KFold(10, 2, 1)
	ok := func() (models.Model, error) { return &leakModel{}, nil }

	_, err := CrossValidate(t.Context(), d, splits, func() (models.Model, error) { return panicModel{}, nil }, RMSE{})
	assert.ErrorIs(t, err, ErrPanic)
	assert.Contains(t, err.Error(), "fit exploded")
	_, err = CrossValidate(t.Context(), d, splits, func() (models.Model, error) { return panicModel{inPredict: true}, nil }, RMSE{})
	assert.ErrorIs(t, err, ErrPanic)
	_, err = CrossValidate(t.Context(), d, splits, func() (models.Model, error) { panic("factory") }, RMSE{})
	assert.ErrorIs(t, err, ErrPanic)
	sentinel := errors.New("no model")
	_, err = CrossValidate(t.Context(), d, splits, func() (models.Model, error) { return nil, sentinel }, RMSE{})
	assert.ErrorIs(t, err, sentinel)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = CrossValidate(ctx, d, splits, ok, RMSE{})
	assert.ErrorIs(t, err, context.Canceled)

	_, err = CrossValidate(t.Context(), d, []Split{{Train: []int{0}, Test: []int{10}}}, ok, RMSE{})
	assert.ErrorIs(t, err, ErrInput)
	_, err = CrossValidate(t.Context(), d, splits, ok, Accuracy{})
	assert.ErrorIs(t, err, ErrInput)
	_, err = CrossValidate(t.Context(), &models.Data{}, splits, ok, RMSE{})
	assert.ErrorIs(t, err, models.ErrData)
	_, err = CrossValidate(t.Context(), d, splits, nil, RMSE{})
	assert.ErrorIs(t, err, ErrInput)
}

func TestPermutationImportance(t *testing.T) {
	// y = 3·x0 + x1; x2 is noise the model ignores.
	r := rand.New(rand.NewPCG(5, 5))
	n := 200
	X := [][]float64{make([]float64, n), make([]float64, n), make([]float64, n)}
	y := make([]float64, n)
	for i := range n {
		for j := range X {
			X[j][i] = r.NormFloat64()
		}
		y[i] = 3*X[0][i] + X[1][i]
	}
	orig := append([]float64{}, X[0]...)
	predict := func(dst []float64, X [][]float64) error {
		for i := range X[0] {
			dst[i] = 3*X[0][i] + X[1][i]
		}
		return nil
	}
	for _, m := range []Metric{RMSE{}, R2{}} {
		imp, err := PermutationImportance(t.Context(), predict, X, y, nil, 0, m, 4, 1)
		require.NoError(t, err)
		require.Len(t, imp, 3)
		assert.Greater(t, imp[0].Mean, imp[1].Mean, m.Name())
		assert.Greater(t, imp[1].Mean, 0.0, m.Name())
		assert.Equal(t, 0.0, imp[2].Mean, m.Name())
		assert.Equal(t, 2, imp[2].Feature)
		assert.Greater(t, imp[0].Std, 0.0)
		again, err := PermutationImportance(t.Context(), predict, X, y, nil, 0, m, 4, 1)
		require.NoError(t, err)
		assert.Equal(t, imp, again, "deterministic for a seed")
	}
	assert.Equal(t, orig, X[0], "X is not modified")

	_, err := PermutationImportance(t.Context(), func([]float64, [][]float64) error { panic("x") }, X, y, nil, 0, RMSE{}, 1, 1)
	assert.ErrorIs(t, err, ErrPanic)
	_, err = PermutationImportance(t.Context(), predict, [][]float64{{1}}, y, nil, 0, RMSE{}, 1, 1)
	assert.ErrorIs(t, err, ErrInput)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = PermutationImportance(ctx, predict, X, y, nil, 0, RMSE{}, 1, 1)
	assert.ErrorIs(t, err, context.Canceled)
}
