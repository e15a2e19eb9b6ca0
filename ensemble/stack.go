package ensemble

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/automl-agent/automl/evaluate"
)

// StackerVersion is the format version written by Stacker.MarshalBinary.
const StackerVersion = 1

// metaClip bounds the probabilities turned into log-odds meta-features, so
// a member that is certain (p = 0 or 1) gives a large but finite feature.
const metaClip = 1e-6

// lambdaGrid holds the L2 strengths Stack tries, strongest first (a tie in
// out-of-fold score keeps the stronger one). Features are standardized, so
// the values are relative to unit variance.
var lambdaGrid = []float64{1e-1, 1e-2, 1e-3, 1e-4}

// Stacker is a fitted stacking meta-model: a linear model over the
// members' predictions (and optionally the original features).
//
// Score is its out-of-fold score under the metric given to Stack, on the
// same rows as a Greedy ensemble built from the same predictions, so the
// two compare directly. Lambda is the L2 strength chosen. OOF holds the
// meta-model's out-of-fold predictions at that strength (in the models
// contract layout; zeros on rows no split tests), to judge it on another
// metric; it is not saved by MarshalBinary. A Stacker is safe for
// concurrent Predict calls.
type Stacker struct {
	Score  float64
	Lambda float64
	OOF    []float64

	numClasses int
	members    int
	xCols      int
	mean       []float64 // per meta-feature, for standardization
	scale      []float64
	model      *linearMeta
}

