package automl_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/evaluate"
	"github.com/automl-agent/automl/llm"
	"github.com/automl-agent/automl/llm/llmtest"
	"github.com/automl-agent/automl/planner"
)

// llmPlanner returns an LLM planner talking to srv with fast retries.
func llmPlanner(t *testing.T, srv *llmtest.Server) *planner.LLM {
	t.Helper()
	c, err := llm.New(llm.Config{Provider: llm.ProviderLocal, BaseURL: srv.BaseURL(), Model: "test-model",
		Retry: llm.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}})
	require.NoError(t, err)
	return &planner.LLM{Client: c}
}

// twoFamilies is a plan reply naming two families with custom
// configurations, no tuning and no ensemble.
func twoFamilies() map[string]any {
	return map[string]any{
		"trials": []any{
			map[string]any{"model": "gbdt", "params": []any{
				map[string]any{"name": "learning_rate", "value": 0.07},
				map[string]any{"name": "max_leaves", "value": 9},
				map[string]any{"name": "num_rounds", "value": 60},
			}},
			map[string]any{"model": "logistic", "params": []any{map[string]any{"name": "C", "value": 3.0}}},
			map[string]any{"model": "logistic", "params": []any{map[string]any{"name": "C", "value": 0.05}}},
		},
		"tuning":     map[string]any{"families": []any{}, "top": 0, "trials_per_family": 0, "spaces": []any{}},
		"validation": map[string]any{"folds": 4, "repeats": 1, "final_fit": "bag"},
		"ensemble":   map[string]any{"method": "greedy", "candidates": 10, "per_family": 3, "stack_members": 4},
		"columns":    map[string]any{"drop": []any{}, "categorical": []any{}, "text": []any{}},
		"reserve":    0.1,
		"rationale":  "Boosting and a linear model to blend.",
	}
}

// A scripted LLM plan that names two families with custom configurations
// makes Fit train exactly those (after the baseline), with the plan's
// folds, and records the planner that ran.
func TestLLMPlanTrainsExactlyItsTrials(t *testing.T) {
	refined := map[string]any{"configs": []any{
		map[string]any{"model": "gbdt", "params": []any{map[string]any{"name": "learning_rate", "value": 0.2}, map[string]any{"name": "num_rounds", "value": 40}}},
	}}
	srv := llmtest.NewServer(t, llmtest.JSON(twoFamilies()), llmtest.JSON(refined), llmtest.Text("gbdt won; try more rows."))
	srv.SetDefault(llmtest.Error(500, "server_error", "no more replies scripted"))
	f := readCSV(t, synthCSV(400, "binary", 3))
	defer f.Release()
	res, err := automl.New(automl.Options{TimeBudget: 30 * time.Second, Seed: 1, Planner: llmPlanner(t, srv), DisableImportance: true}).Fit(t.Context(), f, "target")
	require.NoError(t, err)
	assert.Equal(t, "llm", res.Planning.Planner)
	assert.Empty(t, res.Planning.Fallbacks)
	var got []string
	for _, row := range res.Leaderboard.Rows {
		if row.Note == "ensemble" || row.Model == "ensemble" || row.Model == "stack" || len(row.Members) > 0 {
			continue
		}
		got = append(got, fmt.Sprintf("%s %v", row.Model, row.Params))
	}
	slices.Sort(got)
	assert.Equal(t, []string{
		"gbdt map[learning_rate:0.07 max_leaves:9 num_rounds:60]",
		"gbdt map[learning_rate:0.2 num_rounds:40]", // the refinement
		"logistic map[C:0.05]",
		"logistic map[C:3]",
		"prior map[]",
	}, got)
	assert.Equal(t, 4, res.Options.Folds)
	assert.Equal(t, 1, res.Options.Repeats)
	assert.Contains(t, res.Insights, "gbdt won")
	assert.Equal(t, 3, srv.Count()) // plan, refinement, insights
}

