package dataset_test

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/automl-agent/automl/dataset"
)

// Build a frame from Go slices and take a subset of its rows.
func ExampleNewBuilder() {
	f, err := dataset.NewBuilder(nil).
		Float64("height", []float64{1.62, math.NaN(), 1.80}).
		String("city", []string{"Oslo", "Rome", ""}, []bool{true, true, false}).
		Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Release()
	fmt.Println(f.Names(), f.NumRows(), f.Column(0).NullN(), f.Column(1).NullN())

	sub, err := f.Select([]int{2, 0})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sub.Release()
	heights, _ := dataset.Floats(sub.Column(0))
	fmt.Println(heights)
	// Output:
	// [height city] 3 1 1
	// [1.8 1.62]
}

// Read CSV text; column types are inferred from every cell.
func ExampleReadCSV() {
	text := `id,when,score,passed,note
1,2024-01-05,3.5,true,"ok, fine"
2,2024-02-10,NA,false,
3,2024-03-15,4,true,great
`
	f, err := dataset.ReadCSV(context.Background(), strings.NewReader(text), dataset.CSVOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Release()
	for j, name := range f.Names() {
		fmt.Printf("%s: %s, %d null\n", name, f.Column(j).DataType(), f.Column(j).NullN())
	}

	_, err = dataset.ReadCSV(context.Background(), strings.NewReader("a,b\n1,2\n3\n"), dataset.CSVOptions{})
	fmt.Println(err)
	// Output:
	// id: int64, 0 null
	// when: timestamp[us, tz=UTC], 0 null
	// score: float64, 1 null
	// passed: bool, 0 null
	// note: utf8, 1 null
	// dataset: invalid input: line 3: 1 fields, want 2 as in the header
}

// Profile a table for a target: the task, its classes, column kinds and
// warnings.
func ExampleAnalyze() {
	var b strings.Builder
	b.WriteString("passenger_id,sex,age,alive,survived\n")
	for i := range 40 {
		sex, alive, survived := "male", "no", 0
		if i%3 == 0 {
			sex, alive, survived = "female", "yes", 1
		}
		fmt.Fprintf(&b, "%d,%s,%d,%s,%d\n", 100+i, sex, 20+i%17, alive, survived)
	}
	f, err := dataset.ReadCSV(context.Background(), strings.NewReader(b.String()), dataset.CSVOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Release()
	p, err := dataset.Analyze(f, "survived")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Task, p.Classes, p.ClassCounts)
	for _, c := range p.Columns {
		fmt.Println(c.Name, c.Kind, c.Distinct)
	}
	for _, w := range p.Warnings {
		fmt.Println(w.Column, w.Code)
	}
	// Output:
	// binary [0 1] [26 14]
	// passenger_id identifier 40
	// sex categorical 2
	// age integer 17
	// alive categorical 2
	// survived integer 2
	// passenger_id identifier
	// sex leakage
	// alive leakage
}
