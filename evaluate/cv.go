package evaluate

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/automl-agent/automl/models"
)

// CVResult is the outcome of CrossValidate.
type CVResult struct {
	// OOF holds the out-of-fold predictions in the models contract layout
	// (n values for regression, n*K probabilities row-major for
	// classification): each row is predicted by the fold model(s) that did
	// not train on it, averaged when a row is in several test sets. Rows in
	// no test set are NaN.
	OOF []float64
	// FoldScores holds the metric on each split's test rows.
	FoldScores []float64
	// Score is the mean of FoldScores and Std their standard deviation
	// (population, ddof = 0; 0 for one split). Score is what a leaderboard
	// ranks by.
	Score, Std float64
	// OOFScore is the metric on the pooled OOF predictions of every row
	// covered by a test set; ensembles built on OOF compare against it.
	OOFScore float64
	// Models holds the fitted fold models, one per split, for bagged
	// prediction (average their predictions on new rows).
	Models []models.Model
	// FitSeconds is the total wall time spent in Fit over all folds.
	FitSeconds float64
	// PredictSecondsPer1k is the wall time Predict took per 1000 test rows.
	PredictSecondsPer1k float64
}

// CrossValidate fits a fresh model from newModel on the Train rows of each
// split, predicts its Test rows, and scores them with m.
//
// Folds run one after the other (parallelize across trials, not inside);
// ctx is checked before each fold and handed to Fit. A panic in newModel,
// Fit or Predict is recovered into an error wrapping ErrPanic that names
// the fold. Errors from the model are returned wrapped with the fold
// number; bad data or splits wrap ErrInput (or models.ErrData from
// d.Check). d.Valid is not used: fold models get no early-stopping set.
//
// Splits must hold row indices of d; see KFold, StratifiedKFold, Holdout.
func CrossValidate(ctx context.Context, d *models.Data, splits []Split, newModel func() (models.Model, error), m Metric) (*CVResult, error) {
	if d == nil || newModel == nil || m == nil {
		return nil, fmt.Errorf("%w: CrossValidate needs data, a model factory and a metric", ErrInput)
	}
	if err := d.Check(); err != nil {
		return nil, err
	}
	if err := CheckTask(m, d.NumClasses); err != nil {
		return nil, err
	}
	n := d.Rows()
	if err := checkSplits(splits, n); err != nil {
		return nil, err
	}
	k := max(d.NumClasses, 1)
	sum := make([]float64, n*k)
	count := make([]int, n)
	res := &CVResult{FoldScores: make([]float64, len(splits)), Models: make([]models.Model, len(splits))}
	var predictSeconds float64
	var testRows int
	for f, sp := range splits {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		train := d.Subset(sp.Train)
		model, fitSec, err := fitFold(ctx, newModel, train, f)
		if err != nil {
			return nil, err
		}
		res.FitSeconds += fitSec
		res.Models[f] = model

		X := make([][]float64, len(d.X))
		for j, col := range d.X {
			c := make([]float64, len(sp.Test))
			for t, i := range sp.Test {
				c[t] = col[i]
			}
			X[j] = c
		}
		pred := make([]float64, len(sp.Test)*k)
		start := time.Now()
		if err := predictFold(model, pred, X, f); err != nil {
			return nil, err
		}
		predictSeconds += time.Since(start).Seconds()
		testRows += len(sp.Test)

		y := make([]float64, len(sp.Test))
		var w []float64
		if d.W != nil {
			w = make([]float64, len(sp.Test))
		}
		for t, i := range sp.Test {
			y[t] = d.Y[i]
			if w != nil {
				w[t] = d.W[i]
			}
		}
		s, err := m.Score(y, pred, d.NumClasses, w)
		if err != nil {
			return nil, fmt.Errorf("evaluate: fold %d: %w", f, err)
		}
		res.FoldScores[f] = s
		for t, i := range sp.Test {
			for c := range k {
				sum[i*k+c] += pred[t*k+c]
			}
			count[i]++
		}
	}

	res.OOF = sum
	var covered []int
	for i, c := range count {
		for j := i * k; j < (i+1)*k; j++ {
			if c == 0 {
				res.OOF[j] = math.NaN()
			} else {
				res.OOF[j] /= float64(c)
			}
		}
		if c > 0 {
			covered = append(covered, i)
		}
	}
	res.Score, res.Std = meanStd(res.FoldScores)
	if testRows > 0 {
		res.PredictSecondsPer1k = predictSeconds / float64(testRows) * 1000
	}
	oofScore, err := scoreRows(m, d, res.OOF, covered)
	if err != nil {
		return nil, fmt.Errorf("evaluate: out-of-fold score: %w", err)
	}
	res.OOFScore = oofScore
	return res, nil
}

// scoreRows scores the predictions of the listed rows.
func scoreRows(m Metric, d *models.Data, pred []float64, rows []int) (float64, error) {
	n, k := d.Rows(), max(d.NumClasses, 1)
	if len(rows) == n {
		return m.Score(d.Y, pred, d.NumClasses, d.W)
	}
	y := make([]float64, len(rows))
	p := make([]float64, len(rows)*k)
	var w []float64
	if d.W != nil {
		w = make([]float64, len(rows))
	}
	for t, i := range rows {
		y[t] = d.Y[i]
		copy(p[t*k:(t+1)*k], pred[i*k:(i+1)*k])
		if w != nil {
			w[t] = d.W[i]
		}
	}
	return m.Score(y, p, d.NumClasses, w)
}

// fitFold makes and fits a model, turning a panic into an error.
func fitFold(ctx context.Context, newModel func() (models.Model, error), train *models.Data, fold int) (model models.Model, seconds float64, err error) {
	defer func() {
		if r := recover(); r != nil {
			model, err = nil, fmt.Errorf("%w: fold %d: %v", ErrPanic, fold, r)
		}
	}()
	model, err = newModel()
	if err != nil {
		return nil, 0, fmt.Errorf("evaluate: fold %d: new model: %w", fold, err)
	}
	if model == nil {
		return nil, 0, fmt.Errorf("%w: fold %d: the model factory returned nil", ErrInput, fold)
	}
	start := time.Now()
	if err := model.Fit(ctx, train); err != nil {
		if ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		return nil, 0, fmt.Errorf("evaluate: fold %d: fit: %w", fold, err)
	}
	return model, time.Since(start).Seconds(), nil
}

// predictFold predicts, turning a panic into an error.
func predictFold(model models.Model, dst []float64, X [][]float64, fold int) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: fold %d: predict: %v", ErrPanic, fold, r)
		}
	}()
	if err := model.Predict(dst, X); err != nil {
		return fmt.Errorf("evaluate: fold %d: predict: %w", fold, err)
	}
	return nil
}

// meanStd returns the mean and population standard deviation of xs.
func meanStd(xs []float64) (mean, std float64) {
	if len(xs) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		d := x - mean
		std += d * d
	}
	return mean, math.Sqrt(std / float64(len(xs)))
}
