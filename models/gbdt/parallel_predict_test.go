package gbdt

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
)

// A batch large enough to fan out gives bit-identical scores to the same
// rows scored in small batches on the caller's goroutine.
func TestPredictSameAcrossParallelThreshold(t *testing.T) {
	d := synth(2000, 5, 3, true, 7)
	m := fit(t, d, models.Params{"num_rounds": 10, "max_leaves": 15})
	n := parallelRows + 517
	X := noisyRows(n, 5, 1, 8)
	all := m.rawScores(X)
	for lo := 0; lo < n; lo += 300 {
		hi := min(n, lo+300)
		part := make([][]float64, len(X))
		for j := range X {
			part[j] = X[j][lo:hi]
		}
		got := m.rawScores(part)
		for i, v := range got {
			if math.Float64bits(v) != math.Float64bits(all[lo*m.k+i]) {
				require.Failf(t, "scores differ", "row %d: %v in a batch of %d, %v alone", lo+i/m.k, all[lo*m.k+i], n, v)
			}
		}
	}
}
