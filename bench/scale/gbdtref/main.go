// Command gbdtref trains our GBDT with its default parameters on every
// training row of an all-numeric CSV and scores it on a test CSV: the
// "plain default GBDT" that an AutoML search must beat (bench/scale).
//
//	go run ./bench/scale/gbdtref -train train.csv -test test.csv -target y [-classes 2]
//
// It prints one JSON line: {"metric", "score", "fit_seconds", "rows"}.
// RMSE for regression (-classes 0), ROC AUC for binary targets 0/1.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/evaluate"
	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/models/gbdt"
)

func main() {
	train := flag.String("train", "", "training CSV (numeric columns)")
	test := flag.String("test", "", "test CSV, same columns")
	target := flag.String("target", "y", "target column")
	classes := flag.Int("classes", 0, "0 for regression, 2 for a 0/1 binary target")
	flag.Parse()
	if err := run(*train, *test, *target, *classes); err != nil {
		fmt.Fprintln(os.Stderr, "gbdtref:", err)
		os.Exit(1)
	}
}

func load(path, target string, classes int) (*models.Data, error) {
	f, err := dataset.ReadFile(context.Background(), path)
	if err != nil {
		return nil, err
	}
	defer f.Release()
	d := &models.Data{NumClasses: classes}
	for i, name := range f.Names() {
		v, err := dataset.Floats(f.Column(i))
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", name, err)
		}
		if name == target {
			d.Y = v
			continue
		}
		d.X = append(d.X, v)
	}
	if d.Y == nil {
		return nil, fmt.Errorf("%s: no column %q", path, target)
	}
	return d, nil
}

func run(trainPath, testPath, target string, classes int) error {
	tr, err := load(trainPath, target, classes)
	if err != nil {
		return err
	}
	te, err := load(testPath, target, classes)
	if err != nil {
		return err
	}
	m, err := gbdt.New(nil)
	if err != nil {
		return err
	}
	t0 := time.Now()
	if err := m.Fit(context.Background(), tr); err != nil {
		return err
	}
	fit := time.Since(t0).Seconds()
	pred := make([]float64, models.OutputLen(te.Rows(), classes))
	if err := m.Predict(pred, te.X); err != nil {
		return err
	}
	var metric evaluate.Metric = evaluate.RMSE{}
	if classes > 0 {
		metric = evaluate.ROCAUC{}
	}
	score, err := metric.Score(te.Y, pred, classes, nil)
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{"metric": metric.Name(), "score": score, "fit_seconds": fit, "rows": tr.Rows()})
}
