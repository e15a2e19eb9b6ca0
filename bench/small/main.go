// Command small checks that on small tables the search does not lose,
// held out, to the plain default models it trains itself (issue 10): for
// each table and split it fits the default search and, on the same rows,
// the linear model (logistic or ridge) and the random forest alone with
// their default parameters, and scores all three on the held-out rows.
//
//	go run ./bench/small -splits 10
//
// The tables are synthetic, made here with a fixed seed:
//   - bin30: 250 rows, 30 numeric features, binary; the log-odds are a
//     sparse linear function of 8 of them plus noise (AUC);
//   - cls13: 178 rows, 13 numeric features, 3 classes from Gaussian
//     clusters with correlated features (log loss);
//   - reg10: 442 rows, 10 numeric features, a linear target with one
//     interaction and heavy noise (RMSE);
//   - sep13: 178 rows, 13 numeric features on unlike scales (four of them
//     skewed), 3 nearly separable classes (log loss);
//   - axis13: 178 rows, 13 numeric features; thresholds on two of them
//     (one skewed) set the class, with a margin, so trees separate it and
//     a linear model does not (log loss).
//
// Each table ends with the search against each default over the splits:
// the mean difference, its paired t statistic and the splits won and
// lost. On a few dozen rows one split's held-out rows decide a lot, so
// read a mean with its t: |t| below 2 is split-to-split noise.
//
// -families also scores each named family alone (its whole portfolio, the
// best trial out of fold, no ensemble); with -v it prints that trial's
// out-of-fold and held-out scores per split. -dump DIR writes every
// split's rows as CSV, for the scikit-learn side (reference.py).
//
// -csv adds tables from files, as FILE:TARGET:METRIC[:CLASSES] (comma-
// separated); e.g. base R's small tables written with write.csv (see
// bench/README.md): -csv /tmp/r/infert.csv:case:roc_auc:2
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
	"strings"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/evaluate"
)

type table struct {
	name, target string
	metric       string
	k            int // classes, 0 for regression
	csv          func(rng *rand.Rand) string
}

