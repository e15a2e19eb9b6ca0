package evaluate

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMetricByName(t *testing.T) {
	for _, name := range MetricNames() {
		m, err := MetricByName(name)
		require.NoError(t, err)
		assert.Equal(t, name, m.Name())
	}
	m, err := MetricByName("  ROC_AUC ")
	require.NoError(t, err)
	assert.Equal(t, ROCAUC{}, m)
	_, err = MetricByName("auc-pr")
	require.ErrorIs(t, err, ErrUnknownMetric)
	assert.Contains(t, err.Error(), "balanced_accuracy")
}

func TestDefaultMetricAndDirection(t *testing.T) {
	assert.Equal(t, RMSE{}, DefaultMetric(0))
	assert.Equal(t, Accuracy{}, DefaultMetric(2))
	assert.Equal(t, Accuracy{}, DefaultMetric(5))
	greater := map[string]bool{"accuracy": true, "balanced_accuracy": true, "f1": true, "f1_macro": true,
		"log_loss": false, "roc_auc": true, "rmse": false, "mae": false, "r2": true}
	for name, g := range greater {
		m, err := MetricByName(name)
		require.NoError(t, err)
		assert.Equal(t, g, m.Greater(), name)
	}
	assert.Equal(t, -0.9, Loss(Accuracy{}, 0.9))
	assert.Equal(t, 0.3, Loss(LogLoss{}, 0.3))
	assert.True(t, Better(Accuracy{}, 0.9, 0.8))
	assert.True(t, Better(RMSE{}, 0.8, 0.9))
	assert.True(t, Better(RMSE{}, 5, math.NaN()))
	assert.False(t, Better(RMSE{}, math.NaN(), 5))
	assert.Equal(t, math.Inf(-1), Worst(R2{}))
	assert.Equal(t, math.Inf(1), Worst(MAE{}))
}

func TestMetricBadInput(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name string
		m    Metric
		y    []float64
		pred []float64
		k    int
		w    []float64
	}{
		{"empty", Accuracy{}, nil, nil, 2, nil},
		{"short pred", LogLoss{}, []float64{0, 1}, []float64{0.5, 0.5}, 2, nil},
		{"nan pred", RMSE{}, []float64{1, 2}, []float64{1, nan}, 0, nil},
		{"inf pred", MAE{}, []float64{1, 2}, []float64{1, math.Inf(1)}, 0, nil},
		{"nan target", R2{}, []float64{nan, 2}, []float64{1, 2}, 0, nil},
		{"class out of range", Accuracy{}, []float64{0, 2}, []float64{1, 0, 0, 1}, 2, nil},
		{"fractional class", ROCAUC{}, []float64{0, 0.5}, []float64{1, 0, 0, 1}, 2, nil},
		{"negative class", F1Macro{}, []float64{-1, 1}, []float64{1, 0, 0, 1}, 2, nil},
		{"weights length", Accuracy{}, []float64{0, 1}, []float64{1, 0, 0, 1}, 2, []float64{1}},
		{"negative weight", Accuracy{}, []float64{0, 1}, []float64{1, 0, 0, 1}, 2, []float64{1, -1}},
		{"nan weight", RMSE{}, []float64{0, 1}, []float64{0, 1}, 0, []float64{1, nan}},
		{"zero weights", RMSE{}, []float64{0, 1}, []float64{0, 1}, 0, []float64{0, 0}},
		{"regression metric on classes", RMSE{}, []float64{0, 1}, []float64{1, 0, 0, 1}, 2, nil},
		{"class metric on regression", LogLoss{}, []float64{0, 1}, []float64{0, 1}, 0, nil},
		{"f1 on three classes", F1{}, []float64{0, 1}, []float64{1, 0, 0, 0, 1, 0}, 3, nil},
		{"one class", Accuracy{}, []float64{0, 0}, []float64{1, 1}, 1, nil},
		{"auc single class", ROCAUC{}, []float64{1, 1}, []float64{0.3, 0.7, 0.6, 0.4}, 2, nil},
		{"auc multiclass none usable", ROCAUC{}, []float64{1, 1}, []float64{0.3, 0.7, 0, 0.6, 0.4, 0}, 3, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.NotPanics(t, func() {
				_, err := c.m.Score(c.y, c.pred, c.k, c.w)
				assert.ErrorIs(t, err, ErrInput)
			})
		})
	}
}

