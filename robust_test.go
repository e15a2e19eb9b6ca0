package automl_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl"
)

// TestAwkwardColumns fits on a table with every kind of awkward column at
// once: all empty, constant, infinities, an ID, a huge categorical, free
// text, a date, and missing values in the signal column.
func TestAwkwardColumns(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	b.WriteString("empty,const,withinf,id,huge,text,day,x,y\n")
	words := []string{"red", "fast", "car", "blue", "slow", "boat", "green", "plane"}
	for i := range 600 {
		x := rng.NormFloat64()
		xs := fmt.Sprintf("%.4f", x)
		if i%13 == 0 {
			xs = ""
		}
		inf := fmt.Sprintf("%.3f", rng.Float64())
		switch i % 50 {
		case 0:
			inf = "inf"
		case 1:
			inf = "-inf"
		}
		text := words[rng.IntN(8)] + " " + words[rng.IntN(8)] + " " + words[rng.IntN(8)]
		y := "no"
		if x+0.3*rng.NormFloat64() > 0 {
			y = "yes"
		}
		fmt.Fprintf(&b, ",7,%s,%d,h%d,%s,2024-01-%02d,%s,%s\n", inf, 100000+i, rng.IntN(5000), text, 1+i%28, xs, y)
	}
	f := readCSV(t, b.String())
	defer f.Release()
	res, err := automl.New(automl.Options{MaxTrials: 10, Seed: 1}).Fit(t.Context(), f, "y")
	require.NoError(t, err)
	best, ok := res.Leaderboard.Best()
	require.True(t, ok)
	assert.Greater(t, best.Score, 0.75, "x still carries the signal")
	preds, err := res.Predictor.Predict(t.Context(), f)
	require.NoError(t, err)
	assert.Len(t, preds.Labels, 600)
	assert.NotContains(t, res.Predictor.Columns(), "empty")
	assert.NotContains(t, res.Predictor.Columns(), "const")
}
