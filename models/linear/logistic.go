package linear

import (
	"context"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/optimize"

	"github.com/automl-agent/automl/models"
)

// Logistic defaults.
const (
	DefaultC       = 1.0
	DefaultMaxIter = 200
	DefaultTol     = 1e-7
)

// Logistic is L2-regularised logistic regression for classification, fitted
// by L-BFGS (gonum/optimize). It minimises scikit-learn's objective
//
//	0.5*||B||² + C * Σ_i w_i * logloss_i
//
// where B holds the coefficients (the intercepts are not penalised). Two
// classes use a single logit (P(class 1) = σ(b + β·x)); more classes use a
// softmax over one logit per class (multinomial), whose intercepts are
// centred to sum to zero.
//
// Internally the optimisation runs on standardised features, with the
// penalty mapped so that the minimiser is the same as on the raw features;
// this only improves conditioning.
//
// The zero value is ready to use with the defaults. Fit must not run
// concurrently with anything else on the same model; Predict is safe for
// concurrent use after Fit.
type Logistic struct {
	// C is the inverse regularisation strength (> 0); 0 means DefaultC.
	C float64
	// MaxIter caps the L-BFGS iterations; 0 means DefaultMaxIter.
	MaxIter int
	// Tol stops when the infinity norm of the gradient of the objective
	// divided by C*Σw falls below it; 0 means DefaultTol.
	Tol float64

	p, k      int       // features, classes; k == 0 before Fit
	coef      []float64 // r×p row-major, r = 1 if k == 2 else k
	intercept []float64 // r
	std       []float64 // per-feature weighted standard deviation (importances)
}

var (
	_ models.Model       = (*Logistic)(nil)
	_ models.Importancer = (*Logistic)(nil)
)

func (m *Logistic) config() (c float64, maxIter int, tol float64, err error) {
	c, maxIter, tol = m.C, m.MaxIter, m.Tol
	if c == 0 {
		c = DefaultC
	}
	if maxIter == 0 {
		maxIter = DefaultMaxIter
	}
	if tol == 0 {
		tol = DefaultTol
	}
	if !(c > 0) || math.IsInf(c, 0) {
		return 0, 0, 0, fmt.Errorf("%w: logistic C = %v, want a finite value > 0", models.ErrParam, c)
	}
	if maxIter < 1 {
		return 0, 0, 0, fmt.Errorf("%w: logistic max_iter = %d, want >= 1", models.ErrParam, maxIter)
	}
	if !(tol > 0) || math.IsInf(tol, 0) {
		return 0, 0, 0, fmt.Errorf("%w: logistic tol = %v, want a finite value > 0", models.ErrParam, tol)
	}
	return c, maxIter, tol, nil
}