// Every fault of the LLM server ends in a plan (repaired, or the
// heuristic's with the reason recorded), and Fit still succeeds within
// its budget.
func TestLLMFaultsFallBackWithinBudget(t *testing.T) {
	bad := twoFamilies()
	bad["trials"] = []any{map[string]any{"model": "deep_forest_9000", "params": []any{}}}
	cases := []struct {
		name     string
		replies  []llmtest.Reply
		fallback bool
	}{
		{"hang", []llmtest.Reply{llmtest.Hang()}, true},
		{"429 then plan", []llmtest.Reply{llmtest.RateLimited("0"), llmtest.JSON(twoFamilies())}, false},
		{"500 every time", []llmtest.Reply{llmtest.Error(500, "server_error", "down"), llmtest.Error(500, "server_error", "down")}, true},
		{"truncated", []llmtest.Reply{llmtest.Truncated(`{"trials": [{"model": "gb`)}, true},
		{"malformed then repaired", []llmtest.Reply{llmtest.Malformed(), llmtest.JSON(twoFamilies())}, false},
		{"hallucinated model", []llmtest.Reply{llmtest.JSON(bad), llmtest.JSON(bad), llmtest.JSON(bad)}, true},
		{"200 with error", []llmtest.Reply{llmtest.ErrorIn200(401, "no credits")}, true},
		{"401", []llmtest.Reply{llmtest.Error(401, "invalid_api_key", "bad key")}, true},
	}
	f := readCSV(t, synthCSV(300, "binary", 4))
	defer f.Release()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, tc.replies...)
			srv.SetDefault(llmtest.Error(400, "invalid_request_error", "script ran out"))
			budget := 6 * time.Second
			t0 := time.Now()
			res, err := automl.New(automl.Options{TimeBudget: budget, Seed: 1, Planner: llmPlanner(t, srv), DisableImportance: true}).Fit(t.Context(), f, "target")
			took := time.Since(t0)
			require.NoError(t, err)
			require.NotNil(t, res.Predictor)
			assert.LessOrEqual(t, took, budget+time.Second, "Fit overran its budget")
			if tc.fallback {
				assert.Equal(t, "heuristic", res.Planning.Planner)
				require.NotEmpty(t, res.Planning.Fallbacks)
			} else {
				assert.Equal(t, "llm", res.Planning.Planner, "fallbacks: %v", res.Planning.Fallbacks)
			}
		})
	}
}

// No cell value reaches the LLM: sentinel strings planted in a
// categorical column, a text column and the class labels appear in no
// request body, through Fit (planning, refinement and insights).
func TestLLMNeverSeesCells(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.JSON(twoFamilies()))
	srv.SetDefault(llmtest.Text("Boosting won; nothing to add."))
	rng := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	b.WriteString("x,city,note,label\n")
	for i := range 240 {
		x := rng.NormFloat64()
		city := []string{"SENTINELCITYA", "SENTINELCITYB", "SENTINELCITYC"}[i%3]
		label := "SENTINELLABELNO"
		if x+0.3*rng.NormFloat64() > 0 {
			label = "SENTINELLABELYES"
		}
		fmt.Fprintf(&b, "%.3f,%s,SENTINELTEXT word%d and more words here,%s\n", x, city, i%17, label)
	}
	f := readCSV(t, b.String())
	defer f.Release()
	res, err := automl.New(automl.Options{TimeBudget: 20 * time.Second, Seed: 1, Planner: llmPlanner(t, srv), DisableImportance: true}).Fit(t.Context(), f, "label")
	require.NoError(t, err)
	require.NotNil(t, res.Predictor)
	require.GreaterOrEqual(t, srv.Count(), 1)
	for _, req := range srv.Requests() {
		assert.NotContains(t, string(req.Body), "SENTINEL", "request %d carries a cell value", req.Index)
	}
}

// The default planner keeps today's decisions: with MaxTrials, the
// leaderboard of a default run equals one with planner.Heuristic given
// explicitly, and the Result records the plan.
func TestDefaultPlannerIsHeuristic(t *testing.T) {
	f := readCSV(t, synthCSV(300, "regression", 5))
	defer f.Release()
	run := func(p planner.Planner) *automl.Result {
		res, err := automl.New(automl.Options{MaxTrials: 12, Seed: 2, Planner: p, DisableImportance: true}).Fit(context.Background(), f, "target")
		require.NoError(t, err)
		return res
	}
	a, b := run(nil), run(planner.Heuristic{})
	assert.JSONEq(t, leaderboardJSON(t, a.Leaderboard), leaderboardJSON(t, b.Leaderboard))
	require.NotNil(t, a.Plan)
	assert.Equal(t, "heuristic", a.Planning.Planner)
	assert.Equal(t, 5, a.Options.Folds)
	assert.Equal(t, 5, a.Options.Repeats) // under 1,000 rows
}

