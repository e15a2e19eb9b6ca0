package knn_test

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/models/internal/reftest"
	"github.com/automl-agent/automl/models/knn"
)

type refCase struct {
	Neighbors []float64 `json:"neighbors"`
	Distances []float64 `json:"distances"`
	Proba     []float64 `json:"proba"`
	Pred      []float64 `json:"pred"`
}

func TestReferenceData(t *testing.T) {
	reftest.CheckCSV(t, filepath.Join("testdata", "clf3.csv"), reftest.Synth(21, 300, 5, 3))
	reftest.CheckCSV(t, filepath.Join("testdata", "reg.csv"), reftest.Synth(22, 300, 5, 0))
}

// splitRef returns the training rows [0, 250) and the queries: rows
// [250, n) then rows 0..4 (exact matches), as in the reference script.
func splitRef(d *models.Data) (train *models.Data, q [][]float64) {
	rows := make([]int, 250)
	for i := range rows {
		rows[i] = i
	}
	train = d.Subset(rows)
	train.W = nil
	qrows := []int{}
	for i := 250; i < d.Rows(); i++ {
		qrows = append(qrows, i)
	}
	qrows = append(qrows, 0, 1, 2, 3, 4)
	return train, d.Subset(qrows).X
}

func TestReferenceKNN(t *testing.T) {
	ref := reftest.LoadGolden(t, filepath.Join("testdata", "sklearn.json"))
	for _, data := range []string{"clf3", "reg"} {
		for _, w := range []knn.Weighting{knn.Uniform, knn.Distance} {
			name := data + "_" + w.String()
			t.Run(name, func(t *testing.T) {
				var want refCase
				ref.Case(t, name, &want)
				k := 0
				if data == "clf3" {
					k = 3
				}
				d := reftest.ReadCSV(t, filepath.Join("testdata", data+".csv"), k)
				train, q := splitRef(d)
				m := &knn.KNN{Neighbors: 5, Weights: w}
				require.NoError(t, m.Fit(t.Context(), train))

				idx, dist, kk, err := m.Query(q)
				require.NoError(t, err)
				require.Equal(t, 5, kk)
				require.Len(t, idx, len(want.Neighbors))
				nq := len(q[0])
				dup := nq - 5 // queries from here on are training rows 0..4
				for i := range idx {
					assert.Equal(t, int(want.Neighbors[i]), idx[i], "neighbour %d", i)
					if i/5 >= dup && i%5 == 0 {
						// A query equal to a training row: we get exactly 0,
						// scikit-learn gets cancellation noise (up to ~1e-7).
						assert.Zero(t, dist[i], "self distance %d", i)
						assert.InDelta(t, want.Distances[i], 0, 1e-6)
						continue
					}
					assert.InDelta(t, want.Distances[i], dist[i], 1e-12*math.Max(1, want.Distances[i]), "distance %d", i)
				}
				got := make([]float64, models.OutputLen(nq, k))
				require.NoError(t, m.Predict(got, q))
				exp := want.Pred
				if k > 0 {
					exp = want.Proba
				}
				require.Len(t, got, len(exp))
				maxDiff := 0.0
				defer func() { t.Logf("max |output - sklearn| = %g", maxDiff) }()
				for i := range exp {
					row := i / max(k, 1)
					if row >= dup && w == knn.Distance {
						// Only the zero-distance neighbour votes.
						self := train.Y[row-dup]
						if k == 0 {
							assert.Equal(t, self, got[i], "output %d", i)
						} else {
							assert.Equal(t, b2f(i%k == int(self)), got[i], "output %d", i)
						}
						continue
					}
					maxDiff = math.Max(maxDiff, math.Abs(exp[i]-got[i]))
					assert.InDelta(t, exp[i], got[i], 1e-12*math.Max(1, math.Abs(exp[i])), "output %d", i)
				}
			})
		}
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