// Fit fits the model on d, which must be a classification set
// (d.NumClasses >= 2) with finite features. Sample weights scale each
// row's log loss. Classes absent from d get a low but finite score. Fit
// returns ctx.Err() if ctx ends during the optimisation; hitting MaxIter is
// not an error (the best point so far is kept).
func (m *Logistic) Fit(ctx context.Context, d *models.Data) error {
	if err := d.Check(); err != nil {
		return err
	}
	if d.NumClasses < 2 {
		return fmt.Errorf("%w: logistic is a classifier, got a regression target", models.ErrTask)
	}
	c, maxIter, tol, err := m.config()
	if err != nil {
		return err
	}
	if err := checkFinite(d.X); err != nil {
		return err
	}
	sw, err := weightSum(d)
	if err != nil {
		return err
	}
	m.k = 0 // unfitted until success
	n, p, k := d.Rows(), len(d.X), d.NumClasses
	r := k
	if k == 2 {
		r = 1
	}

	// The optimisation variables are the coefficients of the standardised
	// features; the features themselves are not copied.
	mean := make([]float64, p)
	std := make([]float64, p)
	scale := make([]float64, p) // divisor used for standardising
	for j, col := range d.X {
		mean[j], std[j] = moments(col, d.W, sw)
		scale[j] = std[j]
		if !(scale[j] > 1e-12*math.Max(1, math.Abs(mean[j]))) || math.IsInf(scale[j], 0) {
			scale[j] = 1
		}
	}
	q := &logisticProblem{
		n: n, p: p, r: r, x: d.X, mean: mean, scale: scale,
		y:   make([]int, n),
		w:   make([]float64, n),
		pen: make([]float64, p),
		z:   make([]float64, r*n),
	}
	for i, y := range d.Y {
		q.y[i] = int(y)
		q.w[i] = d.Weight(i) / sw
	}
	for j := range q.pen {
		q.pen[j] = 1 / (c * sw * scale[j] * scale[j])
	}

	prob := optimize.Problem{
		Func: q.value,
		Grad: q.gradient,
		Status: func() (optimize.Status, error) {
			if err := ctx.Err(); err != nil {
				return optimize.Failure, err
			}
			return optimize.NotTerminated, nil
		},
	}
	settings := &optimize.Settings{
		GradientThreshold: tol,
		MajorIterations:   maxIter,
		Converger:         &optimize.FunctionConverge{Relative: 1e-15, Iterations: 20},
	}
	res, err := optimize.Minimize(prob, make([]float64, r*(p+1)), settings, &optimize.LBFGS{})
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	if err != nil && !errors.Is(err, optimize.ErrNoProgress) && !errors.Is(err, optimize.ErrLinesearcherFailure) {
		if res == nil || !isFinite(res.X) {
			return fmt.Errorf("%w: logistic optimisation failed: %v", models.ErrData, err)
		}
	}
	if res == nil || !isFinite(res.X) || math.IsNaN(res.F) {
		return fmt.Errorf("%w: logistic optimisation diverged", models.ErrData)
	}

	// Map back to the raw feature scale.
	coef := make([]float64, r*p)
	intercept := make([]float64, r)
	for kk := 0; kk < r; kk++ {
		th := res.X[kk*(p+1) : (kk+1)*(p+1)]
		b := th[p]
		for j := 0; j < p; j++ {
			coef[kk*p+j] = th[j] / scale[j]
			b -= coef[kk*p+j] * mean[j]
		}
		intercept[kk] = b
	}
	if r > 1 {
		mb := floats.Sum(intercept) / float64(r)
		for kk := range intercept {
			intercept[kk] -= mb
		}
	}
	m.p, m.coef, m.intercept, m.std = p, coef, intercept, std
	m.k = k
	return nil
}

