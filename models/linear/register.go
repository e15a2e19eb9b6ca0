package linear

import (
	"fmt"

	"github.com/automl-agent/automl/hyperopt"
	"github.com/automl-agent/automl/models"
)

func init() {
	r := models.Default()
	r.MustRegister(models.Spec{
		Name:  "logistic",
		New:   NewLogistic,
		Tasks: models.Classification,
		Input: models.InputDense,
		Space: hyperopt.Space{
			{Name: "C", Kind: hyperopt.Float, Low: 1e-3, High: 1e3, Log: true},
		},
		Portfolio: []models.Params{{"C": 1.0}, {"C": 0.1}, {"C": 10.0}, {"C": 0.01}},
		Cost:      3,
		Seconds:   logisticSeconds,
	})
	r.MustRegister(models.Spec{
		Name:      "linear",
		New:       NewLinear,
		Tasks:     models.Regression,
		Input:     models.InputDense,
		Portfolio: []models.Params{{}},
		Cost:      0.5,
		Seconds:   leastSquaresSeconds,
	})
	r.MustRegister(models.Spec{
		Name:  "ridge",
		New:   NewRidge,
		Tasks: models.Regression,
		Input: models.InputDense,
		Space: hyperopt.Space{
			{Name: "alpha", Kind: hyperopt.Float, Low: 1e-4, High: 1e4, Log: true},
		},
		Portfolio: []models.Params{{"alpha": 1.0}, {"alpha": 10.0}, {"alpha": 0.1}, {"alpha": 100.0}},
		Cost:      0.5,
		Seconds:   leastSquaresSeconds,
	})
}

// NewLogistic is the "logistic" factory. Params: "C" (float > 0, default
// 1), "max_iter" (int >= 1, default 200), "tol" (float > 0, default 1e-7).
func NewLogistic(p models.Params) (models.Model, error) {
	if err := p.Unknown("C", "max_iter", "tol"); err != nil {
		return nil, err
	}
	m := &Logistic{}
	var err error
	if m.C, err = p.Float("C", DefaultC); err != nil {
		return nil, err
	}
	if m.MaxIter, err = p.Int("max_iter", DefaultMaxIter); err != nil {
		return nil, err
	}
	if m.Tol, err = p.Float("tol", DefaultTol); err != nil {
		return nil, err
	}
	if !(m.C > 0) || m.MaxIter < 1 || !(m.Tol > 0) {
		return nil, fmt.Errorf("%w: logistic C = %v, max_iter = %d, tol = %v: each must be > 0", models.ErrParam, m.C, m.MaxIter, m.Tol)
	}
	if _, _, _, err := m.config(); err != nil {
		return nil, err
	}
	return m, nil
}

// NewLinear is the "linear" factory (ordinary least squares). It takes no
// parameters.
func NewLinear(p models.Params) (models.Model, error) {
	if err := p.Unknown(); err != nil {
		return nil, err
	}
	return &LeastSquares{}, nil
}

// NewRidge is the "ridge" factory. Params: "alpha" (float >= 0, default 1).
func NewRidge(p models.Params) (models.Model, error) {
	if err := p.Unknown("alpha"); err != nil {
		return nil, err
	}
	a, err := p.Float("alpha", DefaultAlpha)
	if err != nil {
		return nil, err
	}
	if !(a >= 0) || a > 1e300 {
		return nil, fmt.Errorf("%w: ridge alpha = %v, want a finite value >= 0", models.ErrParam, a)
	}
	return &LeastSquares{Alpha: a}, nil
}
