package bayes

import (
	"fmt"

	"github.com/automl-agent/automl/hyperopt"
	"github.com/automl-agent/automl/models"
)

func init() {
	models.Default().MustRegister(models.Spec{
		Name:  "gaussian_nb",
		New:   New,
		Tasks: models.Classification,
		Input: models.InputDense,
		Space: hyperopt.Space{
			{Name: "var_smoothing", Kind: hyperopt.Float, Low: 1e-12, High: 1, Log: true},
		},
		Portfolio: []models.Params{
			{"var_smoothing": 1e-9},
			{"var_smoothing": 1e-3},
			{"var_smoothing": 0.1},
		},
		Cost:    0.1,
		Seconds: seconds,
	})
}

// New is the "gaussian_nb" factory. Params: "var_smoothing" (float > 0,
// default 1e-9).
func New(p models.Params) (models.Model, error) {
	if err := p.Unknown("var_smoothing"); err != nil {
		return nil, err
	}
	vs, err := p.Float("var_smoothing", DefaultVarSmoothing)
	if err != nil {
		return nil, err
	}
	if !(vs > 0) || vs > 1e300 {
		return nil, fmt.Errorf("%w: gaussian_nb var_smoothing = %v, want a finite value > 0", models.ErrParam, vs)
	}
	return &GaussianNB{VarSmoothing: vs}, nil
}