func main() {
	splits := flag.Int("splits", 5, "75/25 splits per table")
	only := flag.String("only", "", "comma-separated table names (default all)")
	budget := flag.Duration("budget", 0, "time budget of the search (0: none, MaxTrials 200)")
	verbose := flag.Bool("v", false, "print the search's predictor and leaderboard")
	csvs := flag.String("csv", "", "extra tables FILE:TARGET:METRIC[:CLASSES], comma-separated")
	repeats := flag.Int("repeats", 0, "cross-validation repeats of the search (0: the planner's)")
	folds := flag.Int("folds", 0, "cross-validation folds of the search (0: the planner's)")
	dump := flag.String("dump", "", "write each split's rows to DIR/NAME_SPLIT_{train,test}.csv (for reference.py; the table's CSV must hold one row per line)")
	families := flag.String("families", "", "also score each of these families alone (its whole portfolio, best trial out of fold, no ensemble), comma-separated")
	flag.Parse()
	tables := []table{
		{"bin30", "target", "roc_auc", 2, bin30},
		{"cls13", "target", "log_loss", 3, cls13},
		{"reg10", "target", "rmse", 0, reg10},
		{"sep13", "target", "log_loss", 3, sep13},
		{"axis13", "target", "log_loss", 3, axis13},
	}
	for _, spec := range strings.Split(*csvs, ",") {
		if spec == "" {
			continue
		}
		parts := strings.Split(spec, ":")
		if len(parts) < 3 {
			fail(fmt.Errorf("-csv %q: want FILE:TARGET:METRIC[:CLASSES]", spec))
		}
		k := 0
		if len(parts) > 3 {
			fmt.Sscan(parts[3], &k)
		}
		b, err := os.ReadFile(parts[0])
		if err != nil {
			fail(err)
		}
		text := string(b)
		name := strings.TrimSuffix(filepath.Base(parts[0]), ".csv")
		tables = append(tables, table{name, parts[1], parts[2], k, func(*rand.Rand) string { return text }})
	}
	for _, tb := range tables {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), tb.name) {
			continue
		}
		m, err := evaluate.MetricByName(tb.metric)
		if err != nil {
			fail(err)
		}
		var sums [3]float64
		var per [3][]float64 // per-split scores: search, linear, forest
		fams := strings.Split(*families, ",")
		if *families == "" {
			fams = nil
		}
		famSums := make([]float64, len(fams))
		wins := 0
		for s := range *splits {
			rng := rand.New(rand.NewPCG(uint64(s), 7))
			text := tb.csv(rng)
			f, err := dataset.ReadCSV(context.Background(), strings.NewReader(text), dataset.CSVOptions{})
			if err != nil {
				fail(err)
			}
			perm := rng.Perm(f.NumRows())
			cut := f.NumRows() * 3 / 4
			tr, te := slices.Clone(perm[:cut]), slices.Clone(perm[cut:])
			slices.Sort(tr)
			slices.Sort(te)
			if *dump != "" {
				lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
				for name, rows := range map[string][]int{"train": tr, "test": te} {
					var b strings.Builder
					b.WriteString(lines[0] + "\n")
					for _, i := range rows {
						b.WriteString(lines[i+1] + "\n")
					}
					if err := os.WriteFile(filepath.Join(*dump, fmt.Sprintf("%s_%d_%s.csv", tb.name, s, name)), []byte(b.String()), 0o644); err != nil {
						fail(err)
					}
				}
			}
			train, err := f.Select(tr)
			if err != nil {
				fail(err)
			}
			test, err := f.Select(te)
			if err != nil {
				fail(err)
			}
			linear := "ridge"
			if tb.k > 0 {
				linear = "logistic"
			}
			var sc [3]float64
			for i, o := range []automl.Options{
				{},
				{Include: []string{linear}, MaxTrials: 2, DisableEnsemble: true},
				{Include: []string{"random_forest"}, MaxTrials: 2, DisableEnsemble: true},
			} {
				o.Seed, o.Metric, o.DisableImportance = uint64(s)+1, tb.metric, true
				if i == 0 {
					o.Repeats, o.Folds = *repeats, *folds
					o.TimeBudget = *budget
					if *budget == 0 {
						o.MaxTrials = 200
					}
				}
				res, err := automl.New(o).Fit(context.Background(), train, tb.target)
				if err != nil {
					fail(err)
				}
				sc[i] = score(res.Predictor, test, tb.target, tb.k, m)
				if i == 0 && *verbose {
					fmt.Println(res.Predictor)
					fmt.Println(res.Leaderboard.Table(12))
				}
				sums[i] += sc[i]
				per[i] = append(per[i], sc[i])
			}
			for i, fam := range fams {
				o := automl.Options{Include: []string{fam}, MaxTrials: 200, DisableEnsemble: true, DisableImportance: true, Seed: uint64(s) + 1, Metric: tb.metric, Repeats: *repeats, Folds: *folds}
				res, err := automl.New(o).Fit(context.Background(), train, tb.target)
				if err != nil {
					fail(err)
				}
				h := score(res.Predictor, test, tb.target, tb.k, m)
				famSums[i] += h
				if *verbose {
					for _, row := range res.Leaderboard.Rows {
						if row.Selected {
							fmt.Printf("%-6s split %d  %s alone: out of fold %.4f, held out %.4f\n", tb.name, s, fam, row.Score, h)
						}
					}
				}
			}
			if !evaluate.Better(m, max2(m, sc[1], sc[2]), sc[0]) {
				wins++
			}
			fmt.Printf("%-6s split %d  automl %.4f  %s %.4f  random_forest %.4f\n", tb.name, s, sc[0], linear, sc[1], sc[2])
			f.Release()
			train.Release()
			test.Release()
		}
		n := float64(*splits)
		fmt.Printf("%-6s mean %s: automl %.4f  linear %.4f  random_forest %.4f; automl at least as good as both on %d/%d splits\n",
			tb.name, tb.metric, sums[0]/n, sums[1]/n, sums[2]/n, wins, *splits)
		for i, name := range []string{"linear", "random_forest"} {
			fmt.Printf("%-6s automl against %s: %s\n", tb.name, name, paired(m, per[0], per[i+1]))
		}
		for i, fam := range fams {
			fmt.Printf("%-6s mean %s: %s alone %.4f\n", tb.name, tb.metric, fam, famSums[i]/n)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "small:", err)
	os.Exit(1)
}

