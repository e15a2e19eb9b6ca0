package hyperopt

import (
	"math"
	"math/rand/v2"
	"slices"
)

// TPE is the Tree-structured Parzen Estimator sampler (Bergstra et al.,
// "Algorithms for Hyper-Parameter Optimization", NeurIPS 2011), in the
// univariate form used by Optuna and hyperopt.
//
// For each proposal it takes the observations at the largest budget that
// has at least Startup of them (BOHB's rule; with a single budget, all of
// them), sorts them by loss (ties by age) and splits them: the best
// ceil(Gamma·n), at most 25, are "good", the rest "bad". Failed
// observations are always bad, so regions that fail are avoided, and so
// are pending ones (proposed earlier in the same batch, see Sampler): this
// "constant liar" keeps a batch from piling onto one point. Then,
// parameter by parameter in space order, skipping parameters whose
// condition does not hold for the values already chosen, it fits two
// Parzen estimators, l(x) on the good and g(x) on the bad observations
// where that parameter was active, draws Candidates values from l and
// keeps the one maximizing l(x)/g(x).
//
// Numeric parameters use a mixture of Gaussians truncated to [Low, High]
// (to [log Low, log High] for Log ones; integers are widened by ±0.5 and
// rounded), one per observation plus a wide prior centred on the range,
// with Optuna's adaptive bandwidths (distance to the neighbours, clipped
// to [range/min(100, n+1), range]). Categorical parameters use the
// observed frequencies smoothed by PriorWeight spread over the choices.
// With more than 25 observations in a group, older ones weigh less.
//
// Before Startup observations exist, TPE samples uniformly like Random.
// The zero value of every field means its default. A TPE is stateless and
// safe for concurrent use.
type TPE struct {
	// Space is the search space.
	Space Space
	// Startup is the number of observations sampled at random before the
	// model is used; 0 means 10.
	Startup int
	// Candidates is the number of draws from l(x) per parameter; 0 means 24.
	Candidates int
	// Gamma is the fraction of observations called good; 0 means 0.15.
	Gamma float64
	// PriorWeight is the weight of the prior component of each estimator;
	// 0 means 1.
	PriorWeight float64
}

const maxGood = 25

func (t *TPE) withDefaults() TPE {
	o := *t
	if o.Startup <= 0 {
		o.Startup = 10
	}
	if o.Candidates <= 0 {
		o.Candidates = 24
	}
	if !(o.Gamma > 0 && o.Gamma < 1) {
		o.Gamma = 0.15
	}
	if !(o.PriorWeight > 0) {
		o.PriorWeight = 1
	}
	return o
}

// Next proposes a configuration from the history (see TPE). It returns an
// error wrapping ErrSpace if the space is malformed.
func (t *TPE) Next(rng *rand.Rand, _ int, history []Observation) (map[string]any, error) {
	if err := t.Space.Validate(); err != nil {
		return nil, err
	}
	o := t.withDefaults()
	good, bad, ok := o.split(history)
	if !ok {
		return o.Space.Sample(rng), nil
	}
	cfg := make(map[string]any, len(o.Space))
	for _, p := range o.Space {
		if !p.Active(cfg) {
			continue
		}
		if p.Kind == Categorical {
			cfg[p.Name] = o.sampleCategorical(rng, p, good, bad)
		} else {
			cfg[p.Name] = o.sampleNumeric(rng, p, good, bad)
		}
	}
	return cfg, nil
}

