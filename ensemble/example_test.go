package ensemble_test

import (
	"context"
	"fmt"

	"github.com/automl-agent/automl/ensemble"
	"github.com/automl-agent/automl/evaluate"
)

func ExampleGreedy() {
	// Two regression models with errors in opposite directions on
	// different rows: their average beats both.
	y := []float64{1, 2, 3, 4, 5, 6}
	a := []float64{1.5, 2, 3.5, 4, 5.5, 6}
	b := []float64{0.5, 2, 2.5, 4, 4.5, 6}
	e, err := ensemble.Greedy([][]float64{a, b}, y, nil, 0, evaluate.RMSE{}, 10)
	if err != nil {
		panic(err)
	}
	fmt.Printf("weights %.2f, RMSE %.3f\n", e.Weights, e.Score)

	blend := make([]float64, 2)
	_ = e.Combine(blend, [][]float64{{10, 20}, {12, 22}})
	fmt.Println("new rows:", blend)
	// Output:
	// weights [0.50 0.50], RMSE 0.000
	// new rows: [11 21]
}

func ExampleStack() {
	// A member that ranks rows well but is far too unsure of itself: a
	// stacker rescales it, a convex blend cannot.
	var y, p []float64
	for i := range 200 {
		q := 0.4 + 0.2*float64(i%10)/9 // probabilities squeezed into [0.4, 0.6]
		label := 0.0
		if float64(i%10) >= 5 {
			label = 1
		}
		if i%25 == 0 { // a little label noise
			label = 1 - label
		}
		y = append(y, label)
		p = append(p, 1-q, q)
	}
	m := evaluate.LogLoss{}
	g, _ := ensemble.Greedy([][]float64{p}, y, nil, 2, m, 0)
	st, err := ensemble.Stack(context.Background(), [][]float64{p}, nil, y, nil, 2, m, nil, 1)
	if err != nil {
		panic(err)
	}
	fmt.Printf("greedy log loss %.2f, stacked %.2f\n", g.Score, st.Score)
	// Output: greedy log loss 0.60, stacked 0.27
}

func ExampleTemperatureScale() {
	// Overconfident predictions: right 3 times out of 4 but claiming 99%.
	y := []float64{0, 0, 0, 1, 1, 1, 1, 0}
	proba := []float64{
		0.99, 0.01, 0.99, 0.01, 0.99, 0.01, 0.99, 0.01,
		0.01, 0.99, 0.01, 0.99, 0.01, 0.99, 0.01, 0.99,
	}
	t, err := ensemble.TemperatureScale(proba, y, nil, 2)
	if err != nil {
		panic(err)
	}
	cal := make([]float64, len(proba))
	_ = t.Apply(cal, proba, 2)
	fmt.Printf("T = %.2f, calibrated confidence %.2f\n", t.T, cal[0])
	// Output: T = 4.18, calibrated confidence 0.75
}
