package planner

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
)

func TestHeuristicValidation(t *testing.T) {
	cases := []struct {
		name            string
		rows            int
		fixed           Fixed
		folds, repeats  int
		final           string
		reserve         float64
		tuned, tunedTop int
	}{
		{name: "tiny", rows: 3, folds: 3, repeats: 5, final: "bag", reserve: 0.1},
		{name: "999 rows", rows: 999, folds: 5, repeats: 5, final: "bag", reserve: 0.1},
		{name: "1000 rows", rows: 1000, folds: 5, repeats: 2, final: "bag", reserve: 0.1},
		{name: "1999 rows no tuning", rows: 1999, folds: 5, repeats: 2, final: "bag", reserve: 0.1},
		{name: "2000 rows tuning", rows: 2000, folds: 5, repeats: 2, final: "bag", reserve: 0.1, tuned: 64, tunedTop: 3},
		{name: "9999 rows", rows: 9999, folds: 5, repeats: 2, final: "bag", reserve: 0.1, tuned: 64, tunedTop: 3},
		{name: "10000 rows", rows: 10_000, folds: 5, repeats: 1, final: "bag", reserve: 0.1, tuned: 64, tunedTop: 3},
		{name: "19999 rows", rows: 19_999, folds: 5, repeats: 1, final: "bag", reserve: 0.1, tuned: 64, tunedTop: 3},
		{name: "20000 rows refit", rows: 20_000, folds: 5, repeats: 1, final: "refit", reserve: 0.25, tuned: 64, tunedTop: 3},
		{name: "100000 rows", rows: 100_000, folds: 5, repeats: 1, final: "refit", reserve: 0.25, tuned: 64, tunedTop: 3},
		{name: "100001 rows 3 folds", rows: 100_001, folds: 3, repeats: 1, final: "refit", reserve: 0.25, tuned: 64, tunedTop: 3},
		{name: "fixed kept", rows: 50_000, fixed: Fixed{Folds: 7, Repeats: 3, FinalFit: "bag", MaxTunedPerModel: 10},
			folds: 7, repeats: 3, final: "bag", reserve: 0.1, tuned: 10, tunedTop: 3},
		{name: "fixed tuning on small data", rows: 500, fixed: Fixed{MaxTunedPerModel: 12}, folds: 5, repeats: 5, final: "bag", reserve: 0.1, tuned: 12, tunedTop: 3},
		{name: "tuning off", rows: 50_000, fixed: Fixed{MaxTunedPerModel: -1}, folds: 5, repeats: 1, final: "refit", reserve: 0.25},
		{name: "groups cap folds", rows: 5000, fixed: Fixed{Groups: 3}, folds: 3, repeats: 2, final: "bag", reserve: 0.1, tuned: 64, tunedTop: 3},
		{name: "fixed refit on small data", rows: 100, fixed: Fixed{FinalFit: "refit"}, folds: 5, repeats: 5, final: "refit", reserve: 0.25},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := briefOf(c.rows, 2, 0, fakeModels())
			b.Fixed = c.fixed
			p := heur(t, b)
			assert.Equal(t, Version, p.Version)
			assert.Equal(t, "heuristic", p.Planner)
			assert.Equal(t, Validation{Folds: c.folds, Repeats: c.repeats, FinalFit: c.final}, p.Validation)
			assert.InDelta(t, c.reserve, p.Reserve, 1e-12)
			assert.Equal(t, c.tuned, p.Tuning.TrialsPerFamily)
			assert.Equal(t, c.tunedTop, p.Tuning.Top)
			assert.Equal(t, Ensemble{Method: "greedy", Candidates: 25, PerFamily: 5, StackMembers: 8}, p.Ensemble)
			if c.rows >= 2 {
				require.NoError(t, Validate(p, b))
			}
		})
	}
}

func TestNilBrief(t *testing.T) {
	for _, pl := range []Planner{Heuristic{}, Heuristic{Adaptive: true}, Uniform{}} {
		p, err := pl.Plan(t.Context(), nil)
		require.NoError(t, err)
		assert.Empty(t, p.Trials)
	}
	assert.False(t, Crowded(nil))
	assert.Error(t, Validate(nil, nil))
	assert.Error(t, Validate(&Plan{}, nil))
}

