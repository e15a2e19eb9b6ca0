package bayes

import (
	"context"
	"encoding"
	"errors"
	"fmt"
	"math"

	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/models/internal/codec"
)

// DefaultVarSmoothing is scikit-learn's GaussianNB default.
const DefaultVarSmoothing = 1e-9

// GaussianNB is Gaussian naive Bayes for classification, as scikit-learn's
// GaussianNB: each class c has a prior π_c (its share of the total sample
// weight) and, per feature j, a weighted mean μ_cj and variance σ²_cj
// (population form) plus ε = VarSmoothing × the largest (unweighted)
// feature variance over all rows. The class probabilities are
//
//	P(c | x) ∝ π_c Π_j N(x_j; μ_cj, σ²_cj + ε)
//
// computed in log space. A class with no weight gets probability 0. When
// every feature is constant, ε = VarSmoothing.
//
// The zero value is ready to use. Predict is safe for concurrent use after
// Fit.
type GaussianNB struct {
	// VarSmoothing is the variance added, relative to the largest feature
	// variance (> 0); 0 means DefaultVarSmoothing.
	VarSmoothing float64

	p, k  int       // k == 0 before Fit
	prior []float64 // k
	mean  []float64 // k×p
	vars  []float64 // k×p, smoothed
	// derived by prepare
	logPrior []float64 // k
	norm     []float64 // k: log π_c - 0.5 Σ_j log(2π σ²_cj)
	inv      []float64 // k×p: 0.5/σ²_cj
}

var (
	_ models.Model               = (*GaussianNB)(nil)
	_ encoding.BinaryMarshaler   = (*GaussianNB)(nil)
	_ encoding.BinaryUnmarshaler = (*GaussianNB)(nil)
)

func (m *GaussianNB) smoothing() (float64, error) {
	vs := m.VarSmoothing
	if vs == 0 {
		vs = DefaultVarSmoothing
	}
	if !(vs > 0) || math.IsInf(vs, 0) {
		return 0, fmt.Errorf("%w: gaussian_nb var_smoothing = %v, want a finite value > 0", models.ErrParam, vs)
	}
	return vs, nil
}

// Fit estimates the class priors, means and variances from d, a
// classification set with finite features.
func (m *GaussianNB) Fit(ctx context.Context, d *models.Data) error {
	if err := d.Check(); err != nil {
		return err
	}
	if d.NumClasses < 2 {
		return fmt.Errorf("%w: gaussian_nb is a classifier, got a regression target", models.ErrTask)
	}
	vs, err := m.smoothing()
	if err != nil {
		return err
	}
	if err := checkFinite(d.X); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m.k = 0
	n, p, k := d.Rows(), len(d.X), d.NumClasses
	cw := make([]float64, k)
	total := 0.0
	for i, y := range d.Y {
		w := d.Weight(i)
		cw[int(y)] += w
		total += w
	}
	if !(total > 0) || math.IsInf(total, 0) {
		return fmt.Errorf("%w: total sample weight is %v", models.ErrData, total)
	}
	// ε from the unweighted variance of every feature, as scikit-learn.
	maxVar := 0.0
	for _, col := range d.X {
		mu := 0.0
		for _, v := range col {
			mu += v
		}
		mu /= float64(n)
		s := 0.0
		for _, v := range col {
			s += (v - mu) * (v - mu)
		}
		maxVar = math.Max(maxVar, s/float64(n))
	}
	eps := vs * maxVar
	if !(eps > 0) || math.IsInf(eps, 0) {
		eps = vs
	}
	mean := make([]float64, k*p)
	vars := make([]float64, k*p)
	for j, col := range d.X {
		for i, v := range col {
			c := int(d.Y[i])
			mean[c*p+j] += d.Weight(i) * v
		}
		for c := 0; c < k; c++ {
			if cw[c] > 0 {
				mean[c*p+j] /= cw[c]
			}
		}
		for i, v := range col {
			c := int(d.Y[i])
			dv := v - mean[c*p+j]
			vars[c*p+j] += d.Weight(i) * dv * dv
		}
		for c := 0; c < k; c++ {
			if cw[c] > 0 {
				vars[c*p+j] /= cw[c]
			}
			vars[c*p+j] += eps
			if math.IsInf(vars[c*p+j], 0) {
				return fmt.Errorf("%w: feature %d has an infinite variance (values too large)", models.ErrData, j)
			}
		}
	}
	prior := make([]float64, k)
	for c := range prior {
		prior[c] = cw[c] / total
	}
	m.p, m.prior, m.mean, m.vars = p, prior, mean, vars
	m.prepare(k)
	return nil
}

// prepare derives the prediction constants from prior, mean and vars and
// marks the model fitted with k classes.
func (m *GaussianNB) prepare(k int) {
	p := m.p
	m.logPrior = make([]float64, k)
	m.norm = make([]float64, k)
	m.inv = make([]float64, k*p)
	for c := 0; c < k; c++ {
		m.logPrior[c] = math.Log(m.prior[c])
		s := 0.0
		for j := 0; j < p; j++ {
			v := m.vars[c*p+j]
			s += math.Log(2 * math.Pi * v)
			m.inv[c*p+j] = 0.5 / v
		}
		m.norm[c] = m.logPrior[c] - 0.5*s
	}
	m.k = k
}

