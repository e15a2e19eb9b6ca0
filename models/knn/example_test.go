package knn_test

import (
	"context"
	"fmt"

	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/models/knn"
)

func ExampleKNN() {
	// Two clusters on a line: 0, 1, 2 are class 0 and 10, 11 are class 1.
	d := &models.Data{
		X:          [][]float64{{0, 1, 2, 10, 11}},
		Y:          []float64{0, 0, 0, 1, 1},
		NumClasses: 2,
	}
	m := &knn.KNN{Neighbors: 3}
	if err := m.Fit(context.Background(), d); err != nil {
		panic(err)
	}
	queries := [][]float64{{1.5, 9}}
	proba := make([]float64, 2*2)
	if err := m.Predict(proba, queries); err != nil {
		panic(err)
	}
	idx, dist, k, _ := m.Query(queries)
	fmt.Printf("x=1.5: P = %.3f, neighbours %v at %v\n", proba[0:2], idx[:k], dist[:k])
	fmt.Printf("x=9:   P = %.3f, neighbours %v at %v\n", proba[2:4], idx[k:], dist[k:])
	// Output:
	// x=1.5: P = [1.000 0.000], neighbours [1 2 0] at [0.5 0.5 1.5]
	// x=9:   P = [0.333 0.667], neighbours [3 4 2] at [1 2 7]
}
