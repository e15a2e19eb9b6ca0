package planner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/llm"
	"github.com/automl-agent/automl/llm/llmtest"
	"github.com/automl-agent/automl/models"
)

// client returns an llm client on srv with fast retries.
func client(t *testing.T, srv *llmtest.Server) *llm.OpenAI {
	t.Helper()
	c, err := llm.New(llm.Config{
		Provider: llm.ProviderOpenAI, APIKey: "test-key", BaseURL: srv.BaseURL(), Model: "test-model",
		Retry: llm.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond},
	})
	require.NoError(t, err)
	return c
}

// goodReply is a plan naming two families with custom configurations.
func goodReply() map[string]any {
	return map[string]any{
		"trials": []any{
			map[string]any{"model": "gbdt", "params": []any{
				map[string]any{"name": "learning_rate", "value": 0.07},
				map[string]any{"name": "max_leaves", "value": 31},
			}},
			map[string]any{"model": "logistic", "params": []any{map[string]any{"name": "C", "value": 3.0}}},
		},
		"tuning":     map[string]any{"families": []any{"gbdt"}, "top": 0, "trials_per_family": 20, "spaces": []any{}},
		"validation": map[string]any{"folds": 5, "repeats": 2, "final_fit": "bag"},
		"ensemble":   map[string]any{"method": "greedy", "candidates": 10, "per_family": 3, "stack_members": 4},
		"columns":    map[string]any{"drop": []any{}, "categorical": []any{}, "text": []any{}},
		"reserve":    0.1,
		"rationale":  "Boosting first, a linear model for the blend.",
	}
}

// with returns a copy of goodReply with path set to v.
func with(path string, v any) map[string]any {
	r := goodReply()
	parts := strings.Split(path, ".")
	m := r
	for _, p := range parts[:len(parts)-1] {
		m = m[p].(map[string]any)
	}
	m[parts[len(parts)-1]] = v
	return r
}

func wantGood(t *testing.T, p *Plan) {
	t.Helper()
	require.NotNil(t, p)
	assert.Equal(t, "llm", p.Planner)
	require.Len(t, p.Trials, 2)
	assert.Equal(t, Config{Model: "gbdt", Params: models.Params{"learning_rate": 0.07, "max_leaves": 31}}, p.Trials[0])
	assert.Equal(t, Config{Model: "logistic", Params: models.Params{"C": 3.0}}, p.Trials[1])
	assert.Equal(t, Tuning{Families: []string{"gbdt"}, TrialsPerFamily: 20}, p.Tuning)
	assert.Equal(t, Ensemble{Method: "greedy", Candidates: 10, PerFamily: 3, StackMembers: 4}, p.Ensemble)
}

func TestLLMGoodPlan(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.JSON(goodReply()))
	b := briefOf(3000, 2, time.Minute, fakeModels())
	plan, tr := PlanWithFallback(t.Context(), &LLM{Client: client(t, srv)}, b)
	wantGood(t, plan)
	assert.Empty(t, plan.Notes, "a good plan passes through unchanged")
	assert.Equal(t, "Boosting first, a linear model for the blend.", plan.Rationale)
	assert.Equal(t, Validation{Folds: 5, Repeats: 2, FinalFit: "bag"}, plan.Validation)
	assert.Equal(t, "llm", tr.Planner)
	assert.Empty(t, tr.Fallbacks)
	assert.Zero(t, tr.Repairs)
	assert.Equal(t, 1, tr.Usage.Calls)
	assert.Positive(t, tr.Usage.TotalTokens)
	assert.Same(t, plan, tr.Plan)

	// The request: strict json_schema with the candidates as an enum, the
	// facts and the default plan in the prompt, temperature 0.
	req, ok := srv.Last()
	require.True(t, ok)
	assert.Equal(t, "json_schema", req.Field("response_format", "type"))
	schema, err := json.Marshal(req.Field("response_format", "json_schema", "schema"))
	require.NoError(t, err)
	assert.Contains(t, string(schema), `"enum":["logistic","gbdt"]`)
	temp, ok := req.Number("temperature")
	assert.True(t, ok)
	assert.Zero(t, temp)
	require.Len(t, req.Messages, 2)
	assert.Contains(t, req.Messages[1].Content, `"default_plan"`)
	assert.Contains(t, req.Messages[1].Content, `"rows":3000`)
}

