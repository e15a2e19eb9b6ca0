package llm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/llm"
	"github.com/automl-agent/automl/llm/llmtest"
)

const testKey = "sk-test-SECRET-0123456789abcdef"

// sleeps records the waits a client asks for, without sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// newClient returns a client for p pointed at srv, with instant retries.
func newClient(t *testing.T, srv *llmtest.Server, p llm.Provider, edit ...func(*llm.Config)) (*llm.OpenAI, *sleeps) {
	t.Helper()
	rec := &sleeps{}
	cfg := llm.Config{
		Provider: p, APIKey: testKey, BaseURL: srv.BaseURL(),
		Retry: llm.RetryPolicy{BaseDelay: time.Millisecond, Sleep: rec.sleep},
	}
	for _, f := range edit {
		f(&cfg)
	}
	c, err := llm.New(cfg)
	require.NoError(t, err)
	return c, rec
}

var planSchema = json.RawMessage(`{
  "type": "object",
  "properties": {
    "models": {"type": "array", "items": {"$ref": "#/$defs/model"}},
    "folds": {"type": "integer"},
    "note": {"type": "string"}
  },
  "required": ["models", "folds"],
  "$defs": {"model": {"type": "object", "properties": {"name": {"type": "string", "enum": ["gbdt", "forest"]}}, "required": ["name"]}}
}`)

func jsonRequest() llm.Request {
	return llm.Request{
		Messages:    []llm.Message{llm.System("You plan."), llm.User("Plan this.")},
		Schema:      &llm.Schema{Name: "plan", JSON: planSchema},
		Temperature: llm.Float(0),
	}
}

const goodPlan = `{"models":[{"name":"gbdt"}],"folds":5,"note":null}`

