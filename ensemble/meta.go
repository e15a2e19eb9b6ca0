package ensemble

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// linearMeta is the stacker's meta-model on standardized meta-features:
// ridge regression (k == 0) or L2-regularized multinomial logistic
// regression (k >= 2). Coef is k×p row-major (1×p for regression),
// Intercept has k entries (1 for regression).
type linearMeta struct {
	K         int       `json:"k"`
	P         int       `json:"p"`
	Coef      []float64 `json:"coef"`
	Intercept []float64 `json:"intercept"`
}

// predict writes the n rows of predictions for row-major features F (n×p).
func (lm *linearMeta) predict(dst, F []float64, n int) {
	p := lm.P
	if lm.K == 0 {
		for i := range n {
			row := F[i*p : (i+1)*p]
			s := lm.Intercept[0]
			for f, x := range row {
				s += lm.Coef[f] * x
			}
			dst[i] = s
		}
		return
	}
	k := lm.K
	for i := range n {
		row := F[i*p : (i+1)*p]
		out := dst[i*k : (i+1)*k]
		for c := range k {
			s := lm.Intercept[c]
			for f, x := range row {
				s += lm.Coef[c*p+f] * x
			}
			out[c] = s
		}
		softmaxInPlace(out)
	}
}

func softmaxInPlace(z []float64) {
	mx := math.Inf(-1)
	for _, v := range z {
		mx = max(mx, v)
	}
	s := 0.0
	for c, v := range z {
		z[c] = math.Exp(v - mx)
		s += z[c]
	}
	for c := range z {
		z[c] /= s
	}
}

// fitRidge solves weighted ridge regression with an unpenalized intercept
// on rows of F (n×p, row-major): minimize Σw(y - b - x·β)²/Σw + λ‖β‖².
func fitRidge(F []float64, n, p int, y, w []float64, lambda float64) (*linearMeta, error) {
	sw := 0.0
	xbar := make([]float64, p)
	ybar := 0.0
	for i := range n {
		wi := wt(w, i)
		sw += wi
		ybar += wi * y[i]
		for f := range p {
			xbar[f] += wi * F[i*p+f]
		}
	}
	ybar /= sw
	for f := range xbar {
		xbar[f] /= sw
	}
	ata := make([]float64, p*p) // upper triangle of Σ w (x-x̄)(x-x̄)ᵀ / Σw
	atb := make([]float64, p)
	xc := make([]float64, p)
	for i := range n {
		wi := wt(w, i) / sw
		for f := range p {
			xc[f] = F[i*p+f] - xbar[f]
		}
		dy := wi * (y[i] - ybar)
		for f, v := range xc {
			atb[f] += v * dy
			wv := wi * v
			row := ata[f*p : (f+1)*p]
			for g := f; g < p; g++ {
				row[g] += wv * xc[g]
			}
		}
	}
	for f := range p {
		ata[f*p+f] += lambda
		for g := 0; g < f; g++ {
			ata[f*p+g] = ata[g*p+f]
		}
	}
	a := mat.NewSymDense(p, ata)
	b := mat.NewVecDense(p, atb)
	var chol mat.Cholesky
	if ok := chol.Factorize(a); !ok {
		return nil, fmt.Errorf("%w: ridge system is not positive definite (lambda %g)", ErrInput, lambda)
	}
	beta := mat.NewVecDense(p, nil)
	if err := chol.SolveVecTo(beta, b); err != nil {
		return nil, fmt.Errorf("ensemble: ridge solve: %w", err)
	}
	lm := &linearMeta{K: 0, P: p, Coef: make([]float64, p), Intercept: []float64{ybar}}
	for f := range p {
		lm.Coef[f] = beta.AtVec(f)
		lm.Intercept[0] -= lm.Coef[f] * xbar[f]
	}
	return lm, nil
}

// maxLogisticIterations caps L-BFGS iterations of the logistic meta-model.
const maxLogisticIterations = 300

// fitLogistic fits multinomial logistic regression with L2 penalty λ/2‖W‖²
// (intercepts unpenalized) on the mean weighted log loss, with L-BFGS.
// init, if not nil, is a starting point of length k*p+k.
func fitLogistic(ctx context.Context, F []float64, n, p int, y, w []float64, k int, lambda float64, init []float64) (*linearMeta, error) {
	dim := k*p + k
	sw := 0.0
	for i := range n {
		sw += wt(w, i)
	}
	z := make([]float64, k)
	lastX := make([]float64, dim)
	lastF := math.NaN()
	lastG := make([]float64, dim)
	eval := func(x []float64) {
		if !math.IsNaN(lastF) && equal(x, lastX) {
			return
		}
		copy(lastX, x)
		clear(lastG)
		loss := 0.0
		for i := range n {
			row := F[i*p : (i+1)*p]
			for c := range k {
				s := x[k*p+c]
				for f, v := range row {
					s += x[c*p+f] * v
				}
				z[c] = s
			}
			mx := math.Inf(-1)
			for _, v := range z {
				mx = max(mx, v)
			}
			se := 0.0
			for _, v := range z {
				se += math.Exp(v - mx)
			}
			lse := mx + math.Log(se)
			yi := int(y[i])
			wi := wt(w, i) / sw
			loss += wi * (lse - z[yi])
			for c := range k {
				g := math.Exp(z[c] - lse)
				if c == yi {
					g--
				}
				g *= wi
				lastG[k*p+c] += g
				for f, v := range row {
					lastG[c*p+f] += g * v
				}
			}
		}
		for j := range k * p {
			loss += 0.5 * lambda * x[j] * x[j]
			lastG[j] += lambda * x[j]
		}
		lastF = loss
	}
	problem := optimize.Problem{
		Func: func(x []float64) float64 { eval(x); return lastF },
		Grad: func(g, x []float64) { eval(x); copy(g, lastG) },
		Status: func() (optimize.Status, error) {
			if err := ctx.Err(); err != nil {
				return optimize.Failure, err
			}
			return optimize.NotTerminated, nil
		},
	}
	x0 := make([]float64, dim)
	if init != nil {
		copy(x0, init)
	}
	settings := &optimize.Settings{
		GradientThreshold: 1e-7,
		MajorIterations:   maxLogisticIterations,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-12, Relative: 1e-10, Iterations: 20},
	}
	res, err := optimize.Minimize(problem, x0, settings, &optimize.LBFGS{})
	if cerr := ctx.Err(); cerr != nil {
		return nil, cerr
	}
	if res == nil {
		return nil, fmt.Errorf("ensemble: logistic meta-model: %w", err)
	}
	// A line-search stall near the optimum is an error in gonum but the
	// location is still the best found; keep it if it is finite.
	for _, v := range res.X {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("ensemble: logistic meta-model diverged: %v", err)
		}
	}
	return &linearMeta{K: k, P: p, Coef: append([]float64(nil), res.X[:k*p]...),
		Intercept: append([]float64(nil), res.X[k*p:]...)}, nil
}

func equal(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func wt(w []float64, i int) float64 {
	if w == nil {
		return 1
	}
	return w[i]
}