// split picks the observations TPE models and divides them into good and
// bad, both in history (age) order. ok is false when there are too few.
func (o TPE) split(history []Observation) (good, bad []Observation, ok bool) {
	// Count per budget; use the largest budget with >= Startup observations.
	counts := map[float64]int{}
	for _, h := range history {
		counts[h.Budget]++
	}
	budget, found := math.Inf(-1), false
	for b, c := range counts {
		if c >= o.Startup && b > budget {
			budget, found = b, true
		}
	}
	if !found {
		return nil, nil, false
	}
	var idx []int // indices into history of finite observations at budget
	var failed []int
	for i, h := range history {
		if h.Budget != budget {
			continue
		}
		if h.Failed() {
			failed = append(failed, i)
		} else {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return nil, nil, false
	}
	order := slices.Clone(idx)
	slices.SortStableFunc(order, func(a, b int) int {
		switch la, lb := history[a].Loss, history[b].Loss; {
		case la < lb:
			return -1
		case la > lb:
			return 1
		}
		return a - b
	})
	nGood := int(math.Ceil(o.Gamma * float64(len(idx)+len(failed))))
	nGood = max(1, min(nGood, maxGood, len(idx)))
	isGood := make(map[int]bool, nGood)
	for _, i := range order[:nGood] {
		isGood[i] = true
	}
	for i, h := range history {
		if h.Budget != budget {
			continue
		}
		if isGood[i] {
			good = append(good, h)
		} else {
			bad = append(bad, h)
		}
	}
	return good, bad, true
}

// weights returns Optuna's default observation weights for n observations
// in age order: all 1 up to 25, then a linear ramp from 1/n for the oldest
// to 1 for the last 25.
func weights(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
	}
	if n > maxGood {
		ramp := n - maxGood
		for i := 0; i < ramp; i++ {
			// linspace(1/n, 1, ramp)
			if ramp == 1 {
				w[i] = 1.0 / float64(n)
			} else {
				w[i] = 1.0/float64(n) + (1-1.0/float64(n))*float64(i)/float64(ramp-1)
			}
		}
	}
	return w
}

// categorical ----------------------------------------------------------------

func (o TPE) categoricalProbs(p Param, obs []Observation) []float64 {
	k := len(p.Choices)
	probs := make([]float64, k)
	var vals []int
	for _, h := range obs {
		v, ok := h.Config[p.Name]
		if !ok {
			continue
		}
		if i := slices.IndexFunc(p.Choices, func(c any) bool { return equalValue(v, c) }); i >= 0 {
			vals = append(vals, i)
		}
	}
	w := weights(len(vals))
	for i := range probs {
		probs[i] = o.PriorWeight / float64(k)
	}
	for j, i := range vals {
		probs[i] += w[j]
	}
	var sum float64
	for _, q := range probs {
		sum += q
	}
	for i := range probs {
		probs[i] /= sum
	}
	return probs
}

func (o TPE) sampleCategorical(rng *rand.Rand, p Param, good, bad []Observation) any {
	l := o.categoricalProbs(p, good)
	g := o.categoricalProbs(p, bad)
	best, bestScore := -1, math.Inf(-1)
	for range o.Candidates {
		i := drawIndex(rng, l)
		if s := math.Log(l[i]) - math.Log(g[i]); s > bestScore {
			best, bestScore = i, s
		}
	}
	return p.Choices[best]
}

func drawIndex(rng *rand.Rand, probs []float64) int {
	u := rng.Float64()
	for i, q := range probs {
		u -= q
		if u < 0 {
			return i
		}
	}
	return len(probs) - 1
}

// numeric --------------------------------------------------------------------

// parzen is a mixture of Gaussians truncated to [low, high].
type parzen struct {
	low, high float64
	mus       []float64
	sigmas    []float64
	weights   []float64 // normalized
	logC      []float64 // log(weight) - log(sigma) - log√(2π) - log(mass inside [low, high])
}

// bounds returns the internal (transformed) range of a numeric parameter.
func bounds(p Param) (low, high float64) {
	low, high = p.Low, p.High
	if p.Kind == Int {
		low, high = low-0.5, high+0.5
		if p.Log && low <= 0 {
			low = p.Low / 2
		}
	}
	if p.Log {
		low, high = math.Log(low), math.Log(high)
	}
	return low, high
}

// toInternal maps a value of p to the internal scale; ok is false for a
// value that is not a number.
func toInternal(p Param, v any) (float64, bool) {
	x, ok := toFloat(v)
	if !ok || math.IsNaN(x) {
		return 0, false
	}
	x = math.Min(math.Max(x, p.Low), p.High)
	if p.Log {
		x = math.Log(x)
	}
	return x, true
}

// fromInternal maps an internal value back to a value of p.
func fromInternal(p Param, x float64) any {
	if p.Log {
		x = math.Exp(x)
	}
	if p.Kind == Int {
		v := math.Round(x)
		v = math.Max(v, math.Ceil(p.Low))
		v = math.Min(v, math.Floor(p.High))
		return int(v)
	}
	return math.Min(math.Max(x, p.Low), p.High)
}