// TestPresetWireFormat checks, per provider, the URL path, auth header,
// extra headers and body fields each preset puts on the wire.
func TestPresetWireFormat(t *testing.T) {
	cases := []struct {
		provider       llm.Provider
		mode           llm.Mode
		strict         bool
		tokenField     string
		requireParams  bool
		schemaInPrompt bool
		attribution    bool
	}{
		{llm.ProviderOpenRouter, llm.ModeJSONSchema, true, "max_tokens", true, false, true},
		{llm.ProviderOpenAI, llm.ModeJSONSchema, true, "max_completion_tokens", false, false, false},
		{llm.ProviderAnthropic, llm.ModePrompt, false, "max_tokens", false, true, false},
		{llm.ProviderGemini, llm.ModeJSONSchema, false, "max_tokens", false, false, false},
		{llm.ProviderOllama, llm.ModeJSONSchema, false, "max_tokens", false, false, false},
		{llm.ProviderLlamaCpp, llm.ModeJSONSchema, false, "max_tokens", false, false, false},
		{llm.ProviderVLLM, llm.ModeJSONSchema, false, "max_tokens", false, false, false},
	}
	for _, tc := range cases {
		t.Run(string(tc.provider), func(t *testing.T) {
			srv := llmtest.NewServer(t, llmtest.Text(goodPlan))
			c, _ := newClient(t, srv, tc.provider, func(cfg *llm.Config) {
				if tc.provider == llm.ProviderVLLM {
					cfg.Model = "served-model"
				}
			})
			resp, err := c.Complete(t.Context(), jsonRequest())
			require.NoError(t, err)
			assert.Equal(t, tc.mode, resp.Mode)
			assert.JSONEq(t, goodPlan, string(resp.JSON))

			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			r := reqs[0]
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, "/v1/chat/completions", r.Path)
			assert.Empty(t, r.Query, "no ?api-version (go-openai's Anthropic config would add one)")
			assert.Equal(t, "Bearer "+testKey, r.Header.Get("Authorization"))
			assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
			assert.Equal(t, c.Model(), r.Model)
			assert.NotEmpty(t, r.Model)

			temp, ok := r.Number("temperature")
			assert.True(t, ok, "temperature 0 must be on the wire")
			assert.Zero(t, temp)
			tokens, ok := r.Number(tc.tokenField)
			assert.True(t, ok, "token cap in %s", tc.tokenField)
			assert.EqualValues(t, llm.DefaultMaxTokens, tokens)
			other := map[string]string{"max_tokens": "max_completion_tokens", "max_completion_tokens": "max_tokens"}[tc.tokenField]
			assert.False(t, r.Has(other))

			if tc.attribution {
				assert.Equal(t, llm.DefaultReferer, r.Header.Get("HTTP-Referer"))
				assert.Equal(t, llm.DefaultTitle, r.Header.Get("X-Title"))
			} else {
				assert.Empty(t, r.Header.Get("HTTP-Referer"))
				assert.Empty(t, r.Header.Get("X-Title"))
			}
			if tc.requireParams {
				assert.Equal(t, true, r.Field("provider", "require_parameters"))
			} else {
				assert.False(t, r.Has("provider"))
			}

			switch tc.mode {
			case llm.ModeJSONSchema:
				assert.Equal(t, "json_schema", r.Field("response_format", "type"))
				assert.Equal(t, "plan", r.Field("response_format", "json_schema", "name"))
				assert.Equal(t, tc.strict, r.Field("response_format", "json_schema", "strict"))
				schema, err := json.Marshal(r.Field("response_format", "json_schema", "schema"))
				require.NoError(t, err)
				if tc.strict {
					assert.Equal(t, false, r.Field("response_format", "json_schema", "schema", "additionalProperties"))
					assert.ElementsMatch(t, []any{"folds", "models", "note"}, r.Field("response_format", "json_schema", "schema", "required"))
				}
				if tc.provider == llm.ProviderGemini || tc.provider == llm.ProviderOllama {
					assert.NotContains(t, string(schema), "$ref")
					assert.NotContains(t, string(schema), "$defs")
					assert.Contains(t, string(schema), `"enum":["gbdt","forest"]`)
				}
				assert.NotContains(t, r.Messages[0].Content, llm.JSONInstruction)
			case llm.ModePrompt:
				assert.False(t, r.Has("response_format"), "Anthropic ignores response_format: ask in the prompt")
				require.NotEmpty(t, r.Messages)
				assert.Equal(t, "system", r.Messages[0].Role)
				assert.True(t, strings.HasPrefix(r.Messages[0].Content, "You plan."), "the caller's system text comes first")
				assert.Contains(t, r.Messages[0].Content, llm.JSONInstruction)
				assert.Contains(t, r.Messages[0].Content, `"folds"`, "schema in the prompt")
			}
			assert.Len(t, r.Messages, 2, "instruction merged into the system message, not added")
		})
	}
}

func TestLocalServerNeedsNoKey(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Text("hi"))
	c, err := llm.New(llm.Config{Provider: llm.ProviderOllama, BaseURL: srv.BaseURL()})
	require.NoError(t, err)
	resp, err := c.Complete(t.Context(), llm.Request{Messages: []llm.Message{llm.User("hello")}})
	require.NoError(t, err)
	assert.Equal(t, "hi", resp.Text)
	assert.Equal(t, llm.ModeText, resp.Mode)
	assert.Nil(t, resp.JSON)
	r, _ := srv.Last()
	assert.Empty(t, r.Header.Get("Authorization"))
	assert.False(t, r.Has("temperature"), "nil Temperature leaves the server's default")
	assert.False(t, r.Has("response_format"))
}

func TestNewErrors(t *testing.T) {
	_, err := llm.New(llm.Config{})
	assert.ErrorIs(t, err, llm.ErrNoKey)
	assert.ErrorIs(t, err, llm.ErrNotConfigured)
	_, err = llm.New(llm.Config{Provider: "nope", APIKey: "k"})
	assert.ErrorIs(t, err, llm.ErrUnknownProvider)
	_, err = llm.New(llm.Config{Provider: llm.ProviderLocal})
	assert.ErrorIs(t, err, llm.ErrNotConfigured, "local needs a base URL")
	_, err = llm.New(llm.Config{Provider: llm.ProviderVLLM})
	assert.ErrorIs(t, err, llm.ErrNotConfigured, "vLLM needs a model")
}

