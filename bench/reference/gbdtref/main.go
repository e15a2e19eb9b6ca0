// Command gbdtref fits models/gbdt on one train CSV and writes predictions
// for a test CSV to stdout (one line per row, comma-separated
// probabilities for classification). Used by gbdt_vs_hgb.py.
//
//	gbdtref -train a.csv -test b.csv -classes 3 -cats 1,4 [-params '{"lambda_l2":0}']
//
// CSVs have a header, the target in the last column, empty or "nan" for
// missing; -cats lists categorical feature indices (codes 0..c-1).
package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/models/gbdt"
)

func main() {
	train := flag.String("train", "", "training CSV")
	test := flag.String("test", "", "test CSV")
	classes := flag.Int("classes", 0, "number of classes (0 = regression)")
	cats := flag.String("cats", "", "categorical feature indices")
	params := flag.String("params", "", "gbdt params as JSON")
	flag.Parse()
	if err := run(*train, *test, *classes, *cats, *params); err != nil {
		fmt.Fprintln(os.Stderr, "gbdtref:", err)
		os.Exit(1)
	}
}

func run(train, test string, classes int, cats, params string) error {
	Xtr, ytr, err := read(train)
	if err != nil {
		return err
	}
	Xte, _, err := read(test)
	if err != nil {
		return err
	}
	var categories []int
	if cats != "" {
		categories = make([]int, len(Xtr))
		for _, s := range strings.Split(cats, ",") {
			j, err := strconv.Atoi(s)
			if err != nil || j < 0 || j >= len(Xtr) {
				return fmt.Errorf("bad -cats entry %q", s)
			}
			n := 0
			for _, col := range [][]float64{Xtr[j], Xte[j]} {
				for _, v := range col {
					if v == v {
						n = max(n, int(v)+1)
					}
				}
			}
			categories[j] = max(n, 1)
		}
	}
	p := models.Params{}
	if params != "" {
		if err := json.Unmarshal([]byte(params), &p); err != nil {
			return err
		}
	}
	m, err := gbdt.New(p)
	if err != nil {
		return err
	}
	d := &models.Data{X: Xtr, Y: ytr, NumClasses: classes, Categories: categories}
	if err := m.Fit(context.Background(), d); err != nil {
		return err
	}
	n := len(Xte[0])
	out := make([]float64, models.OutputLen(n, classes))
	if err := m.Predict(out, Xte); err != nil {
		return err
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	k := max(classes, 1)
	for i := range n {
		for c := range k {
			if c > 0 {
				w.WriteByte(',')
			}
			w.WriteString(strconv.FormatFloat(out[i*k+c], 'g', 17, 64))
		}
		w.WriteByte('\n')
	}
	return nil
}

func read(path string) ([][]float64, []float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, nil, err
	}
	if len(recs) < 2 {
		return nil, nil, fmt.Errorf("%s: no rows", path)
	}
	nc := len(recs[0])
	X := make([][]float64, nc-1)
	var y []float64
	for r, rec := range recs[1:] {
		for c, s := range rec {
			v := math.NaN()
			if s != "" && s != "nan" {
				if v, err = strconv.ParseFloat(s, 64); err != nil {
					return nil, nil, fmt.Errorf("%s row %d: %w", path, r+2, err)
				}
			}
			if c == nc-1 {
				y = append(y, v)
			} else {
				X[c] = append(X[c], v)
			}
		}
	}
	return X, y, nil
}
