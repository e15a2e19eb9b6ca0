package automl

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/automl-agent/automl/models"
)

type roundsModel struct{ rounds int }

func (roundsModel) Fit(context.Context, *models.Data) error { return nil }
func (roundsModel) Predict([]float64, [][]float64) error    { return nil }
func (m roundsModel) RefitParams(p models.Params) models.Params {
	return p.Merge(models.Params{"num_rounds": m.rounds, "rate": 0.1 * float64(m.rounds), "kind": "x"})
}

func TestRefitParamsAveragesFolds(t *testing.T) {
	tr := &trial{params: models.Params{"num_rounds": 500, "depth": 6}, models: []models.Model{roundsModel{10}, roundsModel{13}, roundsModel{20}}}
	got := refitParams(tr)
	assert.Equal(t, 14, got["num_rounds"], "integers are averaged and rounded")
	assert.InDelta(t, 1.4333, got["rate"], 1e-3, "floats are averaged")
	assert.Equal(t, "x", got["kind"])
	assert.Equal(t, 6, got["depth"])

	plain := &trial{params: models.Params{"a": 1}, models: []models.Model{&slowFake{}}}
	assert.Equal(t, plain.params, refitParams(plain), "models without Refitter keep their params")
}

type slowFake struct{}

func (*slowFake) Fit(context.Context, *models.Data) error { return nil }
func (*slowFake) Predict([]float64, [][]float64) error    { return nil }