// Stack fits a stacking meta-model on the members' out-of-fold predictions
// oof (each in the models contract layout for numClasses; 0 =
// regression), optionally with the original features X (column-major,
// nil for none: the "skip connection"), targets y and weights w (nil =
// uniform).
//
// Meta-features are, per member, the log-odds of the class-1 probability
// (binary), the log-probability of each class (multiclass), or the
// predicted value (regression), clipped at 1e-6 and standardized, plus the
// standardized columns of X (NaN replaced by the column mean). The
// meta-model is L2-regularized multinomial logistic regression (L-BFGS)
// for classification and ridge regression for regression; unlike a convex
// Greedy blend it can rescale and recalibrate members and give them
// negative weights.
//
// The L2 strength is picked from {0.1, 0.01, 0.001, 0.0001} by
// cross-validating the meta-model over splits (nil: 5-fold,
// stratified for classification, shuffled with seed), scoring the pooled
// meta out-of-fold predictions with m; that score is Stacker.Score. Keep
// the stacker only if it beats the Greedy ensemble's Score. The chosen
// strength is then refitted on all rows. Rows covered by no test split do
// not count in Score but are used in the final fit.
//
// ctx is checked between fits and inside L-BFGS. Bad input is an error
// wrapping ErrInput.
func Stack(ctx context.Context, oof [][]float64, X [][]float64, y, w []float64, numClasses int, m evaluate.Metric, splits []evaluate.Split, seed uint64) (*Stacker, error) {
	n, err := checkMembers(oof, y, numClasses, m)
	if err != nil {
		return nil, err
	}
	if err := checkTargets(y, w, numClasses); err != nil {
		return nil, err
	}
	if err := checkColumns(X, n); err != nil {
		return nil, err
	}
	if splits == nil {
		const folds = 5
		k := min(folds, n)
		if k < 2 {
			return nil, fmt.Errorf("%w: %d rows are too few to cross-validate a stacker", ErrInput, n)
		}
		splits, err = evaluate.StratifiedKFold(y, numClasses, k, seed)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInput, err)
		}
	}
	for s, sp := range splits {
		for _, list := range [][]int{sp.Train, sp.Test} {
			for _, i := range list {
				if i < 0 || i >= n {
					return nil, fmt.Errorf("%w: split %d holds row %d, want 0..%d", ErrInput, s, i, n-1)
				}
			}
		}
		if len(sp.Train) == 0 || len(sp.Test) == 0 {
			return nil, fmt.Errorf("%w: split %d has an empty side", ErrInput, s)
		}
	}

	st := &Stacker{numClasses: numClasses, members: len(oof), xCols: len(X)}
	p := st.dim()
	F := make([]float64, n*p)
	st.features(F, oof, X, n)
	st.mean, st.scale = standardize(F, n, p)
	applyStandard(F, n, p, st.mean, st.scale)

	kw := width(numClasses)
	covered := make([]bool, n)
	for _, sp := range splits {
		for _, i := range sp.Test {
			covered[i] = true
		}
	}
	var rows []int
	for i, c := range covered {
		if c {
			rows = append(rows, i)
		}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%w: no rows in any test split", ErrInput)
	}

	bestScore, bestLambda := math.NaN(), 0.0
	metaOOF := make([]float64, n*kw)
	for _, lambda := range lambdaGrid {
		clear(metaOOF)
		counts := make([]int, n)
		for _, sp := range splits {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			Ftr, ytr, wtr := subsetRows(F, p, y, w, sp.Train)
			lm, err := fitMeta(ctx, Ftr, len(sp.Train), p, ytr, wtr, numClasses, lambda)
			if err != nil {
				return nil, err
			}
			Fte, _, _ := subsetRows(F, p, y, nil, sp.Test)
			pred := make([]float64, len(sp.Test)*kw)
			lm.predict(pred, Fte, len(sp.Test))
			for t, i := range sp.Test {
				for c := range kw {
					metaOOF[i*kw+c] += pred[t*kw+c]
				}
				counts[i]++
			}
		}
		for i, c := range counts {
			for j := i * kw; c > 1 && j < (i+1)*kw; j++ {
				metaOOF[j] /= float64(c)
			}
		}
		s, err := scoreRowsOf(m, metaOOF, y, w, numClasses, rows)
		if err != nil {
			return nil, fmt.Errorf("ensemble: stacker score: %w", err)
		}
		if math.IsNaN(bestScore) || evaluate.Better(m, s, bestScore) {
			bestScore, bestLambda = s, lambda
			st.OOF = slices.Clone(metaOOF)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	lm, err := fitMeta(ctx, F, n, p, y, w, numClasses, bestLambda)
	if err != nil {
		return nil, err
	}
	st.model, st.Score, st.Lambda = lm, bestScore, bestLambda
	return st, nil
}

func fitMeta(ctx context.Context, F []float64, n, p int, y, w []float64, numClasses int, lambda float64) (*linearMeta, error) {
	if numClasses == 0 {
		return fitRidge(F, n, p, y, w, lambda)
	}
	return fitLogistic(ctx, F, n, p, y, w, numClasses, lambda, nil)
}

// dim returns the number of meta-features.
func (s *Stacker) dim() int {
	per := 1
	if s.numClasses > 2 {
		per = s.numClasses
	}
	return s.members*per + s.xCols
}

// features writes the raw (unstandardized) meta-features of n rows,
// row-major, into F.
func (s *Stacker) features(F []float64, preds [][]float64, X [][]float64, n int) {
	p, k := s.dim(), s.numClasses
	for i := range n {
		row := F[i*p : (i+1)*p]
		f := 0
		for _, pr := range preds {
			switch {
			case k == 0:
				row[f] = pr[i]
				f++
			case k == 2:
				q := min(max(pr[2*i+1], metaClip), 1-metaClip)
				row[f] = math.Log(q / (1 - q))
				f++
			default:
				for c := range k {
					row[f] = math.Log(min(max(pr[i*k+c], metaClip), 1))
					f++
				}
			}
		}
		for _, col := range X {
			row[f] = col[i]
			f++
		}
	}
}

// standardize returns per-column means and scales of F (n×p), ignoring
// NaN; a constant or all-NaN column gets mean 0 / scale 1 as needed.
func standardize(F []float64, n, p int) (mean, scale []float64) {
	mean, scale = make([]float64, p), make([]float64, p)
	for f := range p {
		s, c := 0.0, 0
		for i := range n {
			if v := F[i*p+f]; !math.IsNaN(v) {
				s += v
				c++
			}
		}
		if c == 0 {
			scale[f] = 1
			continue
		}
		mu := s / float64(c)
		ss := 0.0
		for i := range n {
			if v := F[i*p+f]; !math.IsNaN(v) {
				ss += (v - mu) * (v - mu)
			}
		}
		sd := math.Sqrt(ss / float64(c))
		if !(sd > 1e-12) || math.IsInf(sd, 0) {
			sd = 1
		}
		mean[f], scale[f] = mu, sd
	}
	return mean, scale
}

// applyStandard standardizes F in place; NaN (a missing original feature)
// becomes 0, the mean.
func applyStandard(F []float64, n, p int, mean, scale []float64) {
	for i := range n {
		for f := range p {
			v := (F[i*p+f] - mean[f]) / scale[f]
			if math.IsNaN(v) || math.IsInf(v, 0) {
				v = 0
			}
			F[i*p+f] = v
		}
	}
}

func subsetRows(F []float64, p int, y, w []float64, rows []int) (Fs, ys, ws []float64) {
	Fs = make([]float64, len(rows)*p)
	ys = make([]float64, len(rows))
	if w != nil {
		ws = make([]float64, len(rows))
	}
	for t, i := range rows {
		copy(Fs[t*p:(t+1)*p], F[i*p:(i+1)*p])
		ys[t] = y[i]
		if w != nil {
			ws[t] = w[i]
		}
	}
	return Fs, ys, ws
}

// scoreRowsOf scores the predictions of the listed rows.
func scoreRowsOf(m evaluate.Metric, pred, y, w []float64, numClasses int, rows []int) (float64, error) {
	if len(rows) == len(y) {
		return m.Score(y, pred, numClasses, w)
	}
	kw := width(numClasses)
	ps := make([]float64, len(rows)*kw)
	ys := make([]float64, len(rows))
	var ws []float64
	if w != nil {
		ws = make([]float64, len(rows))
	}
	for t, i := range rows {
		copy(ps[t*kw:(t+1)*kw], pred[i*kw:(i+1)*kw])
		ys[t] = y[i]
		if w != nil {
			ws[t] = w[i]
		}
	}
	return m.Score(ys, ps, numClasses, ws)
}

// Predict writes the stacked prediction for n rows into dst (n values for
// regression, n*K probabilities row-major for classification). preds holds
// one prediction vector per member, in the order given to Stack, and X the
// original feature columns if the stacker was fitted with them (else nil).
// Wrong counts or lengths, dst too short, or a NaN member prediction are
// errors wrapping ErrInput.
func (s *Stacker) Predict(dst []float64, preds [][]float64, X [][]float64) error {
	if s.model == nil {
		return fmt.Errorf("%w: stacker is not fitted", ErrInput)
	}
	if len(preds) != s.members {
		return fmt.Errorf("%w: %d member predictions, stacker has %d members", ErrInput, len(preds), s.members)
	}
	if len(X) != s.xCols {
		return fmt.Errorf("%w: %d feature columns, stacker was fitted with %d", ErrInput, len(X), s.xCols)
	}
	kw := width(s.numClasses)
	n := len(preds[0]) / kw
	for j, pr := range preds {
		if len(pr) != n*kw {
			return fmt.Errorf("%w: member %d has %d predictions, want %d", ErrInput, j, len(pr), n*kw)
		}
		for i, v := range pr {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: member %d: prediction %v at row %d", ErrInput, j, v, i/kw)
			}
		}
	}
	if err := checkColumns(X, n); err != nil {
		return err
	}
	if len(dst) < n*kw {
		return fmt.Errorf("%w: dst has room for %d values, need %d", ErrInput, len(dst), n*kw)
	}
	p := s.dim()
	F := make([]float64, n*p)
	s.features(F, preds, X, n)
	applyStandard(F, n, p, s.mean, s.scale)
	s.model.predict(dst, F, n)
	return nil
}

