package dataset

import (
	"bytes"
	"os"
	"testing"
)

const diamondsPath = "/work/shared/datasets/diamonds.csv"

func loadShared(b *testing.B, path string) []byte {
	b.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Skipf("shared dataset not available: %v", err)
	}
	return data
}

func BenchmarkReadCSVDiamonds(b *testing.B) {
	data := loadShared(b, diamondsPath)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		f, err := ReadCSV(b.Context(), bytes.NewReader(data), CSVOptions{})
		if err != nil {
			b.Fatal(err)
		}
		f.Release()
	}
}

func BenchmarkAnalyzeDiamonds(b *testing.B) {
	data := loadShared(b, diamondsPath)
	f, err := ReadCSV(b.Context(), bytes.NewReader(data), CSVOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Release()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Analyze(f, "price"); err != nil {
			b.Fatal(err)
		}
	}
}
