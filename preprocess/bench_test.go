package preprocess_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/preprocess"
)

// diamondsFloats are the diamonds columns to read as float64.
var diamondsFloats = []string{"carat", "depth", "table", "price", "x", "y", "z"}

func benchDiamonds(b *testing.B, opts preprocess.Options, v preprocess.View, train bool) {
	f := readCSV(b, diamondsCSV, diamondsFloats...)
	defer f.Release()
	y := target(b, f, "price")
	p, err := preprocess.Fit(b.Context(), f, "price", y, 0, opts)
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if train {
			_, err = p.TransformTrain(f, v)
		} else {
			_, err = p.Transform(f, v)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTransformDiamondsNative(b *testing.B) {
	benchDiamonds(b, preprocess.Options{}, preprocess.Native, false)
}

func BenchmarkTransformDiamondsDense(b *testing.B) {
	benchDiamonds(b, preprocess.Options{}, preprocess.Dense, false)
}

// MaxOneHot 5 sends color and clarity through the target encoding.
func BenchmarkTransformTrainDiamondsDenseTE(b *testing.B) {
	benchDiamonds(b, preprocess.Options{MaxOneHot: 5}, preprocess.Dense, true)
}

func BenchmarkFitDiamonds(b *testing.B) {
	f := readCSV(b, diamondsCSV, diamondsFloats...)
	defer f.Release()
	y := target(b, f, "price")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := preprocess.Fit(b.Context(), f, "price", y, 0, preprocess.Options{MaxOneHot: 5}); err != nil {
			b.Fatal(err)
		}
	}
}
