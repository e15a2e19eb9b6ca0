package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/llm/llmtest"
)

// clearEnv unsets every variable llm.FromEnv reads.
func clearEnv(t *testing.T) {
	for _, k := range []string{"OPENROUTER_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY",
		"AUTOML_LLM_PROVIDER", "AUTOML_LLM_BASE_URL", "AUTOML_LLM_MODEL"} {
		t.Setenv(k, "")
	}
}

func TestOffline(t *testing.T) {
	clearEnv(t)
	var out bytes.Buffer
	require.NoError(t, run(t.Context(), &out, false, 3*time.Second, ""))
	assert.Contains(t, out.String(), "No LLM configured")
	assert.Contains(t, out.String(), "insights:")
	assert.Contains(t, out.String(), `"planner": "heuristic"`)
	assert.Contains(t, out.String(), "planner heuristic, 0 repair rounds")
}

func TestWithServer(t *testing.T) {
	clearEnv(t)
	plan := map[string]any{
		"trials": []any{
			map[string]any{"model": "gbdt", "params": []any{map[string]any{"name": "learning_rate", "value": 0.05}}},
			map[string]any{"model": "logistic", "params": []any{map[string]any{"name": "C", "value": 0.5}}},
		},
		"tuning":     map[string]any{"families": []any{}, "top": 0, "trials_per_family": 0, "spaces": []any{}},
		"validation": map[string]any{"folds": 5, "repeats": 5, "final_fit": "bag"},
		"ensemble":   map[string]any{"method": "greedy", "candidates": 10, "per_family": 3, "stack_members": 4},
		"columns":    map[string]any{"drop": []any{}, "categorical": []any{}, "text": []any{}},
		"reserve":    0.1,
		"rationale":  "Small data: boosting and a linear model.",
	}
	srv := llmtest.NewServer(t, llmtest.JSON(plan))
	srv.SetDefault(llmtest.Text("gbdt and logistic tie; more rows would help."))
	t.Setenv("AUTOML_LLM_BASE_URL", srv.BaseURL())
	t.Setenv("AUTOML_LLM_MODEL", "local-model")
	var out bytes.Buffer
	require.NoError(t, run(t.Context(), &out, true, 3*time.Second, ""))
	assert.Contains(t, out.String(), `"planner": "llm"`)
	assert.Contains(t, out.String(), "planner llm, 0 repair rounds")
	assert.NotContains(t, out.String(), "fell back")
	// The plan (Fit's own planning hits the planner's cache), then Fit's
	// refinement and insights.
	require.GreaterOrEqual(t, srv.Count(), 2)
	for _, req := range srv.Requests() {
		assert.NotContains(t, string(req.Body), "education", "column names redacted")
	}
}
