package preprocess_test

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/preprocess"
)

// buildFrame makes a Frame of a numeric and a string column; the caller
// must Release it.
func buildFrame(age []float64, city []string) *dataset.Frame {
	mem := memory.DefaultAllocator
	ab := array.NewFloat64Builder(mem)
	defer ab.Release()
	for _, v := range age {
		if math.IsNaN(v) {
			ab.AppendNull()
		} else {
			ab.Append(v)
		}
	}
	cb := array.NewStringBuilder(mem)
	defer cb.Release()
	cb.AppendValues(city, nil)
	a, c := ab.NewArray(), cb.NewArray()
	defer a.Release()
	defer c.Release()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "age", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "city", Type: arrow.BinaryTypes.String},
	}, nil)
	rec := array.NewRecordBatch(schema, []arrow.Array{a, c}, int64(len(age)))
	defer rec.Release()
	f, err := dataset.NewFrame(rec)
	if err != nil {
		panic(err)
	}
	return f
}

func Example() {
	train := buildFrame(
		[]float64{20, math.NaN(), 40, 60},
		[]string{"Oslo", "Rome", "Oslo", "Rome"},
	)
	defer train.Release()
	y := []float64{0, 1, 0, 1} // the encoded target: class indexes

	p, err := preprocess.Fit(context.Background(), train, "label", y, 2, preprocess.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println("needs:", p.InputColumns())

	// Prediction-time data: an unseen city, columns in any order.
	test := buildFrame([]float64{30, math.NaN()}, []string{"Rome", "Paris"})
	defer test.Release()
	for _, v := range []preprocess.View{preprocess.Native, preprocess.Dense} {
		fs, err := p.Transform(test, v)
		if err != nil {
			panic(err)
		}
		fmt.Println(v, fs.Names, fs.Categories)
		for j, x := range fs.X {
			fmt.Printf("  %-12s %.3f\n", fs.Names[j], x)
		}
	}
	// Output:
	// needs: [age city]
	// native [age city] [0 3]
	//   age          [30.000 NaN]
	//   city         [1.000 2.000]
	// dense [age age:missing city=Oslo city=Rome] [0 0 0 0]
	//   age          [-0.707 0.000]
	//   age:missing  [0.000 1.000]
	//   city=Oslo    [0.000 0.000]
	//   city=Rome    [1.000 0.000]
}

func ExamplePipeline_MarshalBinary() {
	train := buildFrame([]float64{1, 2, 3, 4}, []string{"a", "b", "a", "b"})
	defer train.Release()
	p, err := preprocess.Fit(context.Background(), train, "", []float64{1.5, 2.5, 3.5, 4.5}, 0, preprocess.Options{})
	if err != nil {
		panic(err)
	}
	b, err := p.MarshalBinary()
	if err != nil {
		panic(err)
	}
	var q preprocess.Pipeline
	if err := q.UnmarshalBinary(b); err != nil {
		panic(err)
	}
	fs, err := q.Transform(train, preprocess.Native)
	if err != nil {
		panic(err)
	}
	fmt.Println(fs.Names, fs.X)
	// Output:
	// [age city] [[1 2 3 4] [0 1 0 1]]
}