// Predict writes n*K class probabilities, row-major, for the rows of X. A
// NaN or infinite feature is an error naming it.
func (m *GaussianNB) Predict(dst []float64, X [][]float64) error {
	if m.k == 0 {
		return models.ErrNotFitted
	}
	if err := models.CheckPredict(dst, X, m.p, m.k); err != nil {
		return err
	}
	k, p := m.k, m.p
	n := len(X[0])
	for i := 0; i < n; i++ {
		copy(dst[i*k:(i+1)*k], m.norm)
	}
	for c := 0; c < k; c++ {
		if math.IsInf(m.norm[c], -1) {
			continue
		}
		for j := 0; j < p; j++ {
			mu, inv := m.mean[c*p+j], m.inv[c*p+j]
			for i, v := range X[j] {
				dv := v - mu
				dst[i*k+c] -= dv * dv * inv
			}
		}
	}
	for i := 0; i < n; i++ {
		row := dst[i*k : (i+1)*k]
		mx := math.Inf(-1)
		for _, v := range row {
			if math.IsNaN(v) {
				return rowError(X, i)
			}
			mx = math.Max(mx, v)
		}
		if math.IsInf(mx, -1) {
			// Far from every class (squared distances overflowed): check the
			// row, then fall back to the priors.
			if isBad(X, i) {
				return rowError(X, i)
			}
			copy(row, m.prior)
			continue
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
	}
	return nil
}

// isBad reports whether row i of X holds a NaN or infinite value.
func isBad(X [][]float64, i int) bool {
	for _, col := range X {
		if v := col[i]; math.IsNaN(v) || math.IsInf(v, 0) {
			return true
		}
	}
	return false
}

// rowError names the first NaN or infinite feature of row i.
func rowError(X [][]float64, i int) error {
	for j, col := range X {
		if v := col[i]; math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: feature %d row %d is %v (gaussian_nb needs the dense, imputed view)", models.ErrData, j, i, v)
		}
	}
	return fmt.Errorf("%w: row %d gives a non-finite score", models.ErrData, i)
}

// checkFinite reports the first NaN or infinite value of X.
func checkFinite(X [][]float64) error {
	for j, col := range X {
		for i, v := range col {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: feature %d row %d is %v (gaussian_nb needs the dense, imputed view)", models.ErrData, j, i, v)
			}
		}
	}
	return nil
}

// Params returns copies of the fitted class priors (k), means and smoothed
// variances (k×p row-major). Nil before Fit.
func (m *GaussianNB) Params() (prior, mean, vars []float64) {
	if m.k == 0 {
		return nil, nil, nil
	}
	return append([]float64(nil), m.prior...), append([]float64(nil), m.mean...), append([]float64(nil), m.vars...)
}

// ErrEncoding reports bytes that UnmarshalBinary cannot decode: a wrong
// magic, an unsupported version, truncated or inconsistent data.
var ErrEncoding = errors.New("bayes: bad model encoding")

const (
	nbVersion   = 1
	nbMagic     = "automl/bayes.GaussianNB\x00"
	maxFeatures = 1 << 24
	maxClasses  = 1 << 16
)

// MarshalBinary encodes the settings and fitted state (exact float bits).
func (m *GaussianNB) MarshalBinary() ([]byte, error) {
	e := codec.NewEncoder(nbMagic, nbVersion)
	e.F64(m.VarSmoothing)
	e.Int(m.p)
	e.Int(m.k)
	if m.k != 0 {
		e.Floats(m.prior)
		e.Floats(m.mean)
		e.Floats(m.vars)
	}
	return e.Bytes(), nil
}

// UnmarshalBinary restores a model written by MarshalBinary. Corrupt or
// truncated bytes give an error wrapping ErrEncoding; m is changed only on
// success.
func (m *GaussianNB) UnmarshalBinary(b []byte) error {
	d, v := codec.NewDecoder(b, nbMagic, ErrEncoding)
	if d.Err() == nil && v != nbVersion {
		d.Fail("gaussian_nb encoding version %d, this build reads %d", v, nbVersion)
	}
	var out GaussianNB
	out.VarSmoothing = d.F64()
	out.p = d.Int("features", 0, maxFeatures)
	k := d.Int("classes", 0, maxClasses)
	if d.Err() == nil && k != 0 {
		if k < 2 || out.p < 1 {
			d.Fail("fitted gaussian_nb with %d classes and %d features", k, out.p)
		}
		if d.Err() == nil && uint64(k)*uint64(out.p) > uint64(d.Len()/8) {
			d.Fail("%d×%d means but %d bytes left", k, out.p, d.Len())
		}
		out.prior = d.Floats("prior", k)
		out.mean = d.Floats("mean", k*out.p)
		out.vars = d.Floats("vars", k*out.p)
		d.Finite("mean", out.mean...)
		sum := 0.0
		for _, p := range out.prior {
			if !(p >= 0 && p <= 1) {
				d.Fail("prior %v", p)
				break
			}
			sum += p
		}
		if d.Err() == nil && !(sum > 0.5 && sum < 1.5) {
			d.Fail("priors sum to %v", sum)
		}
		for _, v := range out.vars {
			if !(v > 0) || math.IsInf(v, 0) {
				d.Fail("variance %v", v)
				break
			}
		}
	}
	if err := d.Finish(); err != nil {
		return err
	}
	if _, err := out.smoothing(); err != nil && out.VarSmoothing != 0 {
		return fmt.Errorf("%w: %v", ErrEncoding, err)
	}
	if k != 0 {
		out.prepare(k)
	}
	*m = out
	return nil
}
