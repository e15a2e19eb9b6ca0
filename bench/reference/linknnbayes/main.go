// Command linknnbayes prints the Go side of the real-data comparison of
// models/linear, models/knn, models/bayes and models/baseline with
// scikit-learn (bench/reference/linear_knn_bayes.py real runs both and
// prints them side by side).
//
//	go run ./bench/reference/linknnbayes [-data ../shared/datasets]
//
// Tasks: iris species and penguins species (4 numeric columns, rows with a
// missing value dropped) by accuracy; penguins body mass from the other 3
// numeric columns by R². Rows with index % 4 == 0 are the test set; features
// are standardised with the training mean and population deviation. Output
// lines are "task<TAB>model<TAB>metric=value".
package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/automl-agent/automl/models"
	_ "github.com/automl-agent/automl/models/baseline"
	_ "github.com/automl-agent/automl/models/bayes"
	_ "github.com/automl-agent/automl/models/knn"
	_ "github.com/automl-agent/automl/models/linear"
)

func main() {
	dir := flag.String("data", "../shared/datasets", "directory holding iris.csv and penguins.csv")
	flag.Parse()
	if err := run(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "linknnbayes:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	iris, err := readCSV(filepath.Join(dir, "iris.csv"))
	if err != nil {
		return err
	}
	pen, err := readCSV(filepath.Join(dir, "penguins.csv"))
	if err != nil {
		return err
	}
	num := []string{"bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"}
	pen = dropMissing(pen, num)

	type task struct {
		name   string
		X      [][]float64
		labels []string
	}
	tasks := []task{
		{"iris species", columns(iris, []string{"sepal_length", "sepal_width", "petal_length", "petal_width"}), column(iris, "species")},
		{"penguins species", columns(pen, num), column(pen, "species")},
	}
	for _, t := range tasks {
		y, k := encode(t.labels)
		tr, te := split(t.X, y, k)
		for _, name := range []string{"logistic", "knn", "gaussian_nb", "prior"} {
			p, err := fitPredict(name, tr, te)
			if err != nil {
				return fmt.Errorf("%s %s: %w", t.name, name, err)
			}
			correct := 0
			for i, yi := range te.Y {
				best := 0
				for c := range k {
					if p[i*k+c] > p[i*k+best] {
						best = c
					}
				}
				if best == int(yi) {
					correct++
				}
			}
			fmt.Printf("%s\t%s\taccuracy=%.4f\n", t.name, name, float64(correct)/float64(len(te.Y)))
		}
	}
	X := columns(pen, num[:3])
	y := columns(pen, num[3:])[0]
	tr, te := split(X, y, 0)
	for _, name := range []string{"linear", "ridge", "knn", "prior"} {
		p, err := fitPredict(name, tr, te)
		if err != nil {
			return fmt.Errorf("penguins mass %s: %w", name, err)
		}
		mean := 0.0
		for _, v := range te.Y {
			mean += v
		}
		mean /= float64(len(te.Y))
		ss, st := 0.0, 0.0
		for i, v := range te.Y {
			ss += (v - p[i]) * (v - p[i])
			st += (v - mean) * (v - mean)
		}
		fmt.Printf("penguins mass\t%s\tr2=%.4f\n", name, 1-ss/st)
	}
	return nil
}

func fitPredict(name string, tr, te *models.Data) ([]float64, error) {
	m, err := models.Default().New(name, nil)
	if err != nil {
		return nil, err
	}
	if err := m.Fit(context.Background(), tr); err != nil {
		return nil, err
	}
	p := make([]float64, models.OutputLen(len(te.Y), tr.NumClasses))
	return p, m.Predict(p, te.X)
}

// split puts rows with index % 4 == 0 in the test set and standardises
// both with the training mean and population standard deviation.
func split(X [][]float64, y []float64, k int) (tr, te *models.Data) {
	var trRows, teRows []int
	for i := range y {
		if i%4 == 0 {
			teRows = append(teRows, i)
		} else {
			trRows = append(trRows, i)
		}
	}
	d := &models.Data{X: X, Y: y, NumClasses: k}
	tr, te = d.Subset(trRows), d.Subset(teRows)
	for j, col := range tr.X {
		m, s := 0.0, 0.0
		for _, v := range col {
			m += v
		}
		m /= float64(len(col))
		for _, v := range col {
			s += (v - m) * (v - m)
		}
		s = math.Sqrt(s / float64(len(col)))
		if s == 0 {
			s = 1
		}
		for _, c := range [][]float64{col, te.X[j]} {
			for i, v := range c {
				c[i] = (v - m) / s
			}
		}
	}
	return tr, te
}

type table struct {
	head []string
	rows [][]string
}

func readCSV(path string) (*table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) < 2 {
		return nil, fmt.Errorf("%s: no rows", path)
	}
	return &table{head: recs[0], rows: recs[1:]}, nil
}

func (t *table) index(name string) int {
	for j, h := range t.head {
		if h == name {
			return j
		}
	}
	panic("no column " + name) // the two files are fixed inputs
}

func dropMissing(t *table, cols []string) *table {
	out := &table{head: t.head}
	for _, r := range t.rows {
		ok := true
		for _, c := range cols {
			if r[t.index(c)] == "" {
				ok = false
			}
		}
		if ok {
			out.rows = append(out.rows, r)
		}
	}
	return out
}

func column(t *table, name string) []string {
	j := t.index(name)
	out := make([]string, len(t.rows))
	for i, r := range t.rows {
		out[i] = r[j]
	}
	return out
}

func columns(t *table, names []string) [][]float64 {
	out := make([][]float64, len(names))
	for c, name := range names {
		s := column(t, name)
		out[c] = make([]float64, len(s))
		for i, v := range s {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				panic(fmt.Sprintf("%s row %d: %v", name, i, err))
			}
			out[c][i] = f
		}
	}
	return out
}

// encode maps labels to 0..k-1 in sorted order.
func encode(labels []string) ([]float64, int) {
	set := map[string]bool{}
	for _, l := range labels {
		set[l] = true
	}
	names := make([]string, 0, len(set))
	for l := range set {
		names = append(names, l)
	}
	sort.Strings(names)
	idx := map[string]int{}
	for i, n := range names {
		idx[n] = i
	}
	y := make([]float64, len(labels))
	for i, l := range labels {
		y[i] = float64(idx[l])
	}
	return y, len(names)
}