func TestConfigOverrides(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Text(`{"a":1}`))
	c, _ := newClient(t, srv, llm.ProviderOpenRouter, func(cfg *llm.Config) {
		cfg.Model = "meta/llama"
		cfg.Referer, cfg.Title = "https://example.test", "my-app"
		cfg.Header = http.Header{"X-Extra": {"1"}, "Authorization": {"Bearer stolen"}}
		cfg.MaxTokens = 99
		cfg.Capabilities = &llm.Capabilities{JSONObject: true}
	})
	resp, err := c.Complete(t.Context(), llm.Request{
		Messages: []llm.Message{llm.User("x")}, Schema: &llm.Schema{JSON: json.RawMessage(`{"type":"object"}`)}, MaxTokens: 7,
	})
	require.NoError(t, err)
	assert.Equal(t, llm.ModeJSONObject, resp.Mode, "no json_schema capability: downgraded")
	r, _ := srv.Last()
	assert.Equal(t, "meta/llama", r.Model)
	assert.Equal(t, "https://example.test", r.Header.Get("HTTP-Referer"))
	assert.Equal(t, "my-app", r.Header.Get("X-Title"))
	assert.Equal(t, "1", r.Header.Get("X-Extra"))
	assert.Equal(t, "Bearer "+testKey, r.Header.Get("Authorization"), "Config.Header cannot replace the key")
	n, _ := r.Number("max_tokens")
	assert.EqualValues(t, 7, n, "Request.MaxTokens wins over Config.MaxTokens")
	assert.Equal(t, "json_object", r.Field("response_format", "type"))
	assert.Equal(t, "system", r.Messages[0].Role)
	assert.Contains(t, r.Messages[0].Content, "JSON", "json_object mode needs the word JSON in the prompt")
}

func TestRetryAfterHonoured(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.RateLimited("2"), llmtest.Text(`{"ok":true}`))
	c, rec := newClient(t, srv, llm.ProviderOpenAI)
	resp, err := c.Complete(t.Context(), llm.Request{Messages: []llm.Message{llm.User("x")}, Mode: llm.ModeJSONObject})
	require.NoError(t, err)
	assert.Equal(t, 2, resp.Attempts)
	assert.Equal(t, []time.Duration{2 * time.Second}, rec.waits())
	assert.Equal(t, 2, srv.Count())
}

func TestRetryAfterHTTPDate(t *testing.T) {
	date := time.Now().Add(5 * time.Second).UTC().Format(http.TimeFormat)
	srv := llmtest.NewServer(t, llmtest.RateLimited(date), llmtest.Text("ok"))
	c, rec := newClient(t, srv, llm.ProviderOpenAI)
	_, err := c.Complete(t.Context(), llm.Request{Messages: []llm.Message{llm.User("x")}})
	require.NoError(t, err)
	w := rec.waits()
	require.Len(t, w, 1)
	assert.InDelta(t, 5*time.Second, w[0], float64(1100*time.Millisecond))
}

func TestRetryAfterTooLongIsNotWaited(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.RateLimited("3600"))
	c, rec := newClient(t, srv, llm.ProviderOpenAI)
	_, err := c.Complete(t.Context(), llm.Request{Messages: []llm.Message{llm.User("x")}})
	require.ErrorIs(t, err, llm.ErrRateLimited)
	var ae *llm.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, time.Hour, ae.RetryAfter)
	assert.Equal(t, http.StatusTooManyRequests, ae.StatusCode)
	assert.Equal(t, "429", ae.Code)
	assert.Empty(t, rec.waits())
	assert.Equal(t, 1, srv.Count())
}

