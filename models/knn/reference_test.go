package knn_test

import (
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/models/knn"
)

var update = flag.Bool("update", false, "rewrite the synthetic CSVs in testdata (then rerun bench/reference/linear_knn_bayes.py)")

// synth makes a deterministic data set: p features with distinct scales and
// offsets, a target from a noisy linear model (k = 0) or a noisy softmax
// choice among k classes, and weights in [0.5, 2).
func synth(seed uint64, n, p, k int) *models.Data {
	rng := rand.New(rand.NewPCG(seed, 1))
	scales := []float64{1, 10, 0.1, 3, 0.5, 2, 7}
	offsets := []float64{0, 5, -1, 2, 0, -3, 1}
	d := &models.Data{X: make([][]float64, p), Y: make([]float64, n), W: make([]float64, n), NumClasses: k}
	z := make([][]float64, p)
	for j := range p {
		d.X[j] = make([]float64, n)
		z[j] = make([]float64, n)
		for i := range n {
			z[j][i] = rng.NormFloat64()
			d.X[j][i] = offsets[j%7] + scales[j%7]*z[j][i]
		}
	}
	r := max(k, 1)
	beta := make([]float64, r*p)
	for i := range beta {
		beta[i] = rng.NormFloat64()
	}
	for i := range n {
		best, bestS := 0, math.Inf(-1)
		for c := range r {
			s := 0.0
			for j := range p {
				s += beta[c*p+j] * z[j][i]
			}
			if k == 0 {
				d.Y[i] = 3 + s + 0.5*rng.NormFloat64()
				break
			}
			s -= math.Log(-math.Log(rng.Float64())) // Gumbel noise: softmax choice
			if s > bestS {
				best, bestS = c, s
			}
		}
		if k > 0 {
			d.Y[i] = float64(best)
		}
		d.W[i] = 0.5 + 1.5*rng.Float64()
	}
	return d
}

func writeCSV(t *testing.T, path string, d *models.Data) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	w := csv.NewWriter(f)
	head := []string{}
	for j := range d.X {
		head = append(head, fmt.Sprintf("x%d", j))
	}
	require.NoError(t, w.Write(append(head, "y", "w")))
	for i := range d.Y {
		rec := []string{}
		for j := range d.X {
			rec = append(rec, strconv.FormatFloat(d.X[j][i], 'g', -1, 64))
		}
		rec = append(rec, strconv.FormatFloat(d.Y[i], 'g', -1, 64), strconv.FormatFloat(d.W[i], 'g', -1, 64))
		require.NoError(t, w.Write(rec))
	}
	w.Flush()
	require.NoError(t, w.Error())
	require.NoError(t, f.Close())
}

// readCSV reads a CSV written by writeCSV.
func readCSV(t *testing.T, path string, k int) *models.Data {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Greater(t, len(recs), 1)
	p := len(recs[0]) - 2
	n := len(recs) - 1
	d := &models.Data{X: make([][]float64, p), Y: make([]float64, n), W: make([]float64, n), NumClasses: k}
	for j := range d.X {
		d.X[j] = make([]float64, n)
	}
	for i, rec := range recs[1:] {
		for j, s := range rec {
			v, err := strconv.ParseFloat(s, 64)
			require.NoError(t, err)
			switch {
			case j < p:
				d.X[j][i] = v
			case j == p:
				d.Y[i] = v
			default:
				d.W[i] = v
			}
		}
	}
	return d
}

type refCase struct {
	Neighbors []float64 `json:"neighbors"`
	Distances []float64 `json:"distances"`
	Proba     []float64 `json:"proba"`
	Pred      []float64 `json:"pred"`
}

func TestReferenceData(t *testing.T) {
	sets := []struct {
		name    string
		seed    uint64
		n, p, k int
	}{
		{"clf3", 21, 300, 5, 3},
		{"reg", 22, 300, 5, 0},
	}
	for _, s := range sets {
		path := filepath.Join("testdata", s.name+".csv")
		want := synth(s.seed, s.n, s.p, s.k)
		if *update {
			writeCSV(t, path, want)
		}
		got := readCSV(t, path, s.k)
		assert.Equal(t, want, got, "%s differs from the generator; rerun with -update and the reference script", path)
	}
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
	b, err := os.ReadFile(filepath.Join("testdata", "sklearn.json"))
	require.NoError(t, err, "run bench/reference/linear_knn_bayes.py to make the golden file")
	var ref map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &ref))
	for _, data := range []string{"clf3", "reg"} {
		for _, w := range []knn.Weighting{knn.Uniform, knn.Distance} {
			name := data + "_" + w.String()
			t.Run(name, func(t *testing.T) {
				var want refCase
				require.NoError(t, json.Unmarshal(ref[name], &want))
				k := 0
				if data == "clf3" {
					k = 3
				}
				d := readCSV(t, filepath.Join("testdata", data+".csv"), k)
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