// paired compares the search's per-split scores a with a default's b:
// the mean difference as a share of b's mean (positive is the search
// worse, whatever the metric's direction), the paired t statistic of that
// difference (|t| above 2 is more than split-to-split noise) and on how
// many splits the search was better and worse.
func paired(m evaluate.Metric, a, b []float64) string {
	n := len(a)
	if n < 2 {
		return "too few splits"
	}
	sign := 1.0
	if m.Greater() {
		sign = -1 // higher is better: a positive difference is a loss
	}
	var mean, meanB float64
	better, worse := 0, 0
	d := make([]float64, n)
	for i := range a {
		d[i] = sign * (a[i] - b[i])
		mean += d[i] / float64(n)
		meanB += b[i] / float64(n)
		switch {
		case d[i] < 0:
			better++
		case d[i] > 0:
			worse++
		}
	}
	var ss float64
	for _, v := range d {
		ss += (v - mean) * (v - mean)
	}
	se := math.Sqrt(ss / float64(n-1) / float64(n))
	t := math.Inf(1)
	switch {
	case se > 0:
		t = mean / se
	case mean == 0:
		t = 0
	case mean < 0:
		t = math.Inf(-1)
	}
	return fmt.Sprintf("%+.2f%% (t %+.2f; better on %d, worse on %d of %d splits)", 100*mean/math.Abs(meanB), t, better, worse, n)
}

// max2 returns the better of a and b under m.
func max2(m evaluate.Metric, a, b float64) float64 {
	if evaluate.Better(m, a, b) {
		return a
	}
	return b
}

// score scores p's predictions of test under m, on the rows with a
// target.
func score(p *automl.Predictor, test *dataset.Frame, target string, k int, m evaluate.Metric) float64 {
	pr, err := p.Predict(context.Background(), test)
	if err != nil {
		fail(err)
	}
	col := test.Column(test.ColumnIndex(target))
	var y, pred []float64
	if k == 0 {
		vals, err := dataset.Floats(col)
		if err != nil {
			fail(err)
		}
		for i, v := range vals {
			if !math.IsNaN(v) {
				y, pred = append(y, v), append(pred, pr.Values[i])
			}
		}
	} else {
		vals, valid := dataset.Strings(col)
		w := len(pr.Classes)
		for i, v := range vals {
			if valid[i] {
				y = append(y, float64(slices.Index(pr.Classes, v)))
				pred = append(pred, pr.Proba[i*w:(i+1)*w]...)
			}
		}
	}
	s, err := m.Score(y, pred, k, nil)
	if err != nil {
		fail(err)
	}
	return s
}

func header(b *strings.Builder, d int) {
	for j := range d {
		fmt.Fprintf(b, "x%d,", j)
	}
	b.WriteString("target\n")
}

func bin30(rng *rand.Rand) string {
	var b strings.Builder
	header(&b, 30)
	w := make([]float64, 30)
	for j := range 8 {
		w[j*3] = rng.NormFloat64()
	}
	for range 250 {
		z := 0.0
		for j := range 30 {
			x := rng.NormFloat64()
			z += w[j] * x
			fmt.Fprintf(&b, "%.4f,", x)
		}
		c := "neg"
		if z+rng.NormFloat64() > 0 {
			c = "pos"
		}
		fmt.Fprintf(&b, "%s\n", c)
	}
	return b.String()
}

