// Command esbench measures models/gbdt's early stopping held out: on each
// table, K-fold cross-validation (stratified for classification) where
// every fold model is trained on the training folds only and scored on the
// held-out fold it never saw, comparing
//
//   - fixed: the portfolio entry as it was (its num_rounds, no early
//     stopping, all rows),
//   - es: the same entry with early stopping on an internal validation
//     split of the training folds (num_rounds as an upper bound),
//   - refit: es, then a refit on all training-fold rows with the rounds es
//     kept (what FinalRefit does with models.Refitter).
//
// Features are the preprocess Native view fitted on the whole table (the
// same for every arm, so the comparison is fair; the absolute scores are
// not the AutoML's). It prints one Markdown row per table, arm and
// portfolio entry: mean held-out metric over folds and repeats, the mean
// rounds kept and the total fit seconds.
//
//	go run ./bench/speed/esbench -data ../shared/datasets -entries 0,1,2
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/models/gbdt"
	"github.com/automl-agent/automl/preprocess"
)

type table struct {
	file, target string
	drop         []string
}

var tables = []table{
	{"titanic.csv", "survived", []string{"alive"}},
	{"penguins.csv", "species", nil},
	{"tips.csv", "tip", nil},
	{"mpg.csv", "mpg", []string{"name"}},
	{"diamonds.csv", "price", nil},
}

func main() {
	dir := flag.String("data", os.Getenv("AUTOML_DATASETS"), "directory with the developer datasets (or $AUTOML_DATASETS)")
	only := flag.String("tables", "", "comma-separated file names (default: all five)")
	entries := flag.String("entries", "0", "comma-separated gbdt.Portfolio indexes")
	folds := flag.Int("folds", 5, "folds")
	repeats := flag.Int("repeats", 2, "CV repeats (different fold assignments and model seeds)")
	es := flag.String("es", "", "params of the es arm over the entry and the model defaults, as k:v pairs separated by commas")
	arms := flag.String("arms", "fixed,es,refit", "arms to run")
	maxRows := flag.Int("max-rows", 0, "subsample each table to this many rows (0: all)")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "esbench: -data or $AUTOML_DATASETS is required")
		os.Exit(2)
	}
	esParams, err := parseKV(*es)
	if err != nil {
		fmt.Fprintln(os.Stderr, "esbench:", err)
		os.Exit(2)
	}
	var idx []int
	for _, s := range strings.Split(*entries, ",") {
		i, err := strconv.Atoi(s)
		if err != nil || i < 0 || i >= len(gbdt.Portfolio) {
			fmt.Fprintln(os.Stderr, "esbench: bad entry", s)
			os.Exit(2)
		}
		idx = append(idx, i)
	}
	fmt.Printf("es arm params: %v; %d folds x %d repeats\n\n", esParams, *folds, *repeats)
	fmt.Println("| table | entry | arm | metric | log loss | rounds | fit s |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, tb := range tables {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), tb.file) {
			continue
		}
		d, err := load(filepath.Join(*dir, tb.file), tb.target, tb.drop, *maxRows)
		if err != nil {
			fmt.Fprintln(os.Stderr, "esbench:", err)
			os.Exit(1)
		}
		for _, e := range idx {
			for _, arm := range strings.Split(*arms, ",") {
				r, err := cv(d, gbdt.Portfolio[e], esParams, arm, *folds, *repeats)
				if err != nil {
					fmt.Fprintln(os.Stderr, "esbench:", err)
					os.Exit(1)
				}
				ll := "-"
				if d.NumClasses > 0 {
					ll = fmt.Sprintf("%.4f", r.logLoss)
				}
				fmt.Printf("| %s | %d | %s | %s %.4f | %s | %.0f | %.2f |\n", strings.TrimSuffix(tb.file, ".csv"), e, arm,
					r.metricName, r.metric, ll, r.rounds, r.fitSec)
			}
		}
	}
}

func parseKV(s string) (models.Params, error) {
	p := models.Params{}
	s = strings.Trim(s, "{}")
	for _, kv := range strings.Split(s, ",") {
		if kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, ":")
		if !ok {
			k, v, ok = strings.Cut(kv, "=")
		}
		if !ok {
			return nil, fmt.Errorf("bad param %q", kv)
		}
		k = strings.Trim(k, `" `)
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return nil, fmt.Errorf("param %s: %w", k, err)
		}
		if f == math.Trunc(f) {
			p[k] = int(f)
		} else {
			p[k] = f
		}
	}
	return p, nil
}

