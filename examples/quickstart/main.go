// Command quickstart runs the whole path on a bundled dataset: profile,
// fit under a time budget, leaderboard, a few predictions, and the
// predictor saved and loaded back.
//
//	go run ./examples/quickstart
package main

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/dataset"
)

// iris.csv is R's datasets::iris (see DATA.md).
//
//go:embed iris.csv
var irisCSV string

func main() {
	if err := run(context.Background()); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context) error {
	frame, err := dataset.ReadCSV(ctx, strings.NewReader(irisCSV), dataset.CSVOptions{})
	if err != nil {
		return err
	}
	defer frame.Release()

	prof, err := dataset.Analyze(frame, "Species")
	if err != nil {
		return err
	}
	fmt.Println(prof)

	// Hold out every fifth row to show predictions on rows the search never saw.
	var trainRows, testRows []int
	for i := range frame.NumRows() {
		if i%5 == 4 {
			testRows = append(testRows, i)
		} else {
			trainRows = append(trainRows, i)
		}
	}
	train, err := frame.Select(trainRows)
	if err != nil {
		return err
	}
	defer train.Release()
	test, err := frame.Select(testRows)
	if err != nil {
		return err
	}
	defer test.Release()

	opts := automl.Options{TimeBudget: 20 * time.Second, Seed: 1}
	res, err := automl.New(opts).Fit(ctx, train, "Species")
	if err != nil {
		return err
	}
	fmt.Println(res.Leaderboard.Table(12))
	for _, imp := range res.Importance {
		fmt.Printf("importance %-14s %.4f ± %.4f\n", imp.Column, imp.Mean, imp.Std)
	}

	// Save, load back, and predict with the loaded copy.
	var file bytes.Buffer
	if err := res.Predictor.Save(&file); err != nil {
		return err
	}
	size := file.Len()
	loaded, err := automl.Load(&file)
	if err != nil {
		return err
	}
	preds, err := loaded.Predict(ctx, test)
	if err != nil {
		return err
	}
	truth, _ := dataset.Strings(test.Column(test.ColumnIndex("Species")))
	right := 0
	for i, label := range preds.Labels {
		if label == truth[i] {
			right++
		}
		if i < 5 {
			fmt.Printf("row %d: predicted %-10s actual %-10s P=%.3f\n", testRows[i], label, truth[i], preds.Proba[i*len(preds.Classes)+int(preds.Values[i])])
		}
	}
	fmt.Printf("held-out accuracy: %d/%d; predictor file: %d bytes, reloaded fine\n", right, len(preds.Labels), size)
	return nil
}

func init() { log.SetFlags(0); log.SetOutput(os.Stderr) }