func TestRetryAfterPastDeadlineIsNotWaited(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.RateLimited("30"))
	c, rec := newClient(t, srv, llm.ProviderOpenAI)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, err := c.Complete(ctx, llm.Request{Messages: []llm.Message{llm.User("x")}})
	require.ErrorIs(t, err, llm.ErrRateLimited)
	assert.Contains(t, err.Error(), "deadline")
	assert.Empty(t, rec.waits(), "the caller's deadline wins")
}

func TestServerErrorThenSuccess(t *testing.T) {
	srv := llmtest.NewServer(t,
		llmtest.Error(500, "server_error", "boom"),
		llmtest.Raw(502, "<html>Bad gateway</html>"),
		llmtest.Text(`{"ok":1}`))
	c, rec := newClient(t, srv, llm.ProviderOpenRouter)
	resp, err := c.Complete(t.Context(), jsonRequest())
	require.NoError(t, err)
	assert.Equal(t, 3, resp.Attempts)
	w := rec.waits()
	require.Len(t, w, 2)
	assert.GreaterOrEqual(t, w[0], 500*time.Microsecond, "BaseDelay·jitter")
	assert.Less(t, w[0], 1500*time.Microsecond)
	assert.GreaterOrEqual(t, w[1], time.Millisecond, "doubled")
	assert.Less(t, w[1], 3*time.Millisecond)
}

func TestServerErrorsExhaustAttempts(t *testing.T) {
	srv := llmtest.NewServer(t)
	srv.SetDefault(llmtest.Error(503, "server_error", "overloaded"))
	c, _ := newClient(t, srv, llm.ProviderOpenAI, func(cfg *llm.Config) { cfg.Retry.MaxAttempts = 4 })
	_, err := c.Complete(t.Context(), llm.Request{Messages: []llm.Message{llm.User("x")}})
	require.ErrorIs(t, err, llm.ErrServer)
	var ae *llm.APIError
	require.ErrorAs(t, err, &ae)
	assert.True(t, ae.Retryable)
	assert.Equal(t, 503, ae.StatusCode)
	assert.Equal(t, 4, srv.Count())
}

func TestNeverRetried(t *testing.T) {
	cases := []struct {
		status int
		want   error
	}{
		{400, llm.ErrBadRequest}, {401, llm.ErrAuth}, {402, llm.ErrPayment},
		{403, llm.ErrAuth}, {404, llm.ErrBadRequest}, {422, llm.ErrBadRequest},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			srv := llmtest.NewServer(t, llmtest.Error(tc.status, "invalid_request_error", "no"), llmtest.Text("unreached"))
			c, rec := newClient(t, srv, llm.ProviderOpenRouter)
			resp, err := c.Complete(t.Context(), llm.Request{Messages: []llm.Message{llm.User("x")}})
			require.ErrorIs(t, err, tc.want)
			assert.Nil(t, resp)
			var ae *llm.APIError
			require.ErrorAs(t, err, &ae)
			assert.False(t, ae.Retryable)
			assert.Equal(t, tc.status, ae.StatusCode)
			assert.Equal(t, "invalid_request_error", ae.Type)
			assert.Equal(t, 1, srv.Count())
			assert.Empty(t, rec.waits())
		})
	}
}