type stackerJSON struct {
	Version    int         `json:"version"`
	Score      *float64    `json:"score"`
	Lambda     float64     `json:"lambda"`
	NumClasses int         `json:"num_classes"`
	Members    int         `json:"members"`
	XCols      int         `json:"x_cols"`
	Mean       []float64   `json:"mean"`
	Scale      []float64   `json:"scale"`
	Model      *linearMeta `json:"model"`
}

// MarshalBinary encodes the stacker as versioned JSON
// ({"version": 1, ...}).
func (s *Stacker) MarshalBinary() ([]byte, error) {
	if s.model == nil {
		return nil, fmt.Errorf("%w: stacker is not fitted", ErrInput)
	}
	j := stackerJSON{Version: StackerVersion, Lambda: s.Lambda, NumClasses: s.numClasses,
		Members: s.members, XCols: s.xCols, Mean: s.mean, Scale: s.scale, Model: s.model}
	if !math.IsNaN(s.Score) && !math.IsInf(s.Score, 0) {
		j.Score = &s.Score
	}
	return json.Marshal(j)
}

// UnmarshalBinary decodes what MarshalBinary wrote. Another version or
// inconsistent sizes are an error wrapping ErrInput.
func (s *Stacker) UnmarshalBinary(b []byte) error {
	var j stackerJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("%w: stacker: %w", ErrInput, err)
	}
	if j.Version != StackerVersion {
		return fmt.Errorf("%w: stacker format version %d, this library reads %d", ErrInput, j.Version, StackerVersion)
	}
	t := Stacker{Lambda: j.Lambda, numClasses: j.NumClasses, members: j.Members, xCols: j.XCols,
		mean: j.Mean, scale: j.Scale, model: j.Model, Score: math.NaN()}
	if j.Score != nil {
		t.Score = *j.Score
	}
	const limit = 1 << 20
	if t.numClasses < 0 || t.numClasses == 1 || t.numClasses > limit || t.members < 1 || t.members > limit ||
		t.xCols < 0 || t.xCols > limit || t.model == nil {
		return fmt.Errorf("%w: stacker: bad header (classes %d, members %d, x %d)", ErrInput, t.numClasses, t.members, t.xCols)
	}
	p, k := t.dim(), width(t.numClasses)
	lm := t.model
	if len(t.mean) != p || len(t.scale) != p || lm.P != p || lm.K != t.numClasses ||
		len(lm.Coef) != k*p || len(lm.Intercept) != k {
		return fmt.Errorf("%w: stacker: sizes do not match %d features and %d outputs", ErrInput, p, k)
	}
	for _, v := range t.scale {
		if !(v > 0) {
			return fmt.Errorf("%w: stacker: scale %v", ErrInput, v)
		}
	}
	*s = t
	return nil
}