func TestLLMProviders(t *testing.T) {
	// Every preset's output mode (strict schema, flattened schema, schema
	// in the prompt) yields the same plan.
	for _, p := range []llm.Provider{llm.ProviderOpenRouter, llm.ProviderOpenAI, llm.ProviderAnthropic, llm.ProviderGemini, llm.ProviderOllama, llm.ProviderVLLM} {
		t.Run(string(p), func(t *testing.T) {
			srv := llmtest.NewServer(t, llmtest.JSON(goodReply()))
			c, err := llm.New(llm.Config{Provider: p, APIKey: "k", BaseURL: srv.BaseURL(), Model: "m"})
			require.NoError(t, err)
			b := briefOf(3000, 2, time.Minute, fakeModels())
			plan, tr := PlanWithFallback(t.Context(), &LLM{Client: c}, b)
			require.Empty(t, tr.Fallbacks)
			wantGood(t, plan)
			req, _ := srv.Last()
			if p == llm.ProviderAnthropic {
				assert.Nil(t, req.Field("response_format"))
				assert.Contains(t, req.Messages[0].Content, `"trials"`, "schema in the system prompt")
			} else {
				assert.NotNil(t, req.Field("response_format"))
			}
		})
	}
}

func TestPlanSchemaIsStrict(t *testing.T) {
	// Every object closed with every property required: StrictSchema has
	// nothing to change, and FlattenSchema neither (no $ref).
	b := briefOf(3000, 2, time.Minute, registryModels(t, 3000, 8, 2))
	s, err := planSchema(b)
	require.NoError(t, err)
	strict, err := llm.StrictSchema(s)
	require.NoError(t, err)
	assert.JSONEq(t, string(s), string(strict))
	flat, err := llm.FlattenSchema(s)
	require.NoError(t, err)
	assert.JSONEq(t, string(s), string(flat))
}

