package linear

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
)

// On a design big enough for the normal equations (with weights, ridge
// penalties and two nearly collinear columns), the solution equals the QR
// one.
func TestGramMatchesQR(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n, p := 120_000, 20 // 2.4M cells: the Gram path
	d := &models.Data{X: make([][]float64, p), Y: make([]float64, n), W: make([]float64, n)}
	for j := range d.X {
		d.X[j] = make([]float64, n)
		for i := range n {
			d.X[j][i] = rng.NormFloat64()*float64(j+1) + float64(j)
		}
	}
	// Two nearly collinear columns keep it honest.
	for i := range n {
		d.X[p-1][i] = d.X[0][i] + 0.01*rng.NormFloat64()
		d.Y[i] = 3 + 0.5*d.X[0][i] - 2*d.X[3][i] + 0.1*d.X[p-1][i] + rng.NormFloat64()
		d.W[i] = 0.5 + rng.Float64()
	}
	for _, alpha := range []float64{0, 1, 100} {
		gram := &LeastSquares{Alpha: alpha}
		require.NoError(t, gram.Fit(context.Background(), d))
		// The QR path, forced by a threshold above the design.
		qr := &LeastSquares{Alpha: alpha}
		old := gramCellsForTest(math.MaxInt)
		require.NoError(t, qr.Fit(context.Background(), d))
		gramCellsForTest(old)
		assert.InDelta(t, qr.intercept, gram.intercept, 1e-8)
		assert.InDeltaSlice(t, qr.coef, gram.coef, 1e-8, "alpha %v", alpha)
	}
}

// gramCellsForTest sets gramCells and returns the old value.
func gramCellsForTest(v int) int {
	old := gramCells
	gramCells = v
	return old
}