func isFinite(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// Predict writes n*K class probabilities, row-major, for the n rows of X.
// A NaN or infinite feature is an error naming it.
func (m *Logistic) Predict(dst []float64, X [][]float64) error {
	if m.k == 0 {
		return models.ErrNotFitted
	}
	if err := models.CheckPredict(dst, X, m.p, m.k); err != nil {
		return err
	}
	k, p := m.k, m.p
	n := 0
	if len(X) > 0 {
		n = len(X[0])
	}
	if k == 2 {
		for i := 0; i < n; i++ {
			dst[2*i+1] = m.intercept[0]
		}
		for j := 0; j < p; j++ {
			b, col := m.coef[j], X[j]
			for i, v := range col {
				dst[2*i+1] += b * v
			}
		}
		for i := 0; i < n; i++ {
			z := dst[2*i+1]
			if math.IsNaN(z) || math.IsInf(z, 0) {
				return rowError(X, i)
			}
			dst[2*i], dst[2*i+1] = sigmoid(-z), sigmoid(z)
		}
		return nil
	}
	for i := 0; i < n; i++ {
		copy(dst[i*k:(i+1)*k], m.intercept)
	}
	bt := make([]float64, k) // coefficients of feature j, one per class
	for j := 0; j < p; j++ {
		for c := range bt {
			bt[c] = m.coef[c*p+j]
		}
		for i, v := range X[j] {
			row := dst[i*k : (i+1)*k]
			for c, b := range bt {
				row[c] += b * v
			}
		}
	}
	for i := 0; i < n; i++ {
		row := dst[i*k : (i+1)*k]
		if !softmax(row) {
			return rowError(X, i)
		}
	}
	return nil
}

// Importances returns |standardised coefficient| per feature: |β_j|·sd_j,
// averaged over the class logits for more than two classes. Nil before Fit.
func (m *Logistic) Importances() []float64 {
	if m.k == 0 {
		return nil
	}
	r := len(m.intercept)
	out := make([]float64, m.p)
	for c := 0; c < r; c++ {
		for j := range out {
			out[j] += math.Abs(m.coef[c*m.p+j]) * m.std[j] / float64(r)
		}
	}
	return out
}

// Coef returns a copy of the fitted coefficients (r×p row-major, r = 1 for
// two classes, else the number of classes) and intercepts (r). Nil before
// Fit.
func (m *Logistic) Coef() (coef, intercept []float64) {
	if m.k == 0 {
		return nil, nil
	}
	return append([]float64(nil), m.coef...), append([]float64(nil), m.intercept...)
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// softmax turns the scores in row into probabilities in place; false if a
// score is not finite.
func softmax(row []float64) bool {
	mx := math.Inf(-1)
	for _, v := range row {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
		mx = math.Max(mx, v)
	}
	s := 0.0
	for c, v := range row {
		e := math.Exp(v - mx)
		row[c] = e
		s += e
	}
	for c := range row {
		row[c] /= s
	}
	return true
}

// logisticProblem is the objective on standardised features, divided by
// C*Σw: Σ_i w_i/Σw * logloss_i + 0.5 Σ_kj pen_j θ_kj².
// θ is r×(p+1) row-major, the last column holding the intercepts; the
// score of class c is θ_c0 + Σ_j θ_cj (x_j - mean_j)/scale_j, computed on
// the raw columns as b_c + Σ_j β_cj x_j with β = θ/scale.
type logisticProblem struct {
	n, p, r     int
	x           [][]float64 // raw feature columns (borrowed during Fit)
	mean, scale []float64
	y           []int
	w           []float64 // normalised weights
	pen         []float64 // per-feature penalty factor
	z           []float64 // r×n: scores, then residuals, one class per row

	// cache of the last evaluation (gonum asks for value and gradient at
	// the same point separately)
	lastX, lastG []float64
	lastF        float64
}

func (q *logisticProblem) value(theta []float64) float64 {
	q.eval(theta)
	return q.lastF
}

func (q *logisticProblem) gradient(g, theta []float64) {
	q.eval(theta)
	copy(g, q.lastG)
}

func (q *logisticProblem) eval(theta []float64) {
	if q.lastX != nil && floats.Equal(q.lastX, theta) {
		return
	}
	n, p, r := q.n, q.p, q.r
	if q.lastX == nil {
		q.lastX = make([]float64, len(theta))
		q.lastG = make([]float64, len(theta))
	}
	copy(q.lastX, theta)
	g := q.lastG
	stride := p + 1

	// Scores, one AXPY per class and feature.
	for c := 0; c < r; c++ {
		th := theta[c*stride : (c+1)*stride]
		b := th[p]
		for j := 0; j < p; j++ {
			b -= th[j] / q.scale[j] * q.mean[j]
		}
		zc := q.z[c*n : (c+1)*n]
		for i := range zc {
			zc[i] = b
		}
		for j := 0; j < p; j++ {
			if th[j] != 0 {
				floats.AddScaled(zc, th[j]/q.scale[j], q.x[j])
			}
		}
	}

	// Loss, and residuals w_i (p_ic - [y_i = c]) in place of the scores.
	f := 0.0
	if r == 1 {
		for i, zi := range q.z {
			yi := float64(q.y[i])
			// log(1+e^z) - y z
			f += q.w[i] * (math.Max(zi, 0) + math.Log1p(math.Exp(-math.Abs(zi))) - yi*zi)
			q.z[i] = q.w[i] * (sigmoid(zi) - yi)
		}
	} else {
		for i := 0; i < n; i++ {
			mx := math.Inf(-1)
			for c := 0; c < r; c++ {
				mx = math.Max(mx, q.z[c*n+i])
			}
			yi := q.y[i]
			zy := q.z[yi*n+i]
			s := 0.0
			for c := 0; c < r; c++ {
				e := math.Exp(q.z[c*n+i] - mx)
				q.z[c*n+i] = e
				s += e
			}
			f += q.w[i] * (mx + math.Log(s) - zy)
			wi := q.w[i] / s
			for c := 0; c < r; c++ {
				q.z[c*n+i] *= wi
			}
			q.z[yi*n+i] -= q.w[i]
		}
	}

	// Gradient: one dot product per class and feature, on the
	// standardised scale: Σ_i R_ic (x_ij - mean_j)/scale_j.
	for c := 0; c < r; c++ {
		rc := q.z[c*n : (c+1)*n]
		sr := floats.Sum(rc)
		g[c*stride+p] = sr
		for j := 0; j < p; j++ {
			t := theta[c*stride+j]
			g[c*stride+j] = (floats.Dot(rc, q.x[j])-q.mean[j]*sr)/q.scale[j] + q.pen[j]*t
			f += 0.5 * q.pen[j] * t * t
		}
	}
	q.lastF = f
}