func (o TPE) newParzen(p Param, obs []Observation) parzen {
	low, high := bounds(p)
	var xs []float64
	for _, h := range obs {
		if v, ok := h.Config[p.Name]; ok {
			if x, ok := toInternal(p, v); ok {
				xs = append(xs, x)
			}
		}
	}
	w := weights(len(xs))
	span := high - low
	if span <= 0 {
		span = 1 // a degenerate range: every draw is clamped to it anyway
	}
	priorMu, priorSigma := 0.5*(low+high), span

	// Sort the observations with the prior inserted, as Optuna does.
	type comp struct {
		mu, w float64
		prior bool
	}
	comps := make([]comp, 0, len(xs)+1)
	for i, x := range xs {
		comps = append(comps, comp{mu: x, w: w[i]})
	}
	comps = append(comps, comp{mu: priorMu, w: o.PriorWeight, prior: true})
	slices.SortStableFunc(comps, func(a, b comp) int {
		switch {
		case a.mu < b.mu:
			return -1
		case a.mu > b.mu:
			return 1
		}
		return 0
	})
	n := len(comps)
	pz := parzen{low: low, high: high, mus: make([]float64, n), sigmas: make([]float64, n), weights: make([]float64, n), logC: make([]float64, n)}
	minSigma := span / math.Min(100, float64(n)+1)
	var wsum float64
	for i, c := range comps {
		pz.mus[i] = c.mu
		left := low
		if i > 0 {
			left = comps[i-1].mu
		}
		right := high
		if i < n-1 {
			right = comps[i+1].mu
		}
		s := math.Max(c.mu-left, right-c.mu)
		if n >= 2 && i == 0 {
			s = comps[1].mu - c.mu
		} else if n >= 2 && i == n-1 {
			s = c.mu - comps[n-2].mu
		}
		if c.prior {
			s = priorSigma
		}
		pz.sigmas[i] = math.Min(math.Max(s, minSigma), span)
		pz.weights[i] = c.w
		wsum += c.w
	}
	for i := range pz.weights {
		pz.weights[i] /= wsum
		a := (low - pz.mus[i]) / pz.sigmas[i]
		b := (high - pz.mus[i]) / pz.sigmas[i]
		logZ := math.Log(math.Max(normCDF(b)-normCDF(a), 1e-300))
		pz.logC[i] = math.Log(pz.weights[i]) - math.Log(pz.sigmas[i]) - logSqrt2Pi - logZ
	}
	return pz
}

func normCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

// sample draws one value from the truncated mixture.
func (pz parzen) sample(rng *rand.Rand) float64 {
	k := drawIndex(rng, pz.weights)
	mu, s := pz.mus[k], pz.sigmas[k]
	for range 100 {
		if x := mu + s*rng.NormFloat64(); x >= pz.low && x <= pz.high {
			return x
		}
	}
	return pz.low + rng.Float64()*(pz.high-pz.low) // practically unreachable: sigma >= range/100
}

const logSqrt2Pi = 0.9189385332046727

// logPDF returns the log density of the truncated mixture at x, by a
// streaming log-sum-exp over the components.
func (pz parzen) logPDF(x float64) float64 {
	maxT, sum := math.Inf(-1), 0.0
	for i, mu := range pz.mus {
		z := (x - mu) / pz.sigmas[i]
		t := pz.logC[i] - 0.5*z*z
		switch {
		case t <= maxT:
			sum += math.Exp(t - maxT)
		default:
			sum = sum*math.Exp(maxT-t) + 1
			maxT = t
		}
	}
	return maxT + math.Log(sum)
}

func (o TPE) sampleNumeric(rng *rand.Rand, p Param, good, bad []Observation) any {
	l := o.newParzen(p, good)
	g := o.newParzen(p, bad)
	bestX, bestScore := math.NaN(), math.Inf(-1)
	for range o.Candidates {
		x := l.sample(rng)
		if p.Kind == Int {
			// Score the value that will actually be used.
			v, _ := toInternal(p, fromInternal(p, x))
			x = v
		}
		if s := l.logPDF(x) - g.logPDF(x); s > bestScore || math.IsNaN(bestX) {
			bestX, bestScore = x, s
		}
	}
	return fromInternal(p, bestX)
}
