package knn

import (
	"fmt"
	"math"

	"github.com/automl-agent/automl/hyperopt"
	"github.com/automl-agent/automl/models"
)

func init() {
	models.Default().MustRegister(models.Spec{
		Name:  "knn",
		New:   New,
		Tasks: models.Classification | models.Regression,
		Input: models.InputDense,
		Space: hyperopt.Space{
			{Name: "k", Kind: hyperopt.Int, Low: 1, High: 100, Log: true},
			{Name: "weights", Kind: hyperopt.Categorical, Choices: []any{"uniform", "distance"}},
		},
		Portfolio: []models.Params{
			{"k": 5, "weights": "uniform"},
			{"k": 15, "weights": "distance"},
			{"k": 40, "weights": "distance"},
		},
		Cost:    2,
		Seconds: Seconds,
		Seed:    "seed",
		Threads: "threads",
	})
}

// New is the "knn" factory. Params: "k" (int >= 1, default 5), "weights"
// ("uniform" or "distance", default "uniform"), "max_train_rows" (int >= 1,
// default 20000), "seed" (int >= 0, default 0: KNN.Seed, the stream that
// draws the max_train_rows rows kept when there are more; with fewer rows
// the seed changes nothing, as nothing else in kNN is random), "threads"
// (int >= 0, default 0 = DefaultThreads: goroutines per Predict),
// "smoothing" (float >= 0, default 1: KNN.Smoothing pseudo-neighbours).
func New(p models.Params) (models.Model, error) {
	if err := p.Unknown("k", "weights", "max_train_rows", "seed", "threads", "smoothing"); err != nil {
		return nil, err
	}
	m := &KNN{}
	var err error
	if m.Smoothing, err = p.Float("smoothing", 1); err != nil {
		return nil, err
	}
	if !(m.Smoothing >= 0) || math.IsInf(m.Smoothing, 0) {
		return nil, fmt.Errorf("%w: knn smoothing = %v, want a finite number >= 0", models.ErrParam, m.Smoothing)
	}
	if m.Neighbors, err = p.Int("k", DefaultNeighbors); err != nil {
		return nil, err
	}
	ws, err := p.String("weights", "uniform")
	if err != nil {
		return nil, err
	}
	if m.Weights, err = ParseWeighting(ws); err != nil {
		return nil, err
	}
	if m.MaxTrainRows, err = p.Int("max_train_rows", DefaultMaxTrainRows); err != nil {
		return nil, err
	}
	seed, err := p.Int("seed", 0)
	if err != nil {
		return nil, err
	}
	if seed < 0 {
		return nil, fmt.Errorf("%w: knn seed = %d, want >= 0", models.ErrParam, seed)
	}
	m.Seed = uint64(seed)
	if m.Threads, err = p.Int("threads", 0); err != nil {
		return nil, err
	}
	if m.Threads < 0 {
		return nil, fmt.Errorf("%w: knn threads = %d, want >= 0", models.ErrParam, m.Threads)
	}
	if m.Neighbors < 1 || m.MaxTrainRows < 1 {
		return nil, fmt.Errorf("%w: knn k = %d, max_train_rows = %d, want both >= 1", models.ErrParam, m.Neighbors, m.MaxTrainRows)
	}
	if _, _, err := m.config(); err != nil {
		return nil, err
	}
	return m, nil
}