func TestLLMFaults(t *testing.T) {
	hallucinated := with("trials", []any{map[string]any{"model": "catboost", "params": []any{}}})
	cases := []struct {
		name      string
		replies   []llmtest.Reply
		fallback  string // "" = a repaired or direct plan
		requests  int
		repairs   int
		checkPlan func(t *testing.T, p *Plan)
	}{
		{name: "429 with Retry-After then a plan", replies: []llmtest.Reply{llmtest.RateLimited("0"), llmtest.JSON(goodReply())}, requests: 2},
		{name: "500 then a plan", replies: []llmtest.Reply{llmtest.Error(500, "server_error", "boom"), llmtest.JSON(goodReply())}, requests: 2},
		{name: "500 twice", replies: []llmtest.Reply{llmtest.Error(500, "server_error", "boom"), llmtest.Error(500, "server_error", "boom")},
			fallback: "server error", requests: 2},
		{name: "401 not retried", replies: []llmtest.Reply{llmtest.Error(401, "auth", "bad key")}, fallback: "authentication", requests: 1},
		{name: "200 with error then a plan", replies: []llmtest.Reply{llmtest.ErrorIn200(502, "upstream died"), llmtest.JSON(goodReply())}, requests: 2},
		{name: "200 with error twice", replies: []llmtest.Reply{llmtest.ErrorIn200(502, "upstream"), llmtest.ErrorIn200(502, "upstream")},
			fallback: "upstream", requests: 2},
		{name: "truncated then repaired", replies: []llmtest.Reply{llmtest.Truncated(`{"trials": [{"model": "gbdt", "par`), llmtest.JSON(goodReply())},
			requests: 2, repairs: 1},
		{name: "malformed then repaired", replies: []llmtest.Reply{llmtest.Malformed(), llmtest.JSON(goodReply())}, requests: 2, repairs: 1},
		{name: "fenced reply accepted", replies: []llmtest.Reply{llmtest.Fenced(mustJSON(goodReply()))}, requests: 1},
		{name: "hallucinated model repaired", replies: []llmtest.Reply{llmtest.JSON(hallucinated), llmtest.JSON(goodReply())}, requests: 2, repairs: 1},
		{name: "hallucinated model three times", replies: []llmtest.Reply{llmtest.JSON(hallucinated), llmtest.JSON(hallucinated), llmtest.JSON(hallucinated)},
			fallback: "still invalid after 2 repair rounds", requests: 3, repairs: 2},
		{name: "out-of-range param clamped", requests: 1, replies: []llmtest.Reply{llmtest.JSON(with("trials", []any{
			map[string]any{"model": "gbdt", "params": []any{map[string]any{"name": "learning_rate", "value": 5}}}}))},
			checkPlan: func(t *testing.T, p *Plan) {
				assert.Equal(t, 0.3, p.Trials[0].Params["learning_rate"])
				assert.Contains(t, strings.Join(p.Notes, "\n"), "learning_rate 5 clamped to 0.3")
			}},
		{name: "unknown param repaired", requests: 2, repairs: 1, replies: []llmtest.Reply{llmtest.JSON(with("trials", []any{
			map[string]any{"model": "logistic", "params": []any{map[string]any{"name": "penalty", "value": "l1"}}}})), llmtest.JSON(goodReply())}},
		{name: "refused", replies: []llmtest.Reply{llmtest.Refused("I cannot help")}, fallback: "refused", requests: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, c.replies...)
			b := briefOf(3000, 2, time.Minute, fakeModels())
			plan, tr := PlanWithFallback(t.Context(), &LLM{Client: client(t, srv)}, b)
			require.NotNil(t, plan)
			require.NoError(t, Validate(plan, b))
			assert.Equal(t, c.requests, srv.Count())
			assert.Equal(t, c.repairs, tr.Repairs)
			if c.fallback != "" {
				assert.Equal(t, "heuristic", tr.Planner)
				require.Len(t, tr.Fallbacks, 1)
				assert.Contains(t, tr.Fallbacks[0], c.fallback)
				assert.NotContains(t, tr.Fallbacks[0], "test-key")
				return
			}
			assert.Equal(t, "llm", tr.Planner)
			assert.Empty(t, tr.Fallbacks)
			if c.checkPlan != nil {
				c.checkPlan(t, plan)
			} else {
				wantGood(t, plan)
			}
		})
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestLLMRepairSendsNumberedProblems(t *testing.T) {
	bad := with("trials", []any{
		map[string]any{"model": "svm", "params": []any{}},
		map[string]any{"model": "logistic", "params": []any{map[string]any{"name": "alpha", "value": 1}}},
	})
	srv := llmtest.NewServer(t, llmtest.JSON(bad), llmtest.JSON(goodReply()))
	b := briefOf(3000, 2, time.Minute, fakeModels())
	p, err := (&LLM{Client: client(t, srv)}).Plan(t.Context(), b)
	require.NoError(t, err)
	wantGood(t, p)
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	msgs := reqs[1].Messages
	require.Len(t, msgs, 4, "system, user, the bad reply, the problems")
	assert.Equal(t, "assistant", msgs[2].Role)
	assert.JSONEq(t, mustJSON(bad), msgs[2].Content)
	assert.Equal(t, "user", msgs[3].Role)
	assert.Contains(t, msgs[3].Content, `1. trials[0]: model "svm" is not a candidate; choose from logistic, gbdt`)
	assert.Contains(t, msgs[3].Content, `2. trials[1]: model "logistic" has no parameter "alpha"`)
}

func TestLLMHangEndsInFallback(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Hang(), llmtest.Hang())
	b := briefOf(3000, 2, 2*time.Second, fakeModels()) // 10% = 200ms of planning
	start := time.Now()
	plan, tr := PlanWithFallback(t.Context(), &LLM{Client: client(t, srv)}, b)
	elapsed := time.Since(start)
	require.NotNil(t, plan)
	assert.Equal(t, "heuristic", plan.Planner)
	require.Len(t, tr.Fallbacks, 1)
	assert.Contains(t, tr.Fallbacks[0], "planning time ran out")
	assert.Less(t, elapsed, time.Second)
	assert.GreaterOrEqual(t, elapsed, 150*time.Millisecond)

	// MaxTime caps it too, and is the limit with no budget.
	b.Budget = 0
	start = time.Now()
	_, err := (&LLM{Client: client(t, srv), MaxTime: 100 * time.Millisecond}).Plan(t.Context(), b)
	assert.ErrorIs(t, err, ErrFallback)
	assert.Less(t, time.Since(start), time.Second)
}

