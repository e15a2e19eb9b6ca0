package linear

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/automl-agent/automl/models"
)

// DefaultAlpha is the ridge penalty the "ridge" factory uses when none is
// given (scikit-learn's Ridge default).
const DefaultAlpha = 1.0

// rankTol is the smallest |R_jj|/max|R_jj| of the column-scaled QR factor
// that counts as full rank; below it OLS adds a tiny ridge jitter.
const rankTol = 1e-10

// jitter is the ridge penalty, relative to unit-norm columns, added to a
// rank-deficient OLS problem.
const jitter = 1e-10

// LeastSquares is linear regression with an intercept, fitted by weighted
// least squares:
//
//	minimise Σ_i w_i (y_i - b - β·x_i)² + Alpha*||β||²
//
// Alpha = 0 is ordinary least squares ("linear"), Alpha > 0 is ridge
// regression ("ridge"); the intercept b is never penalised. The features
// and target are centred with the weighted means and the problem solved by
// a QR factorisation of the weighted, column-scaled design (augmented with
// √Alpha rows for ridge). When OLS is rank deficient (collinear features),
// a tiny ridge jitter picks one of the equivalent solutions; the
// predictions are those of the least-squares fit. Constant features get a
// zero coefficient.
//
// The zero value is an OLS model. Predict is safe for concurrent use after
// Fit.
type LeastSquares struct {
	// Alpha is the L2 penalty (>= 0); 0 means ordinary least squares.
	Alpha float64

	p         int // 0 before Fit
	coef      []float64
	intercept float64
	std       []float64
}

var (
	_ models.Model       = (*LeastSquares)(nil)
	_ models.Importancer = (*LeastSquares)(nil)
)

// Fit fits the model on d, a regression set (d.NumClasses == 0) with finite
// features. ctx is checked once before the (non-iterative) solve.
func (m *LeastSquares) Fit(ctx context.Context, d *models.Data) error {
	if err := d.Check(); err != nil {
		return err
	}
	if d.NumClasses != 0 {
		return fmt.Errorf("%w: least squares is a regressor, got %d classes", models.ErrTask, d.NumClasses)
	}
	if !(m.Alpha >= 0) || math.IsInf(m.Alpha, 0) {
		return fmt.Errorf("%w: alpha = %v, want a finite value >= 0", models.ErrParam, m.Alpha)
	}
	if err := checkFinite(d.X); err != nil {
		return err
	}
	sw, err := weightSum(d)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m.p = 0
	n, p := d.Rows(), len(d.X)
	mean := make([]float64, p)
	std := make([]float64, p)
	var active []int
	for j, col := range d.X {
		mean[j], std[j] = moments(col, d.W, sw)
		if std[j] > 1e-13*math.Abs(mean[j]) && !math.IsInf(std[j], 0) {
			active = append(active, j)
		}
	}
	ymean, _ := moments(d.Y, d.W, sw)
	sq := make([]float64, n)
	for i := range sq {
		sq[i] = math.Sqrt(d.Weight(i))
	}
	coef := make([]float64, p)
	if len(active) > 0 {
		beta, err := solveScaled(d, active, mean, std, sw, sq, ymean, m.Alpha)
		if err != nil {
			return err
		}
		for a, j := range active {
			coef[j] = beta[a]
		}
	}
	b := ymean
	for j, c := range coef {
		b -= c * mean[j]
	}
	if !isFinite(coef) || math.IsNaN(b) || math.IsInf(b, 0) {
		return fmt.Errorf("%w: least squares solution is not finite (features or target too large)", models.ErrData)
	}
	m.coef, m.intercept, m.std = coef, b, std
	m.p = p
	return nil
}

// solveScaled solves the centred, weighted problem on the active columns,
// each scaled to unit norm, and returns the coefficients on the raw scale.
func solveScaled(d *models.Data, active []int, mean, std []float64, sw float64, sq []float64, ymean, alpha float64) ([]float64, error) {
	n, pa := d.Rows(), len(active)
	norm := make([]float64, pa)
	for a, j := range active {
		norm[a] = std[j] * math.Sqrt(sw)
	}
	rhs := make([]float64, n+pa)
	for i, y := range d.Y {
		rhs[i] = sq[i] * (y - ymean)
	}
	build := func(lambda float64) *mat.Dense {
		rows := n
		if lambda > 0 {
			rows += pa
		}
		a := mat.NewDense(rows, pa, nil)
		raw := a.RawMatrix()
		for c, j := range active {
			col, mj, s := d.X[j], mean[j], norm[c]
			for i, v := range col {
				raw.Data[i*raw.Stride+c] = sq[i] * (v - mj) / s
			}
			if lambda > 0 {
				raw.Data[(n+c)*raw.Stride+c] = math.Sqrt(lambda) / s
			}
		}
		return a
	}
	solve := func(lambda float64) ([]float64, bool, error) {
		if lambda == 0 && n < pa {
			// More columns than rows: rank deficient by construction
			// (and a QR needs rows >= columns).
			return nil, false, nil
		}
		if n*pa >= gramCells {
			if beta, ok := solveGram(d, active, mean, norm, sq, rhs[:n], lambda); ok {
				return beta, true, nil
			}
		}
		a := build(lambda)
		rows, _ := a.Dims()
		var qr mat.QR
		qr.Factorize(a)
		var r mat.Dense
		qr.RTo(&r)
		mx, mn := 0.0, math.Inf(1)
		for c := 0; c < pa; c++ {
			v := math.Abs(r.At(c, c))
			mx, mn = math.Max(mx, v), math.Min(mn, v)
		}
		if !(mn > rankTol*mx) {
			return nil, false, nil
		}
		var beta mat.VecDense
		if err := qr.SolveVecTo(&beta, false, mat.NewVecDense(rows, rhs[:rows])); err != nil {
			if _, ok := err.(mat.Condition); !ok {
				return nil, false, err
			}
		}
		out := make([]float64, pa)
		for c := range out {
			out[c] = beta.AtVec(c) / norm[c]
		}
		return out, true, nil
	}
	// With unit-norm columns a raw-scale penalty alpha becomes alpha/norm².
	beta, ok, err := solve(alpha)
	if err == nil && !ok {
		// Rank deficient: add a jitter relative to the unit-norm scale.
		lambda := alpha
		for c := range norm {
			lambda = math.Max(lambda, jitter*norm[c]*norm[c])
		}
		beta, ok, err = solve(lambda)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: least squares solve: %v", models.ErrData, err)
	}
	if !ok {
		return nil, fmt.Errorf("%w: least squares design is singular", models.ErrData)
	}
	return beta, nil
}