func TestErrorIn200(t *testing.T) {
	t.Run("retryable code then success", func(t *testing.T) {
		srv := llmtest.NewServer(t, llmtest.ErrorIn200(502, "upstream failed"), llmtest.Text(`{"x":1}`))
		c, _ := newClient(t, srv, llm.ProviderOpenRouter)
		resp, err := c.Complete(t.Context(), jsonRequest())
		require.NoError(t, err)
		assert.Equal(t, 2, resp.Attempts)
	})
	t.Run("429 code", func(t *testing.T) {
		srv := llmtest.NewServer(t)
		srv.SetDefault(llmtest.ErrorIn200(429, "slow down"))
		c, _ := newClient(t, srv, llm.ProviderOpenRouter, func(cfg *llm.Config) { cfg.Retry.MaxAttempts = 2 })
		_, err := c.Complete(t.Context(), jsonRequest())
		require.ErrorIs(t, err, llm.ErrRateLimited)
		var ae *llm.APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, 200, ae.StatusCode)
		assert.Equal(t, "429", ae.Code)
		assert.True(t, ae.Retryable)
		assert.Contains(t, ae.Message, "slow down")
		assert.Equal(t, 2, srv.Count())
	})
	t.Run("400 code not retried", func(t *testing.T) {
		srv := llmtest.NewServer(t, llmtest.ErrorIn200(400, "invalid model id"))
		c, _ := newClient(t, srv, llm.ProviderOpenRouter)
		_, err := c.Complete(t.Context(), jsonRequest())
		require.ErrorIs(t, err, llm.ErrBadRequest)
		assert.Equal(t, 1, srv.Count())
	})
}

func TestEmptyRetried(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Empty(), llmtest.Text(""), llmtest.Text("fine"))
	c, _ := newClient(t, srv, llm.ProviderOpenAI)
	resp, err := c.Complete(t.Context(), llm.Request{Messages: []llm.Message{llm.User("x")}})
	require.NoError(t, err)
	assert.Equal(t, "fine", resp.Text)
	assert.Equal(t, 3, resp.Attempts)

	srv2 := llmtest.NewServer(t)
	srv2.SetDefault(llmtest.Empty())
	c2, _ := newClient(t, srv2, llm.ProviderOpenAI)
	_, err = c2.Complete(t.Context(), llm.Request{Messages: []llm.Message{llm.User("x")}})
	require.ErrorIs(t, err, llm.ErrEmpty)
	assert.Equal(t, llm.DefaultMaxAttempts, srv2.Count())
}

func TestInvalidBodyRetried(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Raw(200, "<html>oops</html>"), llmtest.Text("ok"))
	c, _ := newClient(t, srv, llm.ProviderOpenAI)
	resp, err := c.Complete(t.Context(), llm.Request{Messages: []llm.Message{llm.User("x")}})
	require.NoError(t, err)
	assert.Equal(t, 2, resp.Attempts)
}

func TestTruncated(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Truncated(`{"models":[{"name":"gb`), llmtest.Text("unreached"))
	c, _ := newClient(t, srv, llm.ProviderOpenAI)
	resp, err := c.Complete(t.Context(), jsonRequest())
	require.ErrorIs(t, err, llm.ErrTruncated)
	require.NotNil(t, resp, "the cut reply comes back for a repair")
	assert.Equal(t, "length", resp.FinishReason)
	assert.Equal(t, `{"models":[{"name":"gb`, resp.Text)
	assert.Equal(t, 1, srv.Count(), "not retried")
}

func TestMalformedAndFenced(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Malformed(), llmtest.Fenced(goodPlan))
	c, _ := newClient(t, srv, llm.ProviderAnthropic)
	resp, err := c.Complete(t.Context(), jsonRequest())
	require.ErrorIs(t, err, llm.ErrMalformed)
	require.NotNil(t, resp)
	assert.NotEmpty(t, resp.Text)
	assert.Nil(t, resp.JSON)
	assert.Equal(t, 1, srv.Count(), "malformed is the caller's to repair, not retried")

	req := jsonRequest()
	req.Messages = append(req.Messages, llm.Assistant(resp.Text), llm.User("That was not valid JSON. Return the full corrected JSON only."))
	resp, err = c.Complete(t.Context(), req)
	require.NoError(t, err)
	assert.JSONEq(t, goodPlan, string(resp.JSON))
	r, _ := srv.Last()
	require.Len(t, r.Messages, 4)
	assert.Equal(t, "assistant", r.Messages[2].Role)
}

func TestRefused(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Refused("I can't help with that."))
	c, _ := newClient(t, srv, llm.ProviderOpenAI)
	resp, err := c.Complete(t.Context(), jsonRequest())
	require.ErrorIs(t, err, llm.ErrRefused)
	require.NotNil(t, resp)
	assert.Equal(t, 1, srv.Count())
}