// A plan with a holdout trains each trial once, scores it on the held-out
// rows, and still blends and predicts, for every task.
func TestHoldoutPlan(t *testing.T) {
	holdout := planner.PlannerFunc(func(ctx context.Context, b *planner.Brief) (*planner.Plan, error) {
		p, err := planner.Heuristic{}.Plan(ctx, b)
		if err != nil {
			return nil, err
		}
		p.Planner = "holdout"
		p.Validation.Holdout = 0.25
		return p, nil
	})
	for _, kind := range []string{"binary", "multiclass", "regression"} {
		t.Run(kind, func(t *testing.T) {
			f := readCSV(t, synthCSV(600, kind, 9))
			defer f.Release()
			var folds []int
			res, err := automl.New(automl.Options{MaxTrials: 10, Seed: 3, Planner: holdout}).Fit(t.Context(), f, "target")
			require.NoError(t, err)
			assert.Equal(t, "holdout", res.Planning.Planner)
			assert.Equal(t, 1, res.Options.Folds)
			for _, row := range res.Leaderboard.Rows {
				if row.Status == evaluate.StatusOK && len(row.FoldScores) > 0 {
					folds = append(folds, len(row.FoldScores))
				}
			}
			require.NotEmpty(t, folds)
			for _, n := range folds {
				assert.Equal(t, 1, n)
			}
			best := res.Leaderboard.Rows[0]
			switch kind {
			case "regression":
				assert.Greater(t, best.Score, 0.0)
				assert.Less(t, best.Score, 2.0, "holdout RMSE")
			default:
				assert.Greater(t, best.Score, 0.7, "holdout accuracy")
			}
			preds, err := res.Predictor.Predict(t.Context(), f)
			require.NoError(t, err)
			assert.Equal(t, 600, max(len(preds.Values), len(preds.Labels)))
			assert.NotEmpty(t, res.Importance)
		})
	}
}

// Options.Seed reaches the models: two seeds give two different runs,
// each reproducible (the random forest's fold models draw their own
// streams).
func TestSeedReachesModels(t *testing.T) {
	f := readCSV(t, synthCSV(300, "binary", 11))
	defer f.Release()
	run := func(seed uint64) string {
		res, err := automl.New(automl.Options{MaxTrials: 4, Seed: seed, Include: []string{"random_forest"}, Repeats: 1, DisableImportance: true}).Fit(t.Context(), f, "target")
		require.NoError(t, err)
		return leaderboardJSON(t, res.Leaderboard)
	}
	a, b := run(1), run(2)
	assert.Equal(t, a, run(1))
	assert.NotEqual(t, a, b)
}

// Small fixes: a misspelled Drop column is an error, a zero Predictor's
// Save is an error (not a nil dereference), and Result.Options says what
// ran.
func TestOptionsResolvedAndChecked(t *testing.T) {
	f := readCSV(t, synthCSV(200, "binary", 12))
	defer f.Release()
	_, err := automl.New(automl.Options{MaxTrials: 2, Drop: []string{"colour"}}).Fit(t.Context(), f, "target")
	require.ErrorIs(t, err, automl.ErrInput)
	assert.Contains(t, err.Error(), `"colour"`)

	var zero automl.Predictor
	var buf strings.Builder
	assert.ErrorIs(t, zero.Save(&buf), automl.ErrPredict)

	res, err := automl.New(automl.Options{MaxTrials: 3, Drop: []string{"color"}, DisableImportance: true}).Fit(t.Context(), f, "target")
	require.NoError(t, err)
	assert.Equal(t, "accuracy", res.Options.Metric)
	assert.Equal(t, 5, res.Options.Folds)
	assert.Equal(t, 5, res.Options.Repeats)
	assert.Equal(t, -1, res.Options.MaxTunedPerModel) // no tuning below 2,000 rows
	assert.Equal(t, automl.FinalBag, res.Options.FinalFit)
}

// A plan's time shares cap a family: with a tiny share for random forests,
// their trials are refused as over their share while others run.
func TestPlanSharesCapFamilies(t *testing.T) {
	shares := planner.PlannerFunc(func(ctx context.Context, b *planner.Brief) (*planner.Plan, error) {
		p, err := planner.Heuristic{}.Plan(ctx, b)
		if err != nil {
			return nil, err
		}
		p.Planner = "shares"
		p.Shares = map[string]float64{"random_forest": 0.00001}
		return p, nil
	})
	f := readCSV(t, synthCSV(400, "regression", 13))
	defer f.Release()
	res, err := automl.New(automl.Options{TimeBudget: 8 * time.Second, Seed: 1, Planner: shares, DisableImportance: true}).Fit(t.Context(), f, "target")
	require.NoError(t, err)
	require.Equal(t, "shares", res.Planning.Planner)
	var refused, ran int
	for _, row := range res.Leaderboard.Rows {
		switch {
		case row.Model == "random_forest":
			assert.Equal(t, evaluate.StatusSkipped, row.Status)
			assert.Contains(t, row.Error, "over its share")
			refused++
		case row.Status == evaluate.StatusOK && row.Model != "prior":
			ran++
		}
	}
	assert.Positive(t, refused)
	assert.Positive(t, ran)
}