func TestHeuristicEnsembleDisabled(t *testing.T) {
	b := briefOf(500, 2, 0, fakeModels())
	b.Fixed.DisableEnsemble = true
	p := heur(t, b)
	assert.Equal(t, "none", p.Ensemble.Method)
	require.NoError(t, Validate(p, b))
}

func names(cs []Config) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Model
	}
	return out
}

func TestHeuristicRoundRobin(t *testing.T) {
	// Plenty of time: depth 0 of every model in the given order, then
	// depth 1; the baseline is never listed.
	b := briefOf(500, 2, time.Hour, fakeModels())
	p := heur(t, b)
	assert.False(t, Crowded(b))
	assert.Equal(t, []string{"logistic", "gbdt", "logistic", "gbdt"}, names(p.Trials))
	assert.Equal(t, models.Params{"C": 0.1}, p.Trials[2].Params)
	// No budget is never crowded.
	b.Budget = 0
	assert.False(t, Crowded(b))
}

func TestHeuristicCrowded(t *testing.T) {
	ms := []ModelInfo{
		{Name: "prior", Seconds: []float64{0}},
		{Name: "knn", Portfolio: []models.Params{{"k": 5}, {"k": 15}}, Seconds: []float64{1, 1}},
		{Name: "cart", Portfolio: []models.Params{{}, {"max_depth": 5}}, Seconds: []float64{1, 1}},
		{Name: "ridge", Portfolio: []models.Params{{}, {"alpha": 10.0}}, Seconds: []float64{1, 1}},
		{Name: "extra_trees", Portfolio: []models.Params{{}, {"n_estimators": 300}}, Seconds: []float64{5, 5}},
		{Name: "random_forest", Portfolio: []models.Params{{}, {"max_features": "sqrt"}}, Seconds: []float64{5, 5}},
		{Name: "gbdt", Portfolio: []models.Params{{}, {"learning_rate": 0.05}, {"learning_rate": 0.1}}, Seconds: []float64{10, 10, 10}},
	}
	// sum of first entries 23 s over 2 cores = 11.5 s > 0.25 × 40 s.
	b := briefOf(80_000, 0, 40*time.Second, ms)
	require.True(t, Crowded(b))
	p := heur(t, b)
	// keys (weight × (depth+1), strength): gbdt (1,0) (2,0) (3,0); rf (2,1)
	// (4,1); et (2,2) (4,2); ridge (2,3) (4,3); cart (3,4) (6,4); knn (4,6) (8,6).
	assert.Equal(t, []string{"gbdt", "gbdt", "random_forest", "extra_trees", "ridge", "gbdt", "cart",
		"random_forest", "extra_trees", "ridge", "knn", "cart", "knn"}, names(p.Trials))
	// Forests scaled for big regression data; values set in the entry kept.
	assert.Equal(t, models.Params{"max_features": 0.33, "max_samples": 0.625, "n_estimators": 50}, p.Trials[2].Params)
	assert.Equal(t, models.Params{"max_features": 0.33, "n_estimators": 50, "min_samples_leaf": 8}, p.Trials[3].Params)
	assert.Equal(t, models.Params{"max_features": "sqrt", "max_samples": 0.625, "n_estimators": 50}, p.Trials[7].Params)
	// The portfolio's own maps are not modified.
	assert.Equal(t, models.Params{}, ms[5].Portfolio[0])

	// With more cores the same estimates fit: round robin again.
	b.Cores = 8
	assert.False(t, Crowded(b))
	// ... unless the table is big enough to train one trial at a time.
	b.Facts.Rows = 250_000 // × 8 columns = 2,000,000 cells
	assert.True(t, Crowded(b))
	b.Concurrency = 8 // the root's own count wins
	assert.False(t, Crowded(b))

	// Classification keeps max_features; rows <= 50,000 get no max_samples.
	c := briefOf(50_000, 3, 40*time.Second, ms)
	p = heur(t, c)
	for _, tr := range p.Trials {
		if tr.Model == "random_forest" && len(tr.Params) == 0 {
			continue
		}
		assert.NotContains(t, tr.Params, "max_samples", tr.Model)
		if tr.Model != "random_forest" {
			assert.NotContains(t, tr.Params, "max_features", tr.Model)
		}
	}
}

