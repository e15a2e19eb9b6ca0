package forest_test

import (
	"context"
	"fmt"
	"math"

	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/models/forest"
)

// A random forest learns a class that depends on two features at once
// (an interaction no single split captures).
func ExampleNewRandomForest() {
	n := 400
	x0, x1, y := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		x0[i], x1[i] = float64(i%20), float64(i/20)
		if (x0[i] < 10) != (x1[i] < 10) {
			y[i] = 1
		}
	}
	m, err := forest.NewRandomForest(models.Params{"n_estimators": 20, "seed": 1})
	if err != nil {
		panic(err)
	}
	if err := m.Fit(context.Background(), &models.Data{X: [][]float64{x0, x1}, Y: y, NumClasses: 2}); err != nil {
		panic(err)
	}
	probs := make([]float64, 2*2) // 2 rows x 2 classes
	if err := m.Predict(probs, [][]float64{{2, 15}, {3, 4}}); err != nil {
		panic(err)
	}
	fmt.Printf("P(class 1 | x=(2,3)) = %.2f\n", probs[1])
	fmt.Printf("P(class 1 | x=(15,4)) = %.2f\n", probs[3])
	// Output:
	// P(class 1 | x=(2,3)) = 0.00
	// P(class 1 | x=(15,4)) = 1.00
}

// A decision tree on a categorical feature with missing values: categories
// {1, 3} and NaN have a high target.
func ExampleNewCART() {
	x := []float64{0, 1, 2, 3, 0, 1, 2, 3, math.NaN(), math.NaN()}
	y := []float64{1, 9, 1, 9, 1, 9, 1, 9, 9, 9}
	m, err := forest.NewCART(nil)
	if err != nil {
		panic(err)
	}
	d := &models.Data{X: [][]float64{x}, Y: y, Categories: []int{4}}
	if err := m.Fit(context.Background(), d); err != nil {
		panic(err)
	}
	out := make([]float64, 5)
	if err := m.Predict(out, [][]float64{{0, 1, 2, 3, math.NaN()}}); err != nil {
		panic(err)
	}
	fmt.Println(out, m.NumNodes())
	// Output:
	// [1 9 1 9 9] 3
}

// Models are usually made through the registry by name.
func Example_registry() {
	m, err := models.Default().New("extra_trees", models.Params{"n_estimators": 10, "max_features": "sqrt"})
	if err != nil {
		panic(err)
	}
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8}
	y := []float64{1, 1, 1, 1, 5, 5, 5, 5}
	if err := m.Fit(context.Background(), &models.Data{X: [][]float64{x}, Y: y}); err != nil {
		panic(err)
	}
	out := make([]float64, 2)
	if err := m.Predict(out, [][]float64{{0, 10}}); err != nil {
		panic(err)
	}
	fmt.Println(out)
	// Output:
	// [1 5]
}
