package planner

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/hyperopt"
	"github.com/automl-agent/automl/models"
)

func validPlan(t *testing.T, b *Brief) *Plan {
	t.Helper()
	p := heur(t, b)
	require.NoError(t, Validate(p, b))
	return p
}

func TestValidateProblems(t *testing.T) {
	b := briefOf(1000, 2, time.Minute, fakeModels())
	b.Fixed = Fixed{Repeats: 3, DisableEnsemble: true}
	cases := []struct {
		name   string
		change func(p *Plan)
		want   []string
	}{
		{"unknown model", func(p *Plan) { p.Trials[0] = Config{Model: "catboostx"} },
			[]string{`trials[0]: model "catboostx" is not a candidate; choose from logistic, gbdt`}},
		{"baseline is not a trial", func(p *Plan) { p.Trials[0] = Config{Model: "prior"} },
			[]string{`trials[0]: model "prior" is not a candidate`}},
		{"unknown param", func(p *Plan) { p.Trials[0] = Config{Model: "logistic", Params: models.Params{"alpha": 1.0}} },
			[]string{`trials[0]: model "logistic" has no parameter "alpha"; known: C`}},
		{"out of range", func(p *Plan) { p.Trials[1] = Config{Model: "gbdt", Params: models.Params{"learning_rate": 3.0}} },
			[]string{`trials[1]: model "gbdt": parameter "learning_rate": 3 is outside [0.01, 0.3]`}},
		{"not an integer", func(p *Plan) { p.Trials[1] = Config{Model: "gbdt", Params: models.Params{"max_leaves": 31.5}} },
			[]string{`parameter "max_leaves": 31.5 is not an integer`}},
		{"bad choice", func(p *Plan) { p.Trials[1] = Config{Model: "gbdt", Params: models.Params{"max_depth": 5}} },
			[]string{`parameter "max_depth": 5 is not one of [0, 4, 6, 8, 12]`}},
		{"empty trials", func(p *Plan) { p.Trials = nil }, []string{"trials: empty"}},
		{"folds", func(p *Plan) { p.Validation.Folds = 1 }, []string{"validation.folds is 1, want >= 2"}},
		{"too many folds", func(p *Plan) { p.Validation.Folds = 1001 }, []string{"validation.folds is 1001, more than the 1000 rows"}},
		{"fixed repeats", func(p *Plan) { p.Validation.Repeats = 2 }, []string{"validation.repeats is 2 but the caller fixed it at 3"}},
		{"final fit", func(p *Plan) { p.Validation.FinalFit = "boost" }, []string{`validation.final_fit is "boost"`}},
		{"ensemble disabled", func(p *Plan) { p.Ensemble = Ensemble{Method: "greedy", Candidates: 5, PerFamily: 1} },
			[]string{`ensemble.method is "greedy" but the caller disabled ensembles`}},
		{"unknown column", func(p *Plan) { p.Columns.Drop = []string{"nope"} }, []string{`columns.drop: "nope" is not an input column`}},
		{"tuning families", func(p *Plan) { p.Tuning.Families = []string{"svm"} }, []string{`tuning.families: model "svm" is not a candidate`}},
		{"narrowed space", func(p *Plan) {
			p.Tuning.Spaces = map[string]hyperopt.Space{"gbdt": {{Name: "learning_rate", Kind: hyperopt.Float, Low: 0.001, High: 0.1}}}
		}, []string{`tuning.spaces["gbdt"]: parameter "learning_rate": [0.001, 0.1] is not inside [0.01, 0.3]`}},
		{"version", func(p *Plan) { p.Version = 9 }, []string{"version is 9, want 1"}},
		{"reserve", func(p *Plan) { p.Reserve = 0.9 }, []string{"reserve is 0.9"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := validPlan(t, b)
			c.change(p)
			err := Validate(p, b)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidPlan)
			var ve *ValidationError
			require.True(t, errors.As(err, &ve))
			require.Len(t, ve.Problems, len(c.want), ve.Numbered())
			for i, w := range c.want {
				assert.Contains(t, ve.Problems[i], w)
			}
			assert.Contains(t, ve.Numbered(), "1. ")
		})
	}
}

func TestValidateNumbersEveryProblem(t *testing.T) {
	b := briefOf(1000, 2, time.Minute, fakeModels())
	p := validPlan(t, b)
	p.Trials = append(p.Trials, Config{Model: "svm"}, Config{Model: "gbdt", Params: models.Params{"learning_rate": -1.0}})
	p.Validation.Folds = 0
	err := Validate(p, b)
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Len(t, ve.Problems, 3)
	assert.Contains(t, err.Error(), "1. trials[4]")
	assert.Contains(t, err.Error(), "3. validation.folds")
}