func TestHeuristicRegistryModels(t *testing.T) {
	// The real registry: every candidate's portfolio is listed, and the
	// plan validates, with Check judging params outside the spaces.
	ms := registryModels(t, 5000, 10, 2)
	b := briefOf(5000, 2, time.Hour, ms)
	p := heur(t, b)
	want := 0
	for _, m := range ms {
		if m.Name != BaselineModel {
			want += max(len(m.Portfolio), 1)
		}
	}
	assert.Len(t, p.Trials, want)
	require.NoError(t, Validate(p, b))
}

func TestHeuristicCrowdedRegistryValidates(t *testing.T) {
	// Scaled forests (max_features 0.33 is not among the space's choices,
	// max_samples not in the space) pass: the factory accepts them.
	ms := registryModels(t, 80_000, 20, 0)
	b := briefOf(80_000, 0, 10*time.Second, ms)
	require.True(t, Crowded(b))
	p := heur(t, b)
	require.NoError(t, Validate(p, b))
	var scaled bool
	for _, tr := range p.Trials {
		scaled = scaled || tr.Params["max_samples"] != nil
	}
	assert.True(t, scaled)
	// ... and a value the factory rejects does not.
	p.Trials[0] = Config{Model: "random_forest", Params: models.Params{"max_features": "most"}}
	require.Error(t, Validate(p, b))
}

func TestUniform(t *testing.T) {
	ms := registryModels(t, 5000, 10, 0)
	b := briefOf(5000, 0, 10*time.Second, ms)
	p, err := Uniform{}.Plan(context.Background(), b)
	require.NoError(t, err)
	assert.Equal(t, "uniform", p.Planner)
	assert.Equal(t, roundRobin(b, false, weight), p.Trials)
	assert.Zero(t, p.Tuning.Top)
	assert.Equal(t, 64, p.Tuning.TrialsPerFamily)
	for _, m := range ms {
		if m.Name != BaselineModel && len(m.Space) > 0 {
			assert.Contains(t, p.Tuning.Families, m.Name)
		}
	}
	require.NoError(t, Validate(p, b))
}

func TestHeuristicAdaptive(t *testing.T) {
	t.Run("off by default", func(t *testing.T) {
		b := briefOf(100, 2, 0, fakeModels())
		b.Facts.Columns[0].Kind = "id"
		p := heur(t, b)
		assert.Empty(t, p.Columns.Drop)
		assert.Equal(t, "greedy", p.Ensemble.Method)
		assert.Empty(t, p.Notes)
	})
	t.Run("ids dropped, tiny data without stacker", func(t *testing.T) {
		b := briefOf(100, 2, 0, fakeModels())
		b.Facts.Columns[0].Kind = "id"
		b.Facts.Columns[0].Name, b.Facts.Columns[0].Original = "c1", "row_id"
		p, err := Heuristic{Adaptive: true}.Plan(t.Context(), b)
		require.NoError(t, err)
		assert.Equal(t, []string{"row_id"}, p.Columns.Drop)
		assert.Equal(t, "greedy_only", p.Ensemble.Method)
		assert.Len(t, p.Notes, 2)
		require.NoError(t, Validate(p, b))
	})
	t.Run("wide data drops knn", func(t *testing.T) {
		ms := append(fakeModels(), ModelInfo{Name: "knn", Portfolio: []models.Params{{"k": 5}}, Seconds: []float64{1}})
		b := briefOf(40, 2, 0, ms)
		for i := range 60 {
			b.Facts.Columns = append(b.Facts.Columns, ColumnFacts{Name: "w" + string(rune('a'+i%26)) + string(rune('a'+i/26)), Kind: "numeric"})
		}
		p, err := Heuristic{Adaptive: true}.Plan(t.Context(), b)
		require.NoError(t, err)
		assert.NotContains(t, names(p.Trials), "knn")
		assert.Contains(t, names(heur(t, b).Trials), "knn")
	})
	t.Run("many classes lift the forests when crowded", func(t *testing.T) {
		ms := []ModelInfo{
			{Name: "ridge", Portfolio: []models.Params{{}, {"alpha": 10.0}}, Seconds: []float64{1, 1}},
			{Name: "random_forest", Portfolio: []models.Params{{}, {"max_features": "sqrt"}}, Seconds: []float64{5, 5}},
			{Name: "gbdt", Portfolio: []models.Params{{}, {"learning_rate": 0.05}}, Seconds: []float64{30, 30}},
		}
		b := briefOf(5000, 12, 40*time.Second, ms)
		require.True(t, Crowded(b))
		assert.Equal(t, []string{"gbdt", "gbdt", "random_forest", "ridge", "random_forest", "ridge"}, names(heur(t, b).Trials))
		p, err := Heuristic{Adaptive: true}.Plan(t.Context(), b)
		require.NoError(t, err)
		assert.Equal(t, []string{"gbdt", "random_forest", "gbdt", "random_forest", "ridge", "ridge"}, names(p.Trials))
		b.Budget = time.Hour // not crowded: unchanged
		p, err = Heuristic{Adaptive: true}.Plan(t.Context(), b)
		require.NoError(t, err)
		assert.Equal(t, names(heur(t, b).Trials), names(p.Trials))
	})
	t.Run("rare class adds a repeat", func(t *testing.T) {
		b := briefOf(20_000, 2, 0, fakeModels())
		b.Facts.ClassBalance = []float64{0.9999, 0.0001} // 2 rows
		p, err := Heuristic{Adaptive: true}.Plan(t.Context(), b)
		require.NoError(t, err)
		assert.Equal(t, 2, p.Validation.Repeats)
		assert.Equal(t, 1, heur(t, b).Validation.Repeats)
	})
}