// load reads a table and returns its Native view with the target encoded.
func load(path, target string, drop []string, maxRows int) (*models.Data, error) {
	ctx := context.Background()
	f, err := dataset.ReadFile(ctx, path)
	if err != nil {
		return nil, err
	}
	defer f.Release()
	prof, err := dataset.Analyze(f, target)
	if err != nil {
		return nil, err
	}
	col := f.Column(f.ColumnIndex(target))
	n := f.NumRows()
	y := make([]float64, n)
	k := 0
	if prof.Task.IsClassification() {
		k = len(prof.Classes)
		index := map[string]int{}
		for i, c := range prof.Classes {
			index[c] = i
		}
		vals, valid := dataset.Strings(col)
		for i := range n {
			c, ok := index[vals[i]]
			if !valid[i] || !ok {
				return nil, fmt.Errorf("%s: row %d has no class", path, i)
			}
			y[i] = float64(c)
		}
	} else {
		if y, err = dataset.Floats(col); err != nil {
			return nil, err
		}
	}
	pipe, err := preprocess.Fit(ctx, f, target, y, k, preprocess.Options{Drop: drop})
	if err != nil {
		return nil, err
	}
	feats, err := pipe.TransformTrain(f, preprocess.Native)
	if err != nil {
		return nil, err
	}
	d := &models.Data{X: feats.X, Y: y, NumClasses: k, Categories: feats.Categories}
	if maxRows > 0 && n > maxRows {
		rng := rand.New(rand.NewPCG(1, 2))
		rows := rng.Perm(n)[:maxRows]
		slices.Sort(rows)
		d = d.Subset(rows)
	}
	d.Bins, err = models.NewBinned(d.X, d.Categories, 0)
	return d, err
}

type result struct {
	metricName      string
	metric, logLoss float64
	rounds, fitSec  float64
}

// cv runs repeats x folds fits of one arm and averages the held-out scores.
func cv(d *models.Data, entry, esParams models.Params, arm string, folds, repeats int) (result, error) {
	var r result
	fits := 0
	for rep := range repeats {
		for fi, s := range splits(d, folds, uint64(rep)) {
			p := entry.Merge(models.Params{"seed": rep*folds + fi})
			switch arm {
			case "fixed":
				p = p.Merge(models.Params{"early_stopping_rounds": 0})
				if _, ok := entry["num_rounds"]; !ok {
					p["num_rounds"] = 100 // the old default
				}
			case "es", "refit":
				p = p.Merge(esParams)
			default:
				return r, fmt.Errorf("unknown arm %q", arm)
			}
			train, test := d.Subset(s[0]), d.Subset(s[1])
			t0 := time.Now()
			m, err := gbdt.New(p)
			if err != nil {
				return r, err
			}
			if err := m.Fit(context.Background(), train); err != nil {
				return r, err
			}
			if arm == "refit" {
				if m, err = gbdt.New(m.RefitParams(p)); err != nil {
					return r, err
				}
				if err := m.Fit(context.Background(), train); err != nil {
					return r, err
				}
			}
			r.fitSec += time.Since(t0).Seconds()
			r.rounds += float64(m.NumTrees() / max(1, trees(d.NumClasses)))
			out := make([]float64, models.OutputLen(test.Rows(), d.NumClasses))
			if err := m.Predict(out, test.X); err != nil {
				return r, err
			}
			name, v, ll := score(out, test.Y, d.NumClasses)
			r.metricName = name
			r.metric += v
			r.logLoss += ll
			fits++
		}
	}
	r.metric /= float64(fits)
	r.logLoss /= float64(fits)
	r.rounds /= float64(fits)
	return r, nil
}

func trees(k int) int {
	if k > 2 {
		return k
	}
	return 1
}

// splits returns K folds (train rows, test rows), stratified by class for
// classification, shuffled with seed.
func splits(d *models.Data, k int, seed uint64) [][2][]int {
	rng := rand.New(rand.NewPCG(seed, 99))
	n := d.Rows()
	order := rng.Perm(n)
	if d.NumClasses > 0 {
		slices.SortStableFunc(order, func(a, b int) int { return int(d.Y[a]) - int(d.Y[b]) })
	}
	fold := make([]int, n)
	for pos, i := range order {
		fold[i] = pos % k
	}
	out := make([][2][]int, k)
	for i := range n {
		for f := range k {
			if fold[i] == f {
				out[f][1] = append(out[f][1], i)
			} else {
				out[f][0] = append(out[f][0], i)
			}
		}
	}
	return out
}

// score returns the metric (accuracy or RMSE) and the log loss.
func score(out, y []float64, k int) (string, float64, float64) {
	n := len(y)
	if k == 0 {
		se := 0.0
		for i := range y {
			se += (out[i] - y[i]) * (out[i] - y[i])
		}
		return "rmse", math.Sqrt(se / float64(n)), 0
	}
	acc, ll := 0, 0.0
	for i := range y {
		row := out[i*k : (i+1)*k]
		best := 0
		for c := range row {
			if row[c] > row[best] {
				best = c
			}
		}
		if best == int(y[i]) {
			acc++
		}
		ll -= math.Log(math.Max(row[int(y[i])], 1e-15))
	}
	return "acc", float64(acc) / float64(n), ll / float64(n)
}
