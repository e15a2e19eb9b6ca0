package ensemble

import (
	"encoding/json"
	"fmt"
	"math"
)

// Temperature is a fitted temperature-scaling calibrator (Guo et al.,
// "On calibration of modern neural networks", ICML 2017): probabilities p
// become softmax(log(p)/T), one T for every class. T > 1 softens
// overconfident predictions, T < 1 sharpens underconfident ones, T = 1
// changes nothing; the argmax never changes, so label metrics and ROC AUC
// are unaffected and only log loss (and calibration) moves.
type Temperature struct {
	T float64 `json:"t"`
}

// Temperature search bounds: T is kept in [1/maxInvT, 1/minInvT].
const (
	minInvT = 0.01
	maxInvT = 100
)

// TemperatureScale fits the temperature that minimizes the weighted log
// loss of proba (n*numClasses out-of-fold probabilities, row-major) on
// targets y with weights w (nil = uniform). Log loss is convex in 1/T, so
// a safeguarded Newton search finds the optimum exactly; T is clamped to
// [0.01, 100]. Probabilities are clipped at 1e-15 before the log, as in
// evaluate.LogLoss. Bad input (lengths, NaN, class out of range,
// numClasses < 2) is an error wrapping ErrInput.
func TemperatureScale(proba, y, w []float64, numClasses int) (*Temperature, error) {
	k := numClasses
	if k < 2 {
		return nil, fmt.Errorf("%w: temperature scaling needs >= 2 classes, got %d", ErrInput, k)
	}
	n := len(y)
	if n == 0 || len(proba) != n*k {
		return nil, fmt.Errorf("%w: %d probabilities for %d rows and %d classes", ErrInput, len(proba), n, k)
	}
	if err := checkTargets(y, w, k); err != nil {
		return nil, err
	}
	z := make([]float64, len(proba))
	for i, p := range proba {
		if math.IsNaN(p) || math.IsInf(p, 0) {
			return nil, fmt.Errorf("%w: probability %v at row %d", ErrInput, p, i/k)
		}
		z[i] = math.Log(min(max(p, 1e-15), 1))
	}
	sw := 0.0
	for i := range n {
		sw += wt(w, i)
	}
	// derivs returns d/dβ and d²/dβ² of the mean log loss at β = 1/T:
	// f(β) = Σ w_i [logsumexp(β z_i) - β z_{i,y_i}] / Σ w.
	q := make([]float64, k)
	derivs := func(beta float64) (d1, d2 float64) {
		for i := range n {
			row := z[i*k : (i+1)*k]
			mx := math.Inf(-1)
			for _, v := range row {
				mx = max(mx, beta*v)
			}
			s := 0.0
			for c, v := range row {
				q[c] = math.Exp(beta*v - mx)
				s += q[c]
			}
			var mean, sq float64
			for c, v := range row {
				pc := q[c] / s
				mean += pc * v
				sq += pc * v * v
			}
			wi := wt(w, i) / sw
			d1 += wi * (mean - row[int(y[i])])
			d2 += wi * (sq - mean*mean)
		}
		return d1, d2
	}
	lo, hi := float64(minInvT), float64(maxInvT)
	if d, _ := derivs(lo); d >= 0 {
		return &Temperature{T: 1 / lo}, nil
	}
	if d, _ := derivs(hi); d <= 0 {
		return &Temperature{T: 1 / hi}, nil
	}
	beta := 1.0
	for range 100 {
		d1, d2 := derivs(beta)
		if d1 < 0 {
			lo = beta
		} else {
			hi = beta
		}
		next := beta - d1/d2
		if !(d2 > 0) || !(next > lo && next < hi) {
			next = (lo + hi) / 2
		}
		if math.Abs(next-beta) <= 1e-12*beta || hi-lo <= 1e-12*hi {
			beta = next
			break
		}
		beta = next
	}
	return &Temperature{T: 1 / beta}, nil
}

// Apply writes the calibrated probabilities of proba (n*numClasses,
// row-major) into dst, which needs room for len(proba) values; dst may be
// proba itself. A length that is not a multiple of numClasses, a short
// dst, or a non-positive T is an error wrapping ErrInput.
func (t *Temperature) Apply(dst, proba []float64, numClasses int) error {
	k := numClasses
	if k < 2 || len(proba)%k != 0 {
		return fmt.Errorf("%w: %d probabilities for %d classes", ErrInput, len(proba), k)
	}
	if len(dst) < len(proba) {
		return fmt.Errorf("%w: dst has room for %d values, need %d", ErrInput, len(dst), len(proba))
	}
	if !(t.T > 0) || math.IsInf(t.T, 0) {
		return fmt.Errorf("%w: temperature %v", ErrInput, t.T)
	}
	beta := 1 / t.T
	for i := 0; i < len(proba); i += k {
		out := dst[i : i+k]
		for c, p := range proba[i : i+k] {
			out[c] = beta * math.Log(min(max(p, 1e-15), 1))
		}
		softmaxInPlace(out)
	}
	return nil
}

// MarshalBinary encodes the temperature as JSON: {"t": T}.
func (t *Temperature) MarshalBinary() ([]byte, error) { return json.Marshal(*t) }

// UnmarshalBinary decodes what MarshalBinary wrote; a non-positive or
// non-finite T is an error wrapping ErrInput.
func (t *Temperature) UnmarshalBinary(b []byte) error {
	var v Temperature
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("%w: temperature: %w", ErrInput, err)
	}
	if !(v.T > 0) || math.IsInf(v.T, 0) {
		return fmt.Errorf("%w: temperature %v", ErrInput, v.T)
	}
	*t = v
	return nil
}