// gramCells (a variable for tests) is the design size (rows × active columns) from which least
// squares solves the normal equations instead of a QR factorization: the
// QR copies the n × p design twice (256 MB at 800,000 × 20), the Gram
// matrix is p × p.
var gramCells = 2_000_000

// gramTol is the smallest |L_jj|/max|L_jj| of the Gram matrix's Cholesky
// factor (which equals |R_jj| of the QR in exact arithmetic) for which the
// normal equations are trusted: squaring the condition number, they keep
// about 4 significant digits at cond 1e6. Below it, solveScaled uses QR.
const gramTol = 1e-6

// solveGram solves the scaled problem of solveScaled by the normal
// equations (A'A + λ/norm² on the diagonal) β = A'r, accumulating A'A from
// the columns without building A. It reports false when the Cholesky
// factorization fails or the factor is too ill-conditioned.
func solveGram(d *models.Data, active []int, mean, norm, sq, r []float64, lambda float64) ([]float64, bool) {
	pa := len(active)
	g := mat.NewSymDense(pa, nil)
	b := make([]float64, pa)
	const block = 4096
	n := len(r)
	buf := make([][]float64, pa)
	for c := range buf {
		buf[c] = make([]float64, block)
	}
	for lo := 0; lo < n; lo += block {
		hi := min(n, lo+block)
		for c, j := range active {
			col, mj, s := d.X[j][lo:hi], mean[j], norm[c]
			dst := buf[c][:hi-lo]
			for i, v := range col {
				dst[i] = sq[lo+i] * (v - mj) / s
			}
		}
		for c := range pa {
			ac := buf[c][:hi-lo]
			b[c] += floats.Dot(ac, r[lo:hi])
			for e := c; e < pa; e++ {
				g.SetSym(c, e, g.At(c, e)+floats.Dot(ac, buf[e][:hi-lo]))
			}
		}
	}
	for c := range pa {
		g.SetSym(c, c, g.At(c, c)+lambda/(norm[c]*norm[c]))
	}
	var ch mat.Cholesky
	if !ch.Factorize(g) {
		return nil, false
	}
	var l mat.TriDense
	ch.LTo(&l)
	mx, mn := 0.0, math.Inf(1)
	for c := range pa {
		v := math.Abs(l.At(c, c))
		mx, mn = math.Max(mx, v), math.Min(mn, v)
	}
	if !(mn > gramTol*mx) {
		return nil, false
	}
	var beta mat.VecDense
	if err := ch.SolveVecTo(&beta, mat.NewVecDense(pa, b)); err != nil {
		return nil, false
	}
	out := make([]float64, pa)
	for c := range out {
		out[c] = beta.AtVec(c) / norm[c]
	}
	return out, true
}

// Predict writes the n predictions b + β·x for the rows of X into dst[:n].
// A NaN or infinite feature is an error naming it.
func (m *LeastSquares) Predict(dst []float64, X [][]float64) error {
	if m.p == 0 {
		return models.ErrNotFitted
	}
	if err := models.CheckPredict(dst, X, m.p, 0); err != nil {
		return err
	}
	n := len(X[0])
	dst = dst[:n]
	for i := range dst {
		dst[i] = m.intercept
	}
	for j, col := range X {
		b := m.coef[j]
		for i, v := range col {
			dst[i] += b * v
		}
	}
	for i, v := range dst {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return rowError(X, i)
		}
	}
	return nil
}

// Importances returns |β_j|·sd_j, the size of each standardised
// coefficient. Nil before Fit.
func (m *LeastSquares) Importances() []float64 {
	if m.p == 0 {
		return nil
	}
	out := make([]float64, m.p)
	for j, c := range m.coef {
		out[j] = math.Abs(c) * m.std[j]
	}
	return out
}

// Coef returns a copy of the fitted coefficients and the intercept. Nil
// before Fit.
func (m *LeastSquares) Coef() (coef []float64, intercept float64) {
	if m.p == 0 {
		return nil, 0
	}
	return append([]float64(nil), m.coef...), m.intercept
}
