package forest

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
)

// xorData returns n rows of p uniform features where the class is
// (x0 > 0.5) xor (x1 > 0.5); the other features are noise.
func xorData(n, p int, seed uint64) *models.Data {
	rng := rand.New(rand.NewPCG(seed, 1))
	d := &models.Data{X: make([][]float64, p), Y: make([]float64, n), NumClasses: 2}
	for j := range d.X {
		d.X[j] = make([]float64, n)
		for i := range n {
			d.X[j][i] = rng.Float64()
		}
	}
	for i := range n {
		if (d.X[0][i] > 0.5) != (d.X[1][i] > 0.5) {
			d.Y[i] = 1
		}
	}
	return d
}

// regData returns n rows of p features with y = sin(3 x0) + x1^2 + 0.5 x2 x3 + noise.
func regData(n, p int, seed uint64) *models.Data {
	rng := rand.New(rand.NewPCG(seed, 2))
	d := &models.Data{X: make([][]float64, p), Y: make([]float64, n)}
	for j := range d.X {
		d.X[j] = make([]float64, n)
		for i := range n {
			d.X[j][i] = rng.NormFloat64()
		}
	}
	for i := range n {
		x := func(j int) float64 { return d.X[j%p][i] }
		d.Y[i] = math.Sin(3*x(0)) + x(1)*x(1) + 0.5*x(2)*x(3) + 0.1*rng.NormFloat64()
	}
	return d
}

func split80(d *models.Data) (train, test *models.Data) {
	n := d.Rows()
	var tr, te []int
	for i := range n {
		if i%5 == 0 {
			te = append(te, i)
		} else {
			tr = append(tr, i)
		}
	}
	return d.Subset(tr), d.Subset(te)
}

func predict(t testing.TB, m models.Model, d *models.Data, k int) []float64 {
	out := make([]float64, models.OutputLen(d.Rows(), k))
	require.NoError(t, m.Predict(out, d.X))
	return out
}

func accuracy(p []float64, y []float64, k int) float64 {
	ok := 0
	for i, yi := range y {
		best := 0
		for c := 1; c < k; c++ {
			if p[i*k+c] > p[i*k+best] {
				best = c
			}
		}
		if float64(best) == yi {
			ok++
		}
	}
	return float64(ok) / float64(len(y))
}

func rmse(p, y []float64) float64 {
	var s float64
	for i := range y {
		s += (p[i] - y[i]) * (p[i] - y[i])
	}
	return math.Sqrt(s / float64(len(y)))
}

func TestXOR(t *testing.T) {
	train, test := split80(xorData(2500, 5, 1))
	for _, tc := range []struct {
		name string
		new  func(models.Params) (*Forest, error)
		p    models.Params
		min  float64
	}{
		{"random_forest", NewRandomForest, models.Params{"n_estimators": 50, "max_features": 0.5}, 0.95},
		{"extra_trees", NewExtraTrees, models.Params{"n_estimators": 50, "max_features": 1.0}, 0.93},
		{"cart", NewCART, nil, 0.95},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tc.new(tc.p)
			require.NoError(t, err)
			require.NoError(t, m.Fit(t.Context(), train))
			acc := accuracy(predict(t, m, test, 2), test.Y, 2)
			assert.GreaterOrEqual(t, acc, tc.min)
			imp := m.Importances()
			assert.Greater(t, imp[0], imp[2])
			assert.Greater(t, imp[1], imp[4])
		})
	}
}

func TestRegression(t *testing.T) {
	train, test := split80(regData(3000, 6, 3))
	var base float64
	for _, y := range test.Y {
		base += y
	}
	mean := base / float64(len(test.Y))
	var sd float64
	for _, y := range test.Y {
		sd += (y - mean) * (y - mean)
	}
	sd = math.Sqrt(sd / float64(len(test.Y)))
	for _, tc := range []struct {
		name string
		new  func(models.Params) (*Forest, error)
		max  float64 // rmse / sd
	}{
		{"random_forest", NewRandomForest, 0.45},
		{"extra_trees", NewExtraTrees, 0.45},
		{"cart", NewCART, 0.7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tc.new(models.Params{"n_estimators": 30})
			require.NoError(t, err)
			require.NoError(t, m.Fit(t.Context(), train))
			r := rmse(predict(t, m, test, 0), test.Y)
			assert.Less(t, r/sd, tc.max)
		})
	}
}

var _ = errors.Is
var _ = runtime.GOMAXPROCS
var _ = time.Second
var _ context.Context