func BenchmarkHeuristicPlan(b *testing.B) {
	br := briefOf(50_000, 0, 30*time.Second, registryModels(b, 50_000, 20, 0))
	b.ReportAllocs()
	for b.Loop() {
		p, _ := Heuristic{}.Plan(context.Background(), br)
		if err := Validate(p, br); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPlanPrompt(b *testing.B) {
	br := briefOf(50_000, 0, 30*time.Second, registryModels(b, 50_000, 20, 0))
	def, _ := Heuristic{}.Plan(context.Background(), br)
	b.ReportAllocs()
	var n int
	for b.Loop() {
		sys, user, err := planPrompt(br, def, 0)
		if err != nil {
			b.Fatal(err)
		}
		s, _ := planSchema(br)
		n = len(sys) + len(user) + len(s)
	}
	b.ReportMetric(float64(n), "prompt-bytes")
}

// Big and crowded tables validate on one holdout split; fixed folds,
// fixed repeats, groups or plenty of time keep cross-validation.
func TestHeuristicHoldout(t *testing.T) {
	ms := []ModelInfo{
		{Name: "gbdt", Portfolio: []models.Params{{}}, Seconds: []float64{30}},
		{Name: "ridge", Portfolio: []models.Params{{}}, Seconds: []float64{2}},
	}
	b := briefOf(200_000, 0, 60*time.Second, ms)
	require.True(t, Crowded(b))
	p := heur(t, b)
	assert.Equal(t, HoldoutShare, p.Validation.Holdout)
	require.NoError(t, Validate(p, b))

	for name, change := range map[string]func(*Brief){
		"not big":        func(b *Brief) { b.Facts.Rows = BigRows },
		"plenty of time": func(b *Brief) { b.Budget = time.Hour },
		"fixed folds":    func(b *Brief) { b.Fixed.Folds = 5 },
		"fixed repeats":  func(b *Brief) { b.Fixed.Repeats = 1 },
		"groups":         func(b *Brief) { b.Fixed.Groups = 1000 },
	} {
		c := briefOf(200_000, 0, 60*time.Second, ms)
		change(c)
		assert.Zero(t, heur(t, c).Validation.Holdout, name)
	}

	// An out-of-range or forbidden holdout is invalid, and Normalize
	// turns it into cross-validation.
	p.Validation.Holdout = 0.9
	require.Error(t, Validate(p, b))
	Normalize(p, b)
	assert.Zero(t, p.Validation.Holdout)
	require.NoError(t, Validate(p, b))
}