// centres draws k class centres in d dimensions, each coordinate normal
// with standard deviation sd.
func centres(rng *rand.Rand, k, d int, sd float64) [][]float64 {
	out := make([][]float64, k)
	for c := range out {
		out[c] = make([]float64, d)
		for j := range out[c] {
			out[c][j] = sd * rng.NormFloat64()
		}
	}
	return out
}

// scales draws d log-normal feature scales, so that features come in
// unlike units.
func scales(rng *rand.Rand, d int) []float64 {
	out := make([]float64, d)
	for j := range out {
		out[j] = math.Exp(2 * rng.NormFloat64())
	}
	return out
}

// clustered draws feature j of a row around its class centre mean, skewed
// (exp of half of it) for every fourth feature.
func clustered(rng *rand.Rand, mean float64, j int) float64 {
	x := mean + rng.NormFloat64()
	if j%4 == 0 {
		x = math.Exp(x / 2)
	}
	return x
}

func cls13(rng *rand.Rand) string {
	var b strings.Builder
	header(&b, 13)
	centre := centres(rng, 3, 13, 0.5)
	for range 178 {
		c := rng.IntN(3)
		common := rng.NormFloat64()
		for j := range 13 {
			fmt.Fprintf(&b, "%.4f,", centre[c][j]+0.6*common+rng.NormFloat64())
		}
		fmt.Fprintf(&b, "k%d\n", c)
	}
	return b.String()
}

// sep13 is a nearly separable 3-class table of 178 rows and 13 numeric
// features on unlike scales, some skewed: the shape on which log loss asks
// for sharp probabilities.
func sep13(rng *rand.Rand) string {
	var b strings.Builder
	header(&b, 13)
	centre := centres(rng, 3, 13, 1.1)
	scale := scales(rng, 13)
	for range 178 {
		c := rng.IntN(3)
		for j := range 13 {
			fmt.Fprintf(&b, "%.4g,", scale[j]*clustered(rng, centre[c][j], j))
		}
		fmt.Fprintf(&b, "k%d\n", c)
	}
	return b.String()
}

// axis13 is a table trees separate and a linear model does not: the class
// is set by thresholds on two features (one of them skewed), with a margin
// around each threshold, and 11 more features carry noisy hints of it on
// unlike scales.
func axis13(rng *rand.Rand) string {
	var b strings.Builder
	header(&b, 13)
	centre := centres(rng, 3, 11, 0.7)
	scale := scales(rng, 13)
	for range 178 {
		var x0, x1 float64
		for {
			x0, x1 = rng.NormFloat64(), rng.NormFloat64()
			if math.Abs(x0+0.5) > 0.1 && math.Abs(x1-0.3) > 0.1 {
				break
			}
		}
		c := 2
		switch {
		case x0 < -0.5:
			c = 0
		case x1 > 0.3:
			c = 1
		}
		fmt.Fprintf(&b, "%.4g,%.4g,", scale[0]*math.Exp(x0), scale[1]*x1)
		for j := range 11 {
			fmt.Fprintf(&b, "%.4g,", scale[j+2]*clustered(rng, centre[c][j], j))
		}
		fmt.Fprintf(&b, "k%d\n", c)
	}
	return b.String()
}

func reg10(rng *rand.Rand) string {
	var b strings.Builder
	header(&b, 10)
	w := make([]float64, 10)
	for j := range w {
		w[j] = rng.NormFloat64() * 10
	}
	x := make([]float64, 10)
	for range 442 {
		y := 0.0
		for j := range x {
			x[j] = rng.NormFloat64()
			y += w[j] * x[j]
			fmt.Fprintf(&b, "%.4f,", x[j])
		}
		y += 5*x[0]*x[1] + 25*rng.NormFloat64()
		fmt.Fprintf(&b, "%.3f\n", y+150)
	}
	return b.String()
}
