package baseline

import "github.com/automl-agent/automl/models"

func init() {
	models.Default().MustRegister(models.Spec{
		Name:    "prior",
		New:     New,
		Tasks:   models.Classification | models.Regression,
		Input:   models.InputDense,
		Cost:    0.01,
		Seconds: seconds,
	})
}

// New is the "prior" factory. It takes no parameters.
func New(p models.Params) (models.Model, error) {
	if err := p.Unknown(); err != nil {
		return nil, err
	}
	return &Prior{}, nil
}
