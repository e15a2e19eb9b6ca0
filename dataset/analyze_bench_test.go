package dataset

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// bigNumericFrame returns a frame of rows rows: 20 float64 columns of
// distinct random values, an int64 row number, a low-cardinality int64, a
// 10-level string categorical, a boolean, a float target "y" and a 0/1
// integer target "c".
func bigNumericFrame(b *testing.B, rows int) *Frame {
	b.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	bl := NewBuilder(nil)
	y := make([]float64, rows)
	for j := range 20 {
		x := make([]float64, rows)
		for i := range x {
			x[i] = r.Float64()
			y[i] += float64(j%5) * x[i]
		}
		bl.Float64(fmt.Sprintf("x%d", j), x)
	}
	id, small, cls := make([]int64, rows), make([]int64, rows), make([]int64, rows)
	cat, flag := make([]string, rows), make([]bool, rows)
	levels := []string{"red", "green", "blue", "cyan", "magenta", "yellow", "black", "white", "grey", "brown"}
	for i := range rows {
		id[i], small[i] = int64(i), int64(r.IntN(12))
		cat[i], flag[i] = levels[r.IntN(len(levels))], r.IntN(3) == 0
		if y[i] > 20 { // about half the rows
			cls[i] = 1
		}
	}
	f, err := bl.Int64("row_id", id, nil).Int64("small", small, nil).String("cat", cat, nil).
		Bool("flag", flag, nil).Float64("y", y).Int64("c", cls, nil).Build()
	if err != nil {
		b.Fatal(err)
	}
	return f
}

// BenchmarkAnalyzeBigNumeric profiles a mostly numeric table (25 columns
// besides the target) for a regression and a binary target; run it with
// -benchtime=3x, say: one 1M-row profile takes under a second.
func BenchmarkAnalyzeBigNumeric(b *testing.B) {
	for _, rows := range []int{100_000, 1_000_000} {
		f := bigNumericFrame(b, rows)
		for _, target := range []string{"y", "c"} {
			b.Run(fmt.Sprintf("rows=%d/target=%s", rows, target), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := Analyze(f, target); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows), "ns/row")
			})
		}
		f.Release()
	}
}

// BenchmarkAnalyzeBigNumericReference is BenchmarkAnalyzeBigNumeric's
// regression case on 1M rows for the implementation Analyze replaced
// (refAnalyze), for comparison; one run takes several seconds.
func BenchmarkAnalyzeBigNumericReference(b *testing.B) {
	const rows = 1_000_000
	f := bigNumericFrame(b, rows)
	defer f.Release()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := refAnalyze(AnalyzeOptions{}, f, "y"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows), "ns/row")
}
