// Command cost checks the models' cost functions (models.Spec.Seconds)
// against measured fit+predict times on synthetic data, for every
// portfolio entry of every registered model.
//
//	go run ./bench/cost -rows 5000,50000 -features 20 -threads 2
//
// It prints, per model and configuration, the estimate, the measured
// seconds and their ratio. The search calibrates one factor per model on
// the machine, so what matters is that the ratio is about constant within
// a model across rows and configurations.
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/automl-agent/automl/models"
	_ "github.com/automl-agent/automl/models/baseline"
	_ "github.com/automl-agent/automl/models/bayes"
	_ "github.com/automl-agent/automl/models/forest"
	_ "github.com/automl-agent/automl/models/gbdt"
	_ "github.com/automl-agent/automl/models/knn"
	_ "github.com/automl-agent/automl/models/linear"
)

func main() {
	rowsFlag := flag.String("rows", "5000,50000", "training row counts, comma-separated")
	features := flag.Int("features", 20, "feature columns")
	classes := flag.Int("classes", 2, "0 for regression, else the number of classes")
	threads := flag.Int("threads", 2, "goroutines per model (the spec's Threads param)")
	only := flag.String("only", "", "comma-separated model names (default all)")
	maxSec := flag.Float64("max", 30, "skip a configuration estimated above this many seconds")
	flag.Parse()
	var rows []int
	for _, s := range strings.Split(*rowsFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 10 {
			fmt.Fprintln(os.Stderr, "cost: bad -rows:", s)
			os.Exit(2)
		}
		rows = append(rows, n)
	}
	reg := models.Default()
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "model\trows\tconfig\test s\tactual s\tactual/est\t")
	ratios := map[string][]float64{}
	for _, name := range reg.Names() {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), name) {
			continue
		}
		spec, _ := reg.Spec(name)
		if !spec.Supports(*classes) {
			continue
		}
		port := spec.Portfolio
		if len(port) == 0 {
			port = []models.Params{{}}
		}
		for _, n := range rows {
			train, test := synth(n, *features, *classes, 1), synth(max(n/4, 10), *features, *classes, 2)
			if spec.Input == models.InputNative {
				b, err := models.NewBinned(train.X, nil, 0)
				if err != nil {
					fmt.Fprintln(os.Stderr, "cost:", err)
					os.Exit(1)
				}
				train.Bins = b
			}
			for ci, p := range port {
				p = p.Merge(nil)
				if spec.Threads != "" {
					p = p.Merge(models.Params{spec.Threads: *threads})
				}
				sh := models.Shape{Rows: n, Features: *features, Classes: *classes, Predict: test.Rows(), Threads: *threads}
				if spec.Threads == "" {
					sh.Threads = 1
				}
				est := spec.EstimateSeconds(sh, p)
				if est > *maxSec {
					fmt.Fprintf(tw, "%s\t%d\t#%d\t%.3g\tskipped\t\t\n", name, n, ci, est)
					continue
				}
				m, err := spec.New(p)
				if err != nil {
					fmt.Fprintln(os.Stderr, "cost:", name, err)
					continue
				}
				t0 := time.Now()
				if err := m.Fit(context.Background(), train); err != nil {
					fmt.Fprintln(os.Stderr, "cost:", name, err)
					continue
				}
				dst := make([]float64, models.OutputLen(test.Rows(), *classes))
				if err := m.Predict(dst, test.X); err != nil {
					fmt.Fprintln(os.Stderr, "cost:", name, err)
					continue
				}
				act := time.Since(t0).Seconds()
				ratios[name] = append(ratios[name], act/est)
				fmt.Fprintf(tw, "%s\t%d\t#%d\t%.3g\t%.3g\t%.2f\t\n", name, n, ci, est, act, act/est)
			}
		}
	}
	tw.Flush()
	fmt.Println("\nper model: median actual/est, and max/min of the ratio (within 4 means every trial within 2x of a calibrated factor)")
	for _, name := range reg.Names() {
		r := ratios[name]
		if len(r) == 0 {
			continue
		}
		slices.Sort(r)
		fmt.Printf("%-14s median %.2f  spread %.2f\n", name, r[len(r)/2], r[len(r)-1]/r[0])
	}
}

// synth makes n rows of a friedman1-like problem: numeric features in
// [0, 1), a smooth target of the first five, Gaussian noise; classes > 0
// cuts the target into that many quantile-like bands.
func synth(n, f, classes int, seed uint64) *models.Data {
	rng := rand.New(rand.NewPCG(seed, 7))
	X := make([][]float64, f)
	for j := range X {
		X[j] = make([]float64, n)
		for i := range X[j] {
			X[j][i] = rng.Float64()
		}
	}
	y := make([]float64, n)
	for i := range y {
		v := 10*math.Sin(math.Pi*X[0][i]*X[min(1, f-1)][i]) + 20*(X[min(2, f-1)][i]-0.5)*(X[min(2, f-1)][i]-0.5) +
			10*X[min(3, f-1)][i] + 5*X[min(4, f-1)][i] + rng.NormFloat64()
		y[i] = v
		if classes > 0 {
			c := int((v - 3) / 22 * float64(classes))
			y[i] = float64(max(0, min(classes-1, c)))
		}
	}
	return &models.Data{X: X, Y: y, NumClasses: classes}
}
