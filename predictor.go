package automl

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"

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
	temperature float64 // >0: probabilities are softmax(log(p)/T); 0 means none
	columns     []string
	// stacker, when set, combines the members' predictions (and, when
	// stackX is set, the features of view stackInput) instead of the
	// weighted average.
	stacker    *ensemble.Stacker
	stackX     bool
	stackInput models.Input
}

// member is one model configuration in the blend, with its fitted models
// (one per fold when bagged, or one refit on all rows) averaged.
type member struct {
	name   string
	params models.Params
	input  models.Input
	weight float64
	models []models.Model
	temp   float64 // > 0: the member's probabilities are tempered before they are combined
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
	need := make([]models.Input, 0, len(p.members)+1)
	for _, m := range p.members {
		need = append(need, m.input)
	}
	if p.stacker != nil && p.stackX {
		need = append(need, p.stackInput)
	}
	for _, in := range need {
		if views[in] != nil {
			continue
		}
		v := preprocess.Native
		if in == models.InputDense {
			v = preprocess.Dense
		}
		feats, err := p.pipe.Transform(f, v)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrPredict, err)
		}
		views[in] = feats.X
	}
	n := f.NumRows()
	return p.blend(ctx, n, views)
}

// blend averages each member's models and combines the members.
// views holds the features of each input view the members read.
func (p *Predictor) blend(ctx context.Context, n int, views [2][][]float64) ([]float64, error) {
	width := max(len(p.classes), 1)
	preds := make([][]float64, len(p.members))
	buf := make([]float64, n*width)
	for mi, m := range p.members {
		X := views[m.input]
		avg := make([]float64, n*width)
		for _, mod := range m.models {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("%w: %w", ErrPredict, err)
			}
			if err := mod.Predict(buf, X); err != nil {
				return nil, fmt.Errorf("%w: %s: %w", ErrPredict, m.name, err)
			}
			for i, v := range buf {
				avg[i] += v / float64(len(m.models))
			}
		}
		preds[mi] = avg
	}
	out := make([]float64, n*width)
	if err := p.combine(out, preds, views[p.stackInput]); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrPredict, err)
	}
	return out, nil
}

// combine mixes the members' predictions into dst: by the stacker when
// there is one (reading X, the features of view stackInput, if it was fitted
// with them), else by weight; then applies the temperature. Members with
// a temperature of their own are tempered first, in place in preds.
func (p *Predictor) combine(dst []float64, preds [][]float64, X [][]float64) error {
	width := max(len(p.classes), 1)
	for mi, m := range p.members {
		if m.temp > 0 && width > 1 {
			applyTemperature(preds[mi], width, m.temp)
		}
	}
	if p.stacker != nil {
		if !p.stackX {
			X = nil
		}
		return p.stacker.Predict(dst, preds, X)
	}
	var total float64
	for _, m := range p.members {
		total += m.weight
	}
	clear(dst)
	for mi, m := range p.members {
		wgt := m.weight / total
		for i, v := range preds[mi] {
			dst[i] += wgt * v
		}
	}
	if p.temperature > 0 && width > 1 {
		applyTemperature(dst, width, p.temperature)
	}
	return nil
}

// applyTemperature rescales each probability row as softmax(log(p)/T).
func applyTemperature(proba []float64, k int, t float64) {
	_ = (&ensemble.Temperature{T: t}).Apply(proba, proba, k)
}

// String describes the predictor for people: task, target and the blend,
// e.g. "binary predictor of survived: gbdt×0.60 + logistic×0.40 (5 models each)".
func (p *Predictor) String() string {
	var parts []string
	for _, m := range p.members {
		parts = append(parts, fmt.Sprintf("%s×%.2f", m.name, m.weight))
	}
	how := strings.Join(parts, " + ")
	if p.stacker != nil {
		how = "stack of " + how
	}
	n := 0
	if len(p.members) > 0 {
		n = len(p.members[0].models)
	}
	return fmt.Sprintf("%s predictor of %s: %s (%d models each)", p.task, p.target, how, n)
}
