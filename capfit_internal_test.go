package automl

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/automl-agent/automl/evaluate"
	"github.com/automl-agent/automl/models"
)

// TestCapToFit: on a big table the first GBDT trial that does not fit the
// search's time left is admitted with four fifths of the time before the
// final phase as its time limit, shared by its folds, when that is at
// least a fifth of its estimate; never a second trial of the family, a
// model without a time limit, or a small table.
func TestCapToFit(t *testing.T) {
	r := &run{big: true, deadline: time.Now().Add(time.Minute), splits: make([]evaluate.Split, 2), metric: evaluate.RMSE{}, emit: func(Event) {}}
	r.o.TimeBudget = time.Minute // the final phase keeps 6 s: 54 s left
	gbdt := models.Spec{Name: "gbdt", TimeLimit: "time_limit"}
	tr := &trial{spec: gbdt, params: models.Params{}}
	assert.True(t, r.capToFit(tr, 100*time.Second))
	assert.InDelta(t, 0.8*54, tr.limitSec, 0.5, "four fifths of the time before the final phase")
	assert.InDelta(t, tr.limitSec, tr.estSec, 1e-9)
	assert.InDelta(t, 100, tr.uncapped, 1e-9)
	assert.Equal(t, tr.limitSec/2, r.modelParams(tr, 0)["time_limit"], "the limit is shared by the folds")
	assert.Contains(t, r.row(tr).Note, "capped at 43")

	assert.False(t, r.capToFit(&trial{spec: gbdt, params: models.Params{}}, 300*time.Second), "under a fifth of the estimate")
	assert.False(t, r.capToFit(&trial{spec: gbdt, params: models.Params{"time_limit": 5.0}}, 100*time.Second), "the trial sets its own limit")
	assert.False(t, r.capToFit(&trial{spec: models.Spec{Name: "random_forest"}, params: models.Params{}}, 100*time.Second), "no time limit to stop at")
	small := &run{deadline: r.deadline, splits: r.splits}
	assert.False(t, small.capToFit(&trial{spec: gbdt, params: models.Params{}}, 100*time.Second), "small tables keep their results independent of the clock")
	r.finished(&trial{spec: gbdt, status: evaluate.StatusOK, params: models.Params{}})
	assert.False(t, r.capToFit(&trial{spec: gbdt, params: models.Params{}}, 100*time.Second), "only the family's first success is capped")
}
