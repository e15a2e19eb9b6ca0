package automl_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/models"
)

// median predicts the median of the training target: a custom model only
// needs Fit and Predict.
type median struct{ v float64 }

func (m *median) Fit(_ context.Context, d *models.Data) error {
	y := append([]float64(nil), d.Y...)
	for i := 1; i < len(y); i++ { // insertion sort: tiny data
		for j := i; j > 0 && y[j] < y[j-1]; j-- {
			y[j], y[j-1] = y[j-1], y[j]
		}
	}
	m.v = y[len(y)/2]
	return nil
}

func (m *median) Predict(dst []float64, X [][]float64) error {
	for i := range X[0] {
		dst[i] = m.v
	}
	return nil
}

// Example_customModel registers a model of one's own in a registry of its
// own, beside the built-in baseline, and lets Fit choose.
func Example_customModel() {
	reg := models.NewRegistry()
	prior, _ := models.Default().Spec("prior")
	_ = reg.Register(prior)
	_ = reg.Register(models.Spec{
		Name:  "median",
		New:   func(models.Params) (models.Model, error) { return &median{}, nil },
		Tasks: models.Regression,
	})

	ctx := context.Background()
	csv := "x,y\n1,1\n2,1\n3,2\n4,1\n5,100\n6,1\n7,2\n8,1\n9,1\n10,2\n"
	frame, _ := dataset.ReadCSV(ctx, strings.NewReader(csv), dataset.CSVOptions{})
	defer frame.Release()
	res, err := automl.New(automl.Options{Registry: reg, MaxTrials: 2, Metric: "mae", Folds: 2, Seed: 1}).Fit(ctx, frame, "y")
	if err != nil {
		fmt.Println(err)
		return
	}
	best, _ := res.Leaderboard.Best()
	fmt.Println("best:", best.Model)
	// Output:
	// best: median
}
