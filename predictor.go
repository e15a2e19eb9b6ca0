package automl

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"

	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/ensemble"
	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/preprocess"
)

// Predictor predicts with what Fit chose: the preprocessing pipeline and a
// weighted blend of models (each possibly a bag of fold models), with the
// decision threshold and calibration tuned out of fold.
//
// A Predictor is immutable and safe for concurrent use. Save writes it to
// one versioned file; Load reads it back and predicts bit-identically.
type Predictor struct {
	target      string
	task        dataset.Task
	classes     []string // class labels; nil for regression
	metric      string
	pipe        *preprocess.Pipeline
	members     []member
	threshold   float64 // binary: predict class 1 when P(1) >= threshold; 0 means 0.5
	temperature float64 // >0: probabilities are p^(1/T), renormalized; 0 means none
	columns     []string
}

// member is one model configuration in the blend, with its fitted models
// (one per fold when bagged, or one refit on all rows) averaged.
type member struct {
	name   string
	params models.Params
	input  models.Input
	weight float64
	models []models.Model
}

// Predictions holds a predictor's output for n rows.
type Predictions struct {
	// Values holds the regression predictions; for classification, the
	// predicted class index (into Classes) of each row.
	Values []float64
	// Labels holds the predicted class label of each row; nil for
	// regression.
	Labels []string
	// Proba holds class probabilities row-major: Proba[i*len(Classes)+c];
	// nil for regression.
	Proba []float64
	// Classes lists the class labels; nil for regression.
	Classes []string
}

// Target returns the name of the column the predictor predicts.
func (p *Predictor) Target() string { return p.target }

// Task returns the task the predictor was trained for.
func (p *Predictor) Task() dataset.Task { return p.task }

// Classes returns the class labels in probability-column order, in a new
// slice; nil for regression.
func (p *Predictor) Classes() []string { return slices.Clone(p.classes) }

// Columns returns the input columns the predictor needs, in a new slice.
// Other columns of a frame (the target among them) are ignored.
func (p *Predictor) Columns() []string { return slices.Clone(p.columns) }

// Predict predicts every row of f. f is borrowed. A column the predictor
// needs that is missing from f, or of an unusable type, is an error naming
// it; the target column may be absent.
func (p *Predictor) Predict(ctx context.Context, f *dataset.Frame) (pr *Predictions, err error) {
	defer func() {
		if r := recover(); r != nil {
			pr, err = nil, fmt.Errorf("%w: internal error: %v\n%s", ErrPredict, r, trimStack(debug.Stack()))
		}
	}()
	if f == nil {
		return nil, fmt.Errorf("%w: nil frame", ErrPredict)
	}
	raw, err := p.raw(ctx, f)
	if err != nil {
		return nil, err
	}
	n := f.NumRows()
	if p.classes == nil {
		return &Predictions{Values: raw}, nil
	}
	k := len(p.classes)
	out := &Predictions{Values: make([]float64, n), Labels: make([]string, n), Proba: raw, Classes: slices.Clone(p.classes)}
	for i := range n {
		c := p.decide(raw[i*k : (i+1)*k])
		out.Values[i] = float64(c)
		out.Labels[i] = p.classes[c]
	}
	return out, nil
}

// PredictProba returns class probabilities for every row of f, row-major
// (n × len(Classes())). It is an error for a regression predictor.
func (p *Predictor) PredictProba(ctx context.Context, f *dataset.Frame) ([]float64, error) {
	if p.classes == nil {
		return nil, fmt.Errorf("%w: a regression predictor has no class probabilities", ErrPredict)
	}
	pr, err := p.Predict(ctx, f)
	if err != nil {
		return nil, err
	}
	return pr.Proba, nil
}

// decide returns the class of one probability row.
func (p *Predictor) decide(row []float64) int {
	if len(row) == 2 && p.threshold > 0 {
		if row[1] >= p.threshold {
			return 1
		}
		return 0
	}
	return argmax(row)
}

func argmax(row []float64) int {
	best := 0
	for c, v := range row {
		if v > row[best] {
			best = c
		}
	}
	return best
}

// raw returns the blended, calibrated predictions: n values or n*k
// probabilities.
func (p *Predictor) raw(ctx context.Context, f *dataset.Frame) ([]float64, error) {
	var views [2][][]float64
	for _, m := range p.members {
		if views[m.input] != nil {
			continue
		}
		v := preprocess.Native
		if m.input == models.InputDense {
			v = preprocess.Dense
		}
		feats, err := p.pipe.Transform(f, v)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrPredict, err)
		}
		views[m.input] = feats.X
	}
	n := f.NumRows()
	return p.blend(ctx, n, func(in models.Input) [][]float64 { return views[in] })
}

// blend averages each member's models and mixes the members by weight.
func (p *Predictor) blend(ctx context.Context, n int, view func(models.Input) [][]float64) ([]float64, error) {
	width := max(len(p.classes), 1)
	out := make([]float64, n*width)
	buf := make([]float64, n*width)
	var total float64
	for _, m := range p.members {
		total += m.weight
	}
	for _, m := range p.members {
		X := view(m.input)
		for _, mod := range m.models {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("%w: %w", ErrPredict, err)
			}
			if err := mod.Predict(buf, X); err != nil {
				return nil, fmt.Errorf("%w: %s: %w", ErrPredict, m.name, err)
			}
			wgt := m.weight / total / float64(len(m.models))
			for i, v := range buf {
				out[i] += wgt * v
			}
		}
	}
	if p.temperature > 0 && width > 1 {
		applyTemperature(out, width, p.temperature)
	}
	return out, nil
}

// applyTemperature rescales each probability row as softmax(log(p)/T).
func applyTemperature(proba []float64, k int, t float64) {
	_ = (&ensemble.Temperature{T: t}).Apply(proba, proba, k)
}
