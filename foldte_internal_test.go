package automl

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/evaluate"
	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/preprocess"
)

// A fold cut from bins alone (big views, tree models) holds the same
// split-own target encodings as a fold cut with its features.
func TestFoldTargetEncodingsInBinsAndFeatures(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	b.WriteString("x,code\n")
	const n = 2000
	y := make([]float64, n)
	for i := range n {
		fmt.Fprintf(&b, "%.3f,c%d\n", rng.NormFloat64(), rng.IntN(400))
		y[i] = float64(rng.IntN(2))
	}
	f, err := dataset.ReadCSV(t.Context(), strings.NewReader(b.String()), dataset.CSVOptions{})
	require.NoError(t, err)
	defer f.Release()
	pipe, err := preprocess.Fit(t.Context(), f, "", y, 2, preprocess.Options{MaxCategories: 300, MinCategoryCount: 1})
	require.NoError(t, err)
	r := &run{pipe: pipe, frame: f, y: y, k: 2}
	v, err := r.makeView(models.InputNative)
	require.NoError(t, err)
	require.NotNil(t, v.te, "the 300-level column is target-encoded in the Native view")
	splits, err := evaluate.StratifiedKFold(y, 2, 5, 1)
	require.NoError(t, err)
	s := splits[2]
	withX, testX := v.cut(s, false)
	binned, testX2 := v.cut(s, true)
	assert.Nil(t, binned.X)
	j := v.te.idx[0]
	assert.Equal(t, "code:te", v.names[j])
	changed := 0
	for r, x := range withX.X[j] {
		require.Equal(t, v.full.Bins.BinValue(j, x), binned.Bins.Codes[j][r], "row %d", r)
		require.Equal(t, withX.Bins.Codes[j][r], binned.Bins.Codes[j][r])
		if x != v.full.X[j][s.Train[r]] && !math.IsNaN(x) {
			changed++
		}
	}
	assert.Greater(t, changed, len(s.Train)/2, "the fold's encodings are its own, not the whole set's")
	assert.Equal(t, testX[j], testX2[j])
	assert.Equal(t, testX[j], v.heldOut(2, s)[j])
	for c := range testX {
		if c != j {
			assert.Equal(t, gatherColumns(v.full.X, s.Test)[c], testX[c], "other features are the view's")
		}
	}
}
