package evaluate

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// customAccuracy is a LabelMetric unknown to the package, to exercise the
// generic threshold search.
type customAccuracy struct{ Accuracy }

func (customAccuracy) Name() string { return "custom_accuracy" }

func TestTuneThresholdMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	n := 300
	y := make([]float64, n)
	p1 := make([]float64, n)
	w := make([]float64, n)
	for i := range n {
		if r.Float64() < 0.2 { // imbalanced: argmax is far from optimal for F1
			y[i] = 1
		}
		p1[i] = math.Round(min(max(0.15+0.3*y[i]+0.2*r.NormFloat64(), 0), 1)*50) / 50 // ties
		w[i] = 0.5 + r.Float64()
	}
	proba := make([]float64, 2*n)
	for i := range n {
		proba[2*i], proba[2*i+1] = 1-p1[i], p1[i]
	}
	for _, m := range []LabelMetric{Accuracy{}, BalancedAccuracy{}, F1{}, F1Macro{}, customAccuracy{}} {
		for _, ww := range [][]float64{nil, w} {
			t.Run(m.Name(), func(t *testing.T) {
				th, score, err := TuneThreshold(y, p1, ww, m)
				require.NoError(t, err)
				// The reported score is what the threshold gives.
				got, err := Thresholded{Metric: m, Threshold: th}.Score(y, proba, 2, ww)
				require.NoError(t, err)
				assert.InDelta(t, score, got, 1e-12)
				// No threshold does better.
				best := math.Inf(-1)
				for _, c := range append(append([]float64{}, p1...), 1.01) {
					s, err := Thresholded{Metric: m, Threshold: c}.Score(y, proba, 2, ww)
					require.NoError(t, err)
					best = max(best, s)
				}
				assert.InDelta(t, best, score, 1e-12)
				// And it beats or ties argmax.
				argmax, err := m.Score(y, proba, 2, ww)
				require.NoError(t, err)
				assert.GreaterOrEqual(t, score, argmax-1e-12)
			})
		}
	}
	// F1 on this imbalanced set wants a threshold well below 0.5.
	th, _, err := TuneThreshold(y, p1, nil, F1{})
	require.NoError(t, err)
	assert.Less(t, th, 0.5)
}

func TestTuneThresholdErrors(t *testing.T) {
	y := []float64{0, 1, 0}
	p := []float64{0.1, 0.9, 0.3}
	_, _, err := TuneThreshold(y, p, nil, LogLoss{})
	assert.ErrorIs(t, err, ErrInput)
	_, _, err = TuneThreshold(y, p[:2], nil, Accuracy{})
	assert.ErrorIs(t, err, ErrInput)
	_, _, err = TuneThreshold([]float64{1, 1, 1}, p, nil, Accuracy{})
	assert.ErrorIs(t, err, ErrInput)
	_, _, err = TuneThreshold(y, []float64{0.1, math.NaN(), 0.3}, nil, Accuracy{})
	assert.ErrorIs(t, err, ErrInput)
	_, _, err = TuneThreshold(nil, nil, nil, Accuracy{})
	assert.ErrorIs(t, err, ErrInput)
	_, err = Thresholded{Metric: Accuracy{}, Threshold: 0.5}.Score(y, []float64{1, 0, 0, 1, 0, 0, 1, 0, 0}, 3, nil)
	assert.ErrorIs(t, err, ErrInput)
}

func TestTuneThresholdSeparable(t *testing.T) {
	y := []float64{0, 0, 1, 1}
	p := []float64{0.1, 0.2, 0.3, 0.4}
	th, score, err := TuneThreshold(y, p, nil, Accuracy{})
	require.NoError(t, err)
	assert.Equal(t, 1.0, score)
	assert.InDelta(t, 0.25, th, 1e-15) // midpoint of the gap
}