func TestValidateCheck(t *testing.T) {
	// Params outside the space are judged by the factory when Check is set.
	ms := fakeModels()
	ms[2].Check = func(p models.Params) error {
		return p.Unknown("num_rounds", "early_stopping")
	}
	b := briefOf(1000, 2, time.Minute, ms)
	p := validPlan(t, b)
	p.Trials = []Config{{Model: "gbdt", Params: models.Params{"early_stopping": true, "learning_rate": 0.1}}}
	require.NoError(t, Validate(p, b))
	p.Trials = []Config{{Model: "gbdt", Params: models.Params{"nrounds": 3}}}
	err := Validate(p, b)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown parameter "nrounds"`)

	// Without Check, portfolio names are known too.
	ms[2].Check = nil
	p.Trials = []Config{{Model: "gbdt", Params: models.Params{"num_rounds": 100}}}
	require.NoError(t, Validate(p, b))
	p.Trials = []Config{{Model: "gbdt", Params: models.Params{"early_stopping": true}}}
	require.Error(t, Validate(p, b))
}

func TestValidateRegistryChecks(t *testing.T) {
	ms := registryModels(t, 1000, 5, 2)
	b := briefOf(1000, 2, time.Minute, ms)
	p := validPlan(t, b)
	p.Trials = []Config{
		{Model: "gbdt", Params: models.Params{"num_rounds": 300, "learning_rate": 0.05}},
		{Model: "random_forest", Params: models.Params{"max_features": "sqrt", "bootstrap": false}},
	}
	require.NoError(t, Validate(p, b))
	p.Trials[0].Params["num_rounds"] = "many"
	require.Error(t, Validate(p, b))
}

func TestNormalize(t *testing.T) {
	b := briefOf(1000, 2, time.Minute, fakeModels())
	b.Fixed = Fixed{Folds: 4, FinalFit: "refit", MaxTunedPerModel: -1}
	p := &Plan{
		Trials: []Config{
			{Model: "gbdt", Params: models.Params{"learning_rate": 0.9, "max_leaves": 3.4, "max_depth": 8.0}},
			{Model: "gbdt", Params: models.Params{"learning_rate": 0.3, "max_leaves": 4, "max_depth": 8}}, // same after clamping
			{Model: "logistic", Params: models.Params{"C": "100"}},
			{Model: "svm", Params: models.Params{"C": 1.0}}, // left for Validate
		},
		Tuning:     Tuning{Top: 3, TrialsPerFamily: 64, Spaces: map[string]hyperopt.Space{"gbdt": {{Name: "learning_rate", Kind: hyperopt.Float, Low: 0.5, High: 0.001}}}},
		Validation: Validation{Folds: 10, Repeats: 0},
		Columns:    Columns{Drop: []string{"x1", "x1"}},
	}
	notes := Normalize(p, b)
	assert.NotEmpty(t, notes)
	assert.Equal(t, notes, p.Notes)
	assert.Equal(t, Version, p.Version)
	require.Len(t, p.Trials, 3)
	assert.Equal(t, models.Params{"learning_rate": 0.3, "max_leaves": 4, "max_depth": 8}, p.Trials[0].Params)
	assert.Equal(t, 100.0, p.Trials[1].Params["C"])
	assert.Equal(t, "svm", p.Trials[2].Model)
	assert.Equal(t, Validation{Folds: 4, Repeats: 2, FinalFit: "refit"}, p.Validation)
	assert.Zero(t, p.Tuning.TrialsPerFamily)
	assert.Equal(t, hyperopt.Space{{Name: "learning_rate", Kind: hyperopt.Float, Low: 0.01, High: 0.3, Log: true}}, p.Tuning.Spaces["gbdt"])
	assert.Equal(t, "greedy", p.Ensemble.Method)
	assert.InDelta(t, 0.25, p.Reserve, 1e-12)
	assert.Equal(t, []string{"x1"}, p.Columns.Drop)

	err := Validate(p, b)
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, []string{`trials[2]: model "svm" is not a candidate; choose from logistic, gbdt`}, ve.Problems)
	assert.Nil(t, Normalize(nil, b))
}

func TestPlanJSONRoundTrip(t *testing.T) {
	b := briefOf(5000, 2, time.Minute, registryModels(t, 5000, 8, 2))
	p := validPlan(t, b)
	data, err := json.Marshal(p)
	require.NoError(t, err)
	var q Plan
	require.NoError(t, json.Unmarshal(data, &q))
	Normalize(&q, b)
	require.NoError(t, Validate(&q, b))
	assert.Equal(t, len(p.Trials), len(q.Trials))
	for i := range p.Trials {
		assert.True(t, sameConfig(p.Trials[i], q.Trials[i]), fmt.Sprint(i))
	}
}

func FuzzPlanJSON(f *testing.F) {
	f.Add(`{"version":1,"trials":[{"model":"gbdt","params":{"learning_rate":0.5}}],"validation":{"folds":3,"repeats":1,"final_fit":"bag"}}`)
	f.Add(`{"trials":[{"model":"x"}],"tuning":{"spaces":{"gbdt":[{"name":"learning_rate","kind":0,"low":2,"high":-1}]}}}`)
	f.Add(`{"trials":[{"model":"gbdt","params":{"max_depth":"8","max_leaves":1e300}}],"reserve":-3}`)
	b := briefOf(1000, 2, time.Minute, fakeModels())
	f.Fuzz(func(t *testing.T, s string) {
		var p Plan
		if json.Unmarshal([]byte(s), &p) != nil {
			return
		}
		Normalize(&p, b)
		_ = Validate(&p, b)
		Normalize(&p, b) // idempotent enough not to panic
	})
}
