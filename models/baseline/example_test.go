package baseline_test

import (
	"context"
	"fmt"

	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/models/baseline"
)

func ExamplePrior() {
	d := &models.Data{
		X:          [][]float64{{5, 1, 4, 2}},
		Y:          []float64{0, 1, 1, 1},
		NumClasses: 2,
	}
	m := &baseline.Prior{}
	if err := m.Fit(context.Background(), d); err != nil {
		panic(err)
	}
	proba := make([]float64, 2*2)
	if err := m.Predict(proba, [][]float64{{100, -3}}); err != nil {
		panic(err)
	}
	fmt.Println(proba)
	// Output: [0.25 0.75 0.25 0.75]
}