func TestLLMCache(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.JSON(goodReply()), llmtest.JSON(goodReply()), llmtest.JSON(goodReply()))
	cache := NewCache(t.TempDir())
	b := briefOf(3000, 2, time.Minute, fakeModels())
	l := &LLM{Client: client(t, srv), Cache: cache}
	p1, tr1 := PlanWithFallback(t.Context(), l, b)
	wantGood(t, p1)
	assert.False(t, tr1.Cached)
	p2, tr2 := PlanWithFallback(t.Context(), l, b)
	wantGood(t, p2)
	assert.True(t, tr2.Cached)
	assert.Equal(t, 1, srv.Count(), "a cache hit makes no request")
	assert.Zero(t, tr2.Usage.Calls)

	// From the directory, in a new process (a new Cache on the same dir).
	l2 := &LLM{Client: client(t, srv), Cache: NewCache(cache.dir)}
	_, tr3 := PlanWithFallback(t.Context(), l2, b)
	assert.True(t, tr3.Cached)
	assert.Equal(t, 1, srv.Count())

	// Another model, another brief: misses.
	l3 := &LLM{Client: client(t, srv), Cache: cache, Model: "other-model"}
	_, tr4 := PlanWithFallback(t.Context(), l3, b)
	assert.False(t, tr4.Cached)
	assert.Equal(t, 2, srv.Count())
	b.Facts.Rows = 3001
	_, tr5 := PlanWithFallback(t.Context(), l, b)
	assert.False(t, tr5.Cached)
	assert.Equal(t, 3, srv.Count())
}

func TestLLMNoClient(t *testing.T) {
	b := briefOf(3000, 2, time.Minute, fakeModels())
	_, err := (&LLM{}).Plan(t.Context(), b)
	assert.ErrorIs(t, err, ErrFallback)
	plan, tr := PlanWithFallback(t.Context(), &LLM{}, b)
	assert.Equal(t, "heuristic", plan.Planner)
	assert.Equal(t, []string{"planner: no usable plan: no LLM client"}, tr.Fallbacks)
}

func TestPlanWithFallbackPanicsAndInvalid(t *testing.T) {
	b := briefOf(3000, 2, time.Minute, fakeModels())
	panicky := PlannerFunc(func(context.Context, *Brief) (*Plan, error) { panic("boom") })
	plan, tr := PlanWithFallback(t.Context(), panicky, b)
	assert.Equal(t, "heuristic", plan.Planner)
	assert.Contains(t, tr.Fallbacks[0], "panicked: boom")

	invalid := PlannerFunc(func(context.Context, *Brief) (*Plan, error) {
		return &Plan{Trials: []Config{{Model: "svm"}}}, nil
	})
	plan, tr = PlanWithFallback(t.Context(), invalid, b)
	assert.Equal(t, "heuristic", plan.Planner)
	assert.Contains(t, tr.Fallbacks[0], `invalid plan: 1. trials[0]: model "svm"`)

	p, err := Fallback{Primary: invalid}.Plan(t.Context(), b)
	require.NoError(t, err)
	assert.Equal(t, "heuristic", p.Planner)
	p, err = Fallback{Primary: Uniform{}}.Plan(t.Context(), b)
	require.NoError(t, err)
	assert.Equal(t, "uniform", p.Planner)

	plan, tr = PlanWithFallback(t.Context(), nil, b)
	assert.Equal(t, "heuristic", plan.Planner)
	assert.Empty(t, tr.Fallbacks)

	// No brief: still a plan, and the reason.
	plan, tr = PlanWithFallback(t.Context(), Uniform{}, nil)
	require.NotNil(t, plan)
	assert.Equal(t, []string{"planner: no usable plan: no brief"}, tr.Fallbacks)
}

