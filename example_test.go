package automl_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/dataset"
)

// A tiny table: the label is "big" exactly when size > 5.
const tinyCSV = `size,colour,label
1,red,small
2,blue,small
3,red,small
4,blue,small
5,red,small
6,blue,big
7,red,big
8,blue,big
9,red,big
10,blue,big
1.5,blue,small
2.5,red,small
3.5,blue,small
4.5,red,small
6.5,red,big
7.5,blue,big
8.5,red,big
9.5,blue,big
`

func ExampleAutoML_Fit() {
	ctx := context.Background()
	frame, err := dataset.ReadCSV(ctx, strings.NewReader(tinyCSV), dataset.CSVOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer frame.Release()

	// A trial budget instead of a time budget: the same result every run.
	res, err := automl.New(automl.Options{MaxTrials: 8, Seed: 1, Folds: 3}).Fit(ctx, frame, "label")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("task:", res.Profile.Task)
	fmt.Println("classes:", res.Predictor.Classes())
	best, _ := res.Leaderboard.Best()
	fmt.Printf("best cross-validated accuracy: %.2f\n", best.Score)

	query, _ := dataset.ReadCSV(ctx, strings.NewReader("size,colour\n2,red\n9,blue\n"), dataset.CSVOptions{})
	defer query.Release()
	preds, err := res.Predictor.Predict(ctx, query)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("predictions:", preds.Labels)
	// Output:
	// task: binary
	// classes: [big small]
	// best cross-validated accuracy: 1.00
	// predictions: [small big]
}

func ExampleLoad() {
	ctx := context.Background()
	frame, _ := dataset.ReadCSV(ctx, strings.NewReader(tinyCSV), dataset.CSVOptions{})
	defer frame.Release()
	res, err := automl.New(automl.Options{MaxTrials: 4, Seed: 1, Folds: 3}).Fit(ctx, frame, "label")
	if err != nil {
		fmt.Println(err)
		return
	}
	var file bytes.Buffer
	if err := res.Predictor.Save(&file); err != nil {
		fmt.Println(err)
		return
	}
	p, err := automl.Load(&file)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("target:", p.Target(), "columns:", p.Columns())
	// Output:
	// target: label columns: [size colour]
}

// Rows that come in groups (here several visits per patient) are
// cross-validated group by group, so the scores say how the predictor does
// on patients it has never seen. The group column is not a feature.
func ExampleOptions_group() {
	ctx := context.Background()
	var b strings.Builder
	b.WriteString("patient,dose,response\n")
	for p := range 12 {
		for v := range 4 {
			dose := float64(v + 1)
			fmt.Fprintf(&b, "p%02d,%.0f,%.2f\n", p, dose, 2*dose+float64(p%3))
		}
	}
	frame, err := dataset.ReadCSV(ctx, strings.NewReader(b.String()), dataset.CSVOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer frame.Release()
	opts := automl.Options{Group: "patient", MaxTrials: 4, Seed: 1, Folds: 3, Include: []string{"linear"}}
	res, err := automl.New(opts).Fit(ctx, frame, "response")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("features:", res.Predictor.Columns())
	best, _ := res.Leaderboard.Best()
	fmt.Printf("selected: %s, RMSE on unseen patients %.2f\n", best.Model, best.Score)
	// Output:
	// features: [dose]
	// selected: stack, RMSE on unseen patients 0.77
}
