package bayes_test

import (
	"context"
	"fmt"

	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/models/bayes"
)

func ExampleGaussianNB() {
	// Class 0 around 1, class 1 around 6.
	d := &models.Data{
		X:          [][]float64{{0, 2, 4, 6, 8}},
		Y:          []float64{0, 0, 1, 1, 1},
		NumClasses: 2,
	}
	m := &bayes.GaussianNB{}
	if err := m.Fit(context.Background(), d); err != nil {
		panic(err)
	}
	prior, mean, vars := m.Params()
	fmt.Printf("prior %.2f mean %.2f var %.3f\n", prior, mean, vars)
	// scikit-learn GaussianNB gives the same 0.443 / 0.557.
	proba := make([]float64, 2)
	if err := m.Predict(proba, [][]float64{{3}}); err != nil {
		panic(err)
	}
	fmt.Printf("P(class | x=3) = %.3f\n", proba)
	// Output:
	// prior [0.40 0.60] mean [1.00 6.00] var [1.000 2.667]
	// P(class | x=3) = [0.443 0.557]
}