// The privacy test: sentinels planted in categorical values, class labels,
// text cells and a constant column never reach the server, whatever the
// planner sends (first request, repair rounds, refinement, insights).
func TestPrivacyNoCellValuesSent(t *testing.T) {
	frame := sentinelFrame(t, 300)
	prof, err := dataset.Analyze(frame, "label")
	require.NoError(t, err)
	// The profile itself holds the sentinels (so the test can fail).
	pj, err := json.Marshal(prof)
	require.NoError(t, err)
	require.Contains(t, string(pj), sentinelCat)
	require.Contains(t, string(pj), sentinelClass)
	require.Contains(t, string(pj), sentinelText)

	for _, redact := range []bool{false, true} {
		t.Run(fmt.Sprintf("redact=%v", redact), func(t *testing.T) {
			facts := FactsOf(prof, "label", FactsOptions{RedactNames: redact})
			ms := registryModels(t, 300, 4, 2)
			b := &Brief{Profile: prof, Facts: facts, Task: prof.Task, Metric: "roc_auc", GreaterBetter: true, Budget: time.Minute, Cores: 2, Models: ms}
			bad := with("trials", []any{map[string]any{"model": "catboost", "params": []any{}}})
			srv := llmtest.NewServer(t, llmtest.JSON(bad), llmtest.JSON(goodReply()),
				llmtest.JSON(map[string]any{"configs": []any{}, "rationale": ""}), llmtest.Text("gbdt won."))
			l := &LLM{Client: client(t, srv)}
			plan, tr := PlanWithFallback(t.Context(), l, b)
			require.Empty(t, tr.Fallbacks)
			board := []Observation{{Model: "gbdt", Params: models.Params{}, Score: 0.9, Status: "ok", Seconds: 1}, {Model: "knn", Score: math.NaN(), Status: "failed", Error: "boom"}}
			_, _ = l.Refine(t.Context(), b, plan, board)
			_, err := Insights(t.Context(), b, plan, board, "gbdt", client(t, srv))
			require.NoError(t, err)
			require.Equal(t, 4, srv.Count())
			for _, r := range srv.Requests() {
				body := string(r.Body)
				for _, s := range []string{sentinelCat, sentinelClass, sentinelText} {
					assert.NotContains(t, body, s)
				}
				if redact {
					assert.NotContains(t, body, `"note"`)
					assert.NotContains(t, body, `"label"`)
				}
			}
		})
	}
}

func TestRedactedColumnsMapBack(t *testing.T) {
	frame := sentinelFrame(t, 100)
	prof, err := dataset.Analyze(frame, "label")
	require.NoError(t, err)
	b := &Brief{Facts: FactsOf(prof, "", FactsOptions{RedactNames: true}), Task: prof.Task, Metric: "roc_auc", Budget: time.Minute, Cores: 2, Models: fakeModels()}
	require.Equal(t, "c2", b.Facts.Columns[1].Name)
	require.Equal(t, "cat", b.Facts.Columns[1].Original)
	reply := with("columns", map[string]any{"drop": []any{"c2"}, "categorical": []any{}, "text": []any{"c3", "c9"}})
	srv := llmtest.NewServer(t, llmtest.JSON(reply), llmtest.JSON(with("columns", map[string]any{"drop": []any{"c2"}, "categorical": []any{}, "text": []any{"c3"}})))
	p, err := (&LLM{Client: client(t, srv)}).Plan(t.Context(), b)
	require.NoError(t, err)
	assert.Equal(t, []string{"cat"}, p.Columns.Drop)
	assert.Equal(t, []string{"note"}, p.Columns.Text)
	// The repair named the unknown column as the LLM wrote it.
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Contains(t, reqs[1].Messages[3].Content, `columns.text: "c9" is not an input column`)
}

func TestRefine(t *testing.T) {
	b := briefOf(3000, 2, time.Minute, fakeModels())
	board := []Observation{
		{Model: "gbdt", Params: models.Params{"learning_rate": 0.05}, Score: 0.91, Status: "ok", Seconds: 2},
		{Model: "logistic", Params: models.Params{"C": 1.0}, Score: 0.85, Status: "ok", Seconds: 0.1},
		{Model: "gbdt", Params: models.Params{}, Score: math.NaN(), Status: "failed", Error: "oops"},
	}
	reply := map[string]any{"rationale": "near the best", "configs": []any{
		map[string]any{"model": "gbdt", "params": []any{map[string]any{"name": "learning_rate", "value": 0.04}}},
		map[string]any{"model": "gbdt", "params": []any{map[string]any{"name": "learning_rate", "value": 0.05}}}, // tried
		map[string]any{"model": "svm", "params": []any{}},                                                        // unknown
		map[string]any{"model": "gbdt", "params": []any{map[string]any{"name": "learning_rate", "value": 9}}},    // clamped to 0.3
		map[string]any{"model": "logistic", "params": []any{map[string]any{"name": "C", "value": 10}}},
	}}
	srv := llmtest.NewServer(t, llmtest.JSON(reply))
	l := &LLM{Client: client(t, srv), RefineCount: 3}
	cfgs, err := l.Refine(t.Context(), b, heur(t, b), board)
	require.NoError(t, err)
	assert.Equal(t, []Config{
		{Model: "gbdt", Params: models.Params{"learning_rate": 0.04}},
		{Model: "gbdt", Params: models.Params{"learning_rate": 0.3}},
		{Model: "logistic", Params: models.Params{"C": 10.0}},
	}, cfgs)
	req, _ := srv.Last()
	assert.Contains(t, req.Messages[1].Content, `"leaderboard"`)
	assert.Contains(t, req.Messages[1].Content, `"score":null`)
	// The best row comes first.
	assert.Less(t, strings.Index(req.Messages[1].Content, "0.91"), strings.Index(req.Messages[1].Content, "0.85"))

	srv.Enqueue(llmtest.JSON(map[string]any{"configs": []any{map[string]any{"model": "svm", "params": []any{}}}, "rationale": ""}))
	_, err = l.Refine(t.Context(), b, nil, board)
	assert.ErrorIs(t, err, ErrFallback)
}

