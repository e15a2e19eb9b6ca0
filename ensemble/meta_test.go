package ensemble

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// logisticObjective is the penalized mean log loss fitLogistic minimizes.
func logisticObjective(lm *linearMeta, F []float64, n int, y []float64, lambda float64) float64 {
	pred := make([]float64, n*lm.K)
	lm.predict(pred, F, n)
	loss := 0.0
	for i := range n {
		loss -= math.Log(pred[i*lm.K+int(y[i])])
	}
	loss /= float64(n)
	for _, c := range lm.Coef {
		loss += 0.5 * lambda * c * c
	}
	return loss
}

func TestFitLogisticReachesOptimum(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 11))
	n, p, k := 400, 3, 3
	F := make([]float64, n*p)
	y := make([]float64, n)
	for i := range n {
		for f := range p {
			F[i*p+f] = r.NormFloat64()
		}
		y[i] = float64((i + int(2*F[i*p]+3)) % k)
	}
	lambda := 1e-3
	lm, err := fitLogistic(t.Context(), F, n, p, y, nil, k, lambda, nil)
	require.NoError(t, err)
	f0 := logisticObjective(lm, F, n, y, lambda)
	// Finite-difference gradient of the objective is ~0 at the solution.
	const h = 1e-6
	for j := range lm.Coef {
		orig := lm.Coef[j]
		lm.Coef[j] = orig + h
		fp := logisticObjective(lm, F, n, y, lambda)
		lm.Coef[j] = orig - h
		fm := logisticObjective(lm, F, n, y, lambda)
		lm.Coef[j] = orig
		assert.InDelta(t, 0, (fp-fm)/(2*h), 1e-5, "coef %d", j)
	}
	assert.Less(t, f0, math.Log(float64(k)))
}

func TestFitRidgeMatchesNormalEquations(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 12))
	n, p := 200, 3
	F := make([]float64, n*p)
	y := make([]float64, n)
	w := make([]float64, n)
	for i := range n {
		for f := range p {
			F[i*p+f] = r.NormFloat64()
		}
		y[i] = 1 + 2*F[i*p] - F[i*p+1] + 0.1*r.NormFloat64()
		w[i] = 0.5 + r.Float64()
	}
	lm, err := fitRidge(F, n, p, y, w, 0)
	require.NoError(t, err)
	// Weighted least squares with an intercept column, via QR.
	A := mat.NewDense(n, p+1, nil)
	b := mat.NewVecDense(n, nil)
	for i := range n {
		sw := math.Sqrt(w[i])
		A.Set(i, 0, sw)
		for f := range p {
			A.Set(i, f+1, sw*F[i*p+f])
		}
		b.SetVec(i, sw*y[i])
	}
	var beta mat.VecDense
	require.NoError(t, beta.SolveVec(A, b))
	assert.InDelta(t, beta.AtVec(0), lm.Intercept[0], 1e-9)
	for f := range p {
		assert.InDelta(t, beta.AtVec(f+1), lm.Coef[f], 1e-9)
	}
}