func TestPerAttemptTimeout(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Hang(), llmtest.Delayed(5*time.Millisecond, llmtest.Text("late but fine")))
	c, rec := newClient(t, srv, llm.ProviderOpenAI, func(cfg *llm.Config) { cfg.Timeout = 100 * time.Millisecond })
	start := time.Now()
	resp, err := c.Complete(t.Context(), llm.Request{Messages: []llm.Message{llm.User("x")}})
	require.NoError(t, err)
	assert.Equal(t, "late but fine", resp.Text)
	assert.Equal(t, 2, resp.Attempts)
	assert.Len(t, rec.waits(), 1)
	assert.Less(t, time.Since(start), 2*time.Second)
}

func TestTimeoutsExhaustAttempts(t *testing.T) {
	srv := llmtest.NewServer(t)
	srv.SetDefault(llmtest.Hang())
	c, _ := newClient(t, srv, llm.ProviderOpenAI, func(cfg *llm.Config) {
		cfg.Timeout = 50 * time.Millisecond
		cfg.Retry.MaxAttempts = 2
	})
	_, err := c.Complete(t.Context(), llm.Request{Messages: []llm.Message{llm.User("x")}})
	require.ErrorIs(t, err, llm.ErrTimeout)
	var ae *llm.APIError
	require.ErrorAs(t, err, &ae)
	assert.True(t, ae.Retryable)
	assert.Equal(t, 2, srv.Count())
}

func TestCallerDeadlineWinsOverAttemptTimeout(t *testing.T) {
	srv := llmtest.NewServer(t)
	srv.SetDefault(llmtest.Hang())
	c, _ := newClient(t, srv, llm.ProviderOpenAI) // 60 s per attempt
	ctx, cancel := context.WithTimeout(t.Context(), 80*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Complete(ctx, llm.Request{Messages: []llm.Message{llm.User("x")}})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), time.Second)
	assert.Equal(t, 1, srv.Count())
}

func TestCancelDuringBackoff(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.RateLimited("30"), llmtest.Text("unreached"))
	c, err := llm.New(llm.Config{Provider: llm.ProviderOpenAI, APIKey: testKey, BaseURL: srv.BaseURL()}) // real sleep
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err = c.Complete(ctx, llm.Request{Messages: []llm.Message{llm.User("x")}})
	require.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, llm.ErrRateLimited, "the last attempt's error is kept")
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Equal(t, 1, srv.Count())
}

func TestCanceledBeforeStart(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Text("x"))
	c, _ := newClient(t, srv, llm.ProviderOpenAI)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.Complete(ctx, llm.Request{Messages: []llm.Message{llm.User("x")}})
	require.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, srv.Count())
}

func TestConnectionRefusedRetried(t *testing.T) {
	srv := llmtest.New()
	base := srv.BaseURL()
	srv.Close()
	rec := &sleeps{}
	c, err := llm.New(llm.Config{Provider: llm.ProviderOpenAI, APIKey: testKey, BaseURL: base,
		Retry: llm.RetryPolicy{Sleep: rec.sleep}})
	require.NoError(t, err)
	_, err = c.Complete(t.Context(), llm.Request{Messages: []llm.Message{llm.User("x")}})
	require.ErrorIs(t, err, llm.ErrConnection)
	assert.Len(t, rec.waits(), llm.DefaultMaxAttempts-1)
	assert.NotContains(t, err.Error(), testKey)
}