func TestMetricKnownValues(t *testing.T) {
	// Hand-computed values.
	y := []float64{0, 1, 1, 0}
	pred := []float64{0.8, 0.2, 0.4, 0.6, 0.7, 0.3, 0.5, 0.5} // argmax: 0, 1, 0, 0 (tie -> 0)
	cases := []struct {
		m    Metric
		w    []float64
		want float64
	}{
		{Accuracy{}, nil, 0.75},
		{Accuracy{}, []float64{1, 1, 2, 0}, 0.5},
		{BalancedAccuracy{}, nil, 0.75},     // recall0 = 1, recall1 = 0.5
		{F1{}, nil, 2.0 / 3},                // tp 1, fn 1, fp 0
		{F1Macro{}, nil, (0.8 + 2.0/3) / 2}, // f1_0 = 4/5
		{ROCAUC{}, nil, 0.75},               // pairs: (0.6>0.2) (0.6>0.5) (0.3>0.2) (0.3<0.5)
		{LogLoss{}, nil, -(math.Log(0.8) + math.Log(0.6) + math.Log(0.3) + math.Log(0.5)) / 4},
	}
	for _, c := range cases {
		t.Run(c.m.Name(), func(t *testing.T) {
			got, err := c.m.Score(y, pred, 2, c.w)
			require.NoError(t, err)
			assert.InDelta(t, c.want, got, 1e-12)
		})
	}
	yr := []float64{1, 2, 3}
	pr := []float64{1, 2, 5}
	got, err := RMSE{}.Score(yr, pr, 0, nil)
	require.NoError(t, err)
	assert.InDelta(t, math.Sqrt(4.0/3), got, 1e-12)
	got, err = MAE{}.Score(yr, pr, 0, []float64{1, 1, 2})
	require.NoError(t, err)
	assert.InDelta(t, 1.0, got, 1e-12)
	got, err = R2{}.Score(yr, pr, 0, nil)
	require.NoError(t, err)
	assert.InDelta(t, 1-4.0/2, got, 1e-12)
}

func TestROCAUCMulticlassSkipsAbsentClass(t *testing.T) {
	// Class 2 never occurs: its column is ignored, the others average.
	y := []float64{0, 1, 0, 1}
	pred := []float64{
		0.7, 0.2, 0.1,
		0.2, 0.7, 0.1,
		0.6, 0.3, 0.1,
		0.5, 0.4, 0.1,
	}
	got, err := ROCAUC{}.Score(y, pred, 3, nil)
	require.NoError(t, err)
	assert.InDelta(t, 1.0, got, 1e-12)
}

func TestWeightsEqualRepetition(t *testing.T) {
	// An integer weight must equal repeating the row, for every metric.
	r := rand.New(rand.NewPCG(1, 2))
	for _, k := range []int{0, 2, 3} {
		n := 40
		y := make([]float64, n)
		pred := make([]float64, n*max(k, 1))
		w := make([]float64, n)
		var ry, rp []float64
		for i := range n {
			if k == 0 {
				y[i] = r.NormFloat64()
				pred[i] = y[i] + r.NormFloat64()
			} else {
				y[i] = float64(r.IntN(k))
				s := 0.0
				for c := range k {
					pred[i*k+c] = r.Float64()
					s += pred[i*k+c]
				}
				for c := range k {
					pred[i*k+c] /= s
				}
			}
			w[i] = float64(1 + r.IntN(3))
			for range int(w[i]) {
				ry = append(ry, y[i])
				rp = append(rp, pred[i*max(k, 1):(i+1)*max(k, 1)]...)
			}
		}
		for _, name := range MetricNames() {
			m, _ := MetricByName(name)
			if CheckTask(m, k) != nil {
				continue
			}
			a, err := m.Score(y, pred, k, w)
			require.NoError(t, err)
			b, err := m.Score(ry, rp, k, nil)
			require.NoError(t, err)
			assert.InDelta(t, b, a, 1e-12, "%s k=%d", name, k)
		}
	}
}

func TestLabels(t *testing.T) {
	got := Labels(nil, []float64{0.2, 0.5, 0.3, 0.4, 0.4, 0.2}, 3)
	assert.Equal(t, []float64{1, 0}, got)
	assert.Empty(t, Labels(nil, []float64{1}, 0))
}