func TestInsights(t *testing.T) {
	b := briefOf(500, 2, time.Minute, fakeModels())
	b.Facts.Warnings = []string{"imbalance: target (largest class 12.0 times the smallest)", "identifier: x3"}
	b.Facts.Target = "target"
	board := []Observation{
		{Model: "gbdt", Score: 0.93, Status: "ok"},
		{Model: "logistic", Score: 0.88, Status: "ok"},
		{Model: "knn", Score: math.NaN(), Status: "timeout"},
	}
	p := heur(t, b)
	text, err := Insights(t.Context(), b, p, board, "gbdt", nil)
	require.NoError(t, err)
	assert.Contains(t, text, "gbdt won with a cross-validated roc_auc of 0.93")
	assert.Contains(t, text, "the best other family, logistic, scored 0.88")
	assert.Contains(t, text, "column x3 looks like a row key")
	assert.Contains(t, text, "balanced accuracy")
	assert.Contains(t, text, "tuning was off")

	// Redacted names are put back for the reader.
	b.Facts.Redacted = true
	b.Facts.Columns[3].Name, b.Facts.Columns[3].Original = "c4", "income"
	b.Facts.Warnings = []string{"identifier: c4"}
	text, err = Insights(t.Context(), b, p, board, "gbdt", nil)
	require.NoError(t, err)
	assert.Contains(t, text, "column income looks like a row key")
	srv0 := llmtest.NewServer(t, llmtest.Text("Column c4 and c40 matter."))
	text, err = Insights(t.Context(), b, p, board, "gbdt", client(t, srv0))
	require.NoError(t, err)
	assert.Equal(t, "Column income and c40 matter.", text)
	req, _ := srv0.Last()
	assert.NotContains(t, string(req.Body), "income")

	srv := llmtest.NewServer(t, llmtest.Text("Boosting won because ..."), llmtest.Error(401, "auth", "no"))
	text, err = Insights(t.Context(), b, p, board, "gbdt", client(t, srv))
	require.NoError(t, err)
	assert.Equal(t, "Boosting won because ...", text)
	text, err = Insights(t.Context(), b, p, board, "gbdt", client(t, srv))
	assert.Error(t, err)
	assert.Contains(t, text, "gbdt won with", "templates on failure")
	assert.True(t, errors.Is(err, llm.ErrAuth))
}

func FuzzDecodePlan(f *testing.F) {
	f.Add(mustJSON(goodReply()))
	f.Add(mustJSON(with("tuning.spaces", []any{map[string]any{"model": "gbdt", "param": "max_depth", "low": 0, "high": 0, "choices": []any{4, "8", true}}})))
	f.Add(`{"trials":[{"model":"gbdt","params":[{"name":"max_leaves","value":{"a":1}}]}],"validation":{"folds":-1}}`)
	b := briefOf(3000, 2, time.Minute, registryModels(f, 3000, 8, 2))
	f.Fuzz(func(t *testing.T, s string) {
		p, err := decodePlan(json.RawMessage(s), b)
		if err != nil {
			return
		}
		Normalize(p, b)
		if err := Validate(p, b); err != nil {
			_ = repairText(err, b)
		}
	})
}