func TestKeyNeverInErrorsOrPrints(t *testing.T) {
	echo := llmtest.Func(func(r llmtest.Request) llmtest.Reply {
		// A server that echoes the header it got, as some proxies do.
		return llmtest.Error(401, "invalid_api_key", "Incorrect API key provided: "+r.Header.Get("Authorization"))
	})
	srv := llmtest.NewServer(t, echo, llmtest.Raw(403, "forbidden for key "+testKey))
	c, _ := newClient(t, srv, llm.ProviderOpenAI)
	_, err := c.Complete(t.Context(), llm.Request{Messages: []llm.Message{llm.User("x")}})
	require.ErrorIs(t, err, llm.ErrAuth)
	assert.Equal(t, 1, srv.Count(), "401 is not retried")
	assert.NotContains(t, err.Error(), testKey)
	assert.NotContains(t, fmt.Sprintf("%+v", err), testKey)
	assert.Contains(t, err.Error(), "[REDACTED]")

	_, err = c.Complete(t.Context(), llm.Request{Messages: []llm.Message{llm.User("x")}})
	require.ErrorIs(t, err, llm.ErrAuth)
	assert.NotContains(t, err.Error(), testKey)

	cfg := llm.Config{Provider: llm.ProviderOpenAI, APIKey: testKey}
	for _, s := range []string{cfg.String(), fmt.Sprint(cfg), fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg),
		fmt.Sprintf("%#v", cfg), fmt.Sprintf("%s", &cfg), fmt.Sprintf("%+v", c), fmt.Sprint(c)} {
		assert.NotContains(t, s, testKey)
	}
	b, err := json.Marshal(cfg)
	require.NoError(t, err)
	assert.NotContains(t, string(b), testKey)
	assert.Contains(t, cfg.String(), "key set")
}

func TestUsageAccounting(t *testing.T) {
	srv := llmtest.NewServer(t,
		llmtest.Reply{Content: "a", PromptTokens: 10, CompletionTokens: 3},
		llmtest.Error(500, "server_error", "x"),
		llmtest.Reply{Content: "b", PromptTokens: 20, CompletionTokens: 4},
		llmtest.Error(401, "auth", "no"),
	)
	c, _ := newClient(t, srv, llm.ProviderOpenAI)
	before := c.Usage()
	r1, err := c.Complete(t.Context(), llm.Request{Messages: []llm.Message{llm.User("x")}})
	require.NoError(t, err)
	assert.Equal(t, llm.TokenUsage{PromptTokens: 10, CompletionTokens: 3, TotalTokens: 13}, r1.Usage)
	_, err = c.Complete(t.Context(), llm.Request{Messages: []llm.Message{llm.User("y")}})
	require.NoError(t, err)
	_, err = c.Complete(t.Context(), llm.Request{Messages: []llm.Message{llm.User("z")}})
	require.Error(t, err)

	u := c.Usage().Sub(before)
	assert.Equal(t, 3, u.Calls)
	assert.Equal(t, 1, u.Failures)
	assert.Equal(t, 4, u.Attempts)
	assert.Equal(t, 1, u.Retries)
	assert.Equal(t, 30, u.PromptTokens)
	assert.Equal(t, 7, u.CompletionTokens)
	assert.Equal(t, 37, u.TotalTokens)
	assert.Positive(t, u.Duration)
}

func TestConcurrentCalls(t *testing.T) {
	const n = 16
	srv := llmtest.NewServer(t)
	srv.SetDefault(llmtest.Func(func(r llmtest.Request) llmtest.Reply {
		if r.Index%4 == 0 {
			return llmtest.Error(503, "server_error", "busy")
		}
		return llmtest.Reply{Content: `{"i":1}`, PromptTokens: 5, CompletionTokens: 1}
	}))
	c, _ := newClient(t, srv, llm.ProviderOpenRouter, func(cfg *llm.Config) { cfg.Retry.MaxAttempts = 5 })
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.Complete(context.Background(), jsonRequest())
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	u := c.Usage()
	assert.Equal(t, n, u.Calls)
	assert.Equal(t, srv.Count(), u.Attempts)
	assert.Equal(t, u.Attempts-n, u.Retries)
	assert.Equal(t, 5*n, u.PromptTokens)
}

