package linear_test

import (
	"context"
	"fmt"

	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/models/linear"
)

func ExampleLeastSquares() {
	// y = 1 + 2x, exactly.
	d := &models.Data{
		X: [][]float64{{0, 1, 2, 3}},
		Y: []float64{1, 3, 5, 7},
	}
	m := &linear.LeastSquares{} // Alpha 0: ordinary least squares
	if err := m.Fit(context.Background(), d); err != nil {
		panic(err)
	}
	coef, b := m.Coef()
	pred := make([]float64, 2)
	if err := m.Predict(pred, [][]float64{{10, -1}}); err != nil {
		panic(err)
	}
	fmt.Printf("coef %.3f intercept %.3f predictions %.3f\n", coef, b, pred)
	// Output: coef [2.000] intercept 1.000 predictions [21.000 -1.000]
}

func ExampleLogistic() {
	d := &models.Data{
		X:          [][]float64{{-3, -2, -1, 1, 2, 3}},
		Y:          []float64{0, 0, 1, 0, 1, 1},
		NumClasses: 2,
	}
	m, err := models.Default().New("logistic", models.Params{"C": 10.0})
	if err != nil {
		panic(err)
	}
	if err := m.Fit(context.Background(), d); err != nil {
		panic(err)
	}
	// scikit-learn LogisticRegression(C=10) gives the same 0.194 / 0.806.
	proba := make([]float64, 2*2) // 2 rows × 2 classes, row-major
	if err := m.Predict(proba, [][]float64{{-2, 2}}); err != nil {
		panic(err)
	}
	fmt.Printf("P(class 1 | x=-2) = %.3f\nP(class 1 | x=+2) = %.3f\n", proba[1], proba[3])
	// Output:
	// P(class 1 | x=-2) = 0.194
	// P(class 1 | x=+2) = 0.806
}