func TestNoMessages(t *testing.T) {
	srv := llmtest.NewServer(t)
	c, _ := newClient(t, srv, llm.ProviderOpenAI)
	_, err := c.Complete(t.Context(), llm.Request{})
	require.ErrorIs(t, err, llm.ErrBadRequest)
	assert.Zero(t, srv.Count())
}

func TestTemperaturePrecision(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Text("x"))
	c, _ := newClient(t, srv, llm.ProviderOpenAI)
	seed := 7
	_, err := c.Complete(t.Context(), llm.Request{Messages: []llm.Message{llm.User("x")}, Temperature: llm.Float(0.7), Seed: &seed})
	require.NoError(t, err)
	r, _ := srv.Last()
	assert.Contains(t, string(r.Body), `"temperature":0.7`, "sent as float64, not a float32 0.699999988")
	s, _ := r.Number("seed")
	assert.EqualValues(t, 7, s)
}

func TestClientFunc(t *testing.T) {
	var c llm.Client = llm.ClientFunc(func(ctx context.Context, req llm.Request) (*llm.Response, error) {
		return &llm.Response{Text: req.Messages[0].Content}, nil
	})
	resp, err := c.Complete(t.Context(), llm.Request{Messages: []llm.Message{llm.User("echo")}})
	require.NoError(t, err)
	assert.Equal(t, "echo", resp.Text)
	_, ok := c.(llm.UsageReporter)
	assert.False(t, ok)
}

func TestDowngradeWhenFormatRejected(t *testing.T) {
	srv := llmtest.NewServer(t,
		llmtest.Error(400, "invalid_request_error", "response_format json_schema is not supported by this model"),
		llmtest.Error(400, "invalid_request_error", "'response_format' of type 'json_object' is not supported"),
		llmtest.Text(goodPlan),
		llmtest.Text(goodPlan),
	)
	c, rec := newClient(t, srv, llm.ProviderLocal, func(cfg *llm.Config) { cfg.Model = "small" })
	resp, err := c.Complete(t.Context(), jsonRequest())
	require.NoError(t, err)
	assert.Equal(t, llm.ModePrompt, resp.Mode)
	assert.Equal(t, 3, resp.Attempts)
	assert.Empty(t, rec.waits(), "a downgrade is not a backoff")
	reqs := srv.Requests()
	assert.Equal(t, "json_schema", reqs[0].Field("response_format", "type"))
	assert.Equal(t, "json_object", reqs[1].Field("response_format", "type"))
	assert.False(t, reqs[2].Has("response_format"))
	assert.Contains(t, reqs[2].Messages[0].Content, llm.JSONInstruction)

	resp, err = c.Complete(t.Context(), jsonRequest())
	require.NoError(t, err)
	assert.Equal(t, llm.ModePrompt, resp.Mode, "remembered for this model")
	assert.Equal(t, 1, resp.Attempts)

	other := jsonRequest()
	other.Model = "big"
	srv.Enqueue(llmtest.Text(goodPlan))
	resp, err = c.Complete(t.Context(), other)
	require.NoError(t, err)
	assert.Equal(t, llm.ModeJSONSchema, resp.Mode, "other models keep the full mode")
}

func TestLogsCarryNoKey(t *testing.T) {
	var buf strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}), &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := llmtest.NewServer(t, llmtest.Error(500, "server_error", "key "+testKey+" broke"), llmtest.Text("ok"))
	c, _ := newClient(t, srv, llm.ProviderOpenAI, func(cfg *llm.Config) { cfg.Logger = logger })
	logger.Info("config", "cfg", llm.Config{APIKey: testKey})
	_, err := c.Complete(t.Context(), llm.Request{Messages: []llm.Message{llm.User("secret prompt text")}})
	require.NoError(t, err)
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	assert.Contains(t, out, "llm: retrying")
	assert.Contains(t, out, "llm: attempt")
	assert.NotContains(t, out, testKey)
	assert.NotContains(t, out, "secret prompt text", "prompts are not logged")
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
