package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// OpenAI is a [Client] for OpenAI-compatible chat-completions endpoints,
// built on github.com/sashabaranov/go-openai. It adds what that library
// leaves out (verified against v1.43.0): retries with backoff and
// Retry-After, temperature 0 on the wire, per-provider headers and body
// fields, 200 replies whose body is an error, empty and truncated replies.
//
// An OpenAI is safe for concurrent use; build one with [New] and reuse it.
type OpenAI struct {
	provider  Provider
	key       string
	baseURL   string
	model     string
	caps      Capabilities
	header    http.Header
	http      *http.Client
	log       *slog.Logger
	retry     RetryPolicy
	maxTokens int
	timeout   time.Duration
	red       redactor

	degraded sync.Map // model → Mode: the best mode left after a refusal

	mu    sync.Mutex
	usage Usage
}

var _ interface {
	Client
	UsageReporter
} = (*OpenAI)(nil)

// New checks cfg, fills in the preset's defaults and returns a client. It
// makes no request. The errors wrap ErrUnknownProvider, ErrNoKey or
// ErrNotConfigured.
func New(cfg Config) (*OpenAI, error) {
	ps, ok := PresetFor(cfg.Provider)
	if !ok {
		return nil, fmt.Errorf("%w %q (known: %v)", ErrUnknownProvider, cfg.Provider, Providers())
	}
	c := &OpenAI{
		provider:  ps.Provider,
		key:       cfg.APIKey,
		baseURL:   strings.TrimRight(firstNonEmpty(cfg.BaseURL, ps.BaseURL), "/"),
		model:     firstNonEmpty(cfg.Model, ps.Model),
		caps:      ps.Capabilities,
		http:      cfg.HTTPClient,
		log:       cfg.Logger,
		retry:     cfg.Retry,
		maxTokens: cfg.MaxTokens,
		timeout:   cfg.Timeout,
		red:       redactor{secret: cfg.APIKey},
	}
	if c.baseURL == "" {
		return nil, fmt.Errorf("%w: provider %s needs a base URL (Config.BaseURL or %s)", ErrNotConfigured, c.provider, EnvBaseURL)
	}
	if ps.NeedsKey && c.key == "" {
		return nil, fmt.Errorf("%w: provider %s (set Config.APIKey or %s)", ErrNoKey, c.provider, ps.KeyEnv)
	}
	if c.model == "" {
		return nil, fmt.Errorf("%w: provider %s needs a model (Config.Model or %s)", ErrNotConfigured, c.provider, EnvModel)
	}
	if cfg.Capabilities != nil {
		c.caps = *cfg.Capabilities
	}
	if c.http == nil {
		c.http = &http.Client{}
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.maxTokens <= 0 {
		c.maxTokens = DefaultMaxTokens
	}
	if c.timeout <= 0 {
		c.timeout = ps.Timeout
	}
	if c.retry.MaxAttempts <= 0 {
		c.retry.MaxAttempts = DefaultMaxAttempts
	}
	if c.retry.BaseDelay <= 0 {
		c.retry.BaseDelay = DefaultBaseDelay
	}
	if c.retry.MaxDelay <= 0 {
		c.retry.MaxDelay = DefaultMaxDelay
	}
	if c.retry.MaxRetryAfter <= 0 {
		c.retry.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if c.retry.Sleep == nil {
		c.retry.Sleep = sleep
	}
	c.header = make(http.Header)
	for k, vs := range cfg.Header {
		c.header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	if c.provider == ProviderOpenRouter {
		c.header.Set("HTTP-Referer", firstNonEmpty(cfg.Referer, DefaultReferer))
		c.header.Set("X-Title", firstNonEmpty(cfg.Title, DefaultTitle))
	}
	c.header.Del("Authorization") // the key goes only where go-openai puts it
	return c, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Provider returns the preset in use.
func (c *OpenAI) Provider() Provider { return c.provider }

// Model returns the default model.
func (c *OpenAI) Model() string { return c.model }

// Capabilities returns the structured-output capabilities in use.
func (c *OpenAI) Capabilities() Capabilities { return c.caps }

// Usage returns a snapshot of what the client has spent so far.
func (c *OpenAI) Usage() Usage {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.usage
}

// String describes the client without its key.
func (c *OpenAI) String() string {
	return fmt.Sprintf("llm.OpenAI{provider: %s, model: %q, base_url: %q}", c.provider, c.model, c.baseURL)
}

// Complete sends req, retrying as [RetryPolicy] says, and returns the reply.
//
// When JSON was asked for (a Schema or a JSON Mode), Response.JSON holds the
// object found in the reply. A reply cut by the token cap (ErrTruncated), one
// holding no JSON object (ErrMalformed) or a refusal (ErrRefused) is returned
// together with its Response, so the caller can show it or ask for a repair;
// every other error comes with a nil Response. Errors from the exchange are
// an [*APIError]; a ctx that ends returns ctx.Err() wrapped with the last
// attempt's error. The key never appears in an error.
func (c *OpenAI) Complete(ctx context.Context, req Request) (*Response, error) {
	start := time.Now()
	var tally callTally
	resp, err := c.complete(ctx, req, &tally)
	elapsed := time.Since(start)
	if resp != nil {
		resp.Attempts = tally.attempts
		resp.Duration = elapsed
	}

	c.mu.Lock()
	c.usage.Calls++
	c.usage.Attempts += tally.attempts
	if tally.attempts > 1 {
		c.usage.Retries += tally.attempts - 1
	}
	c.usage.PromptTokens += tally.tokens.PromptTokens
	c.usage.CompletionTokens += tally.tokens.CompletionTokens
	c.usage.TotalTokens += tally.tokens.TotalTokens
	c.usage.Duration += elapsed
	if err != nil {
		c.usage.Failures++
	}
	c.mu.Unlock()
	return resp, err
}

// callTally counts one Complete call.
type callTally struct {
	attempts int
	tokens   TokenUsage
}

func (c *OpenAI) complete(ctx context.Context, req Request, tally *callTally) (*Response, error) {
	if len(req.Messages) == 0 {
		return nil, fmt.Errorf("%w: no messages", ErrBadRequest)
	}
	model := firstNonEmpty(req.Model, c.model)
	mode := c.resolveMode(req, c.ceiling(model))
	oreq, patch, err := c.build(req, model, mode)
	if err != nil {
		return nil, err
	}
	var lastErr error
	retries := 0 // attempts that count against MaxAttempts, minus one
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			if lastErr != nil {
				return nil, fmt.Errorf("%w; after %d attempts: %w", err, attempt-1, lastErr)
			}
			return nil, fmt.Errorf("llm: %w", err)
		}
		tally.attempts = attempt
		resp, apiErr, err := c.attempt(ctx, oreq, patch, mode, tally)
		if err != nil { // final: success with a reply problem, ctx, or a local error
			return resp, err
		}
		if apiErr == nil {
			return resp, nil
		}
		lastErr = apiErr
		if lower := downgrade(mode); lower != mode && rejectsFormat(apiErr) {
			// The server refused the response_format: try the next mode
			// down at once, and remember it for this model.
			c.log.LogAttrs(ctx, slog.LevelWarn, "llm: response_format rejected, downgrading",
				slog.String("provider", string(c.provider)), slog.String("model", model),
				slog.String("from", string(mode)), slog.String("to", string(lower)))
			c.degraded.Store(model, lower)
			mode = lower
			if oreq, patch, err = c.build(req, model, mode); err != nil {
				return nil, err
			}
			continue
		}
		retries++
		if !apiErr.Retryable || retries >= c.retry.MaxAttempts {
			return nil, apiErr
		}
		wait, ok := c.backoff(retries, apiErr)
		if !ok {
			return nil, apiErr
		}
		if dl, has := ctx.Deadline(); has && time.Until(dl) <= wait {
			return nil, fmt.Errorf("%w; not retried: a wait of %s passes the caller's deadline", apiErr, wait.Round(time.Millisecond))
		}
		c.log.LogAttrs(ctx, slog.LevelWarn, "llm: retrying",
			slog.String("provider", string(c.provider)), slog.String("model", oreq.Model),
			slog.Int("attempt", attempt), slog.Duration("wait", wait), slog.String("error", apiErr.Error()))
		if err := c.retry.Sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%w; after %d attempts: %w", err, attempt, apiErr)
		}
	}
}

// backoff returns the wait before the next attempt: the server's
// Retry-After when it sent one, else BaseDelay·2^(attempt-1) with jitter,
// capped at MaxDelay. False if the server asks for more than MaxRetryAfter.
func (c *OpenAI) backoff(attempt int, e *APIError) (time.Duration, bool) {
	if e.hasRetryAfter {
		return e.RetryAfter, e.RetryAfter <= c.retry.MaxRetryAfter
	}
	d := c.retry.BaseDelay << (attempt - 1)
	if d <= 0 || d > c.retry.MaxDelay { // <= 0: shifted past int64
		d = c.retry.MaxDelay
	}
	d = time.Duration(float64(d) * (0.5 + jitter()))
	return min(d, c.retry.MaxDelay), true
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// build turns req into go-openai's request plus the body fields go-openai
// cannot express, and picks the output mode.
func (c *OpenAI) build(req Request, model string, mode Mode) (openai.ChatCompletionRequest, map[string]any, error) {
	oreq := openai.ChatCompletionRequest{Model: model, Seed: req.Seed}
	patch := map[string]any{}

	maxTokens := req.MaxTokens
	if maxTokens <= 0 {
		maxTokens = c.maxTokens
	}
	if c.caps.CompletionTokens {
		oreq.MaxCompletionTokens = maxTokens
	} else {
		oreq.MaxTokens = maxTokens // deprecated by OpenAI, but what other servers read
	}
	// go-openai's Temperature is a float32 with omitempty (chat.go), so 0 is
	// never sent and other values lose precision; v1.43 has no pointer or
	// extra-body field for chat. The value goes into the body directly.
	if req.Temperature != nil {
		patch["temperature"] = *req.Temperature
	}

	msgs := req.Messages
	switch mode {
	case ModeJSONSchema:
		schema := req.Schema.JSON
		var err error
		if c.caps.FlatSchema {
			if schema, err = FlattenSchema(schema); err != nil {
				return oreq, nil, err
			}
		}
		if c.caps.StrictSchema {
			if schema, err = StrictSchema(schema); err != nil {
				return oreq, nil, err
			}
		}
		oreq.ResponseFormat = &openai.ChatCompletionResponseFormat{
			Type: openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{
				Name:        firstNonEmpty(req.Schema.Name, "reply"),
				Description: req.Schema.Description,
				Schema:      json.RawMessage(schema),
				Strict:      c.caps.StrictSchema,
			},
		}
	case ModeJSONObject:
		oreq.ResponseFormat = &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
		msgs = withJSONInstruction(msgs, req.Schema)
	case ModePrompt:
		msgs = withJSONInstruction(msgs, req.Schema)
	}
	if oreq.ResponseFormat != nil && c.caps.RequireParameters {
		patch["provider"] = map[string]any{"require_parameters": true}
	}
	oreq.Messages = make([]openai.ChatCompletionMessage, len(msgs))
	for i, m := range msgs {
		oreq.Messages[i] = openai.ChatCompletionMessage{Role: string(m.Role), Content: m.Content}
	}
	return oreq, patch, nil
}

// resolveMode picks the output mode: the one asked for, downgraded along
// json_schema → json_object → prompt to what the provider honours and to
// the ceiling learnt from earlier refusals ("" for none).
func (c *OpenAI) resolveMode(req Request, ceiling Mode) Mode {
	mode := c.wantMode(req)
	for mode != ModeText && rank(mode) > rank(ceiling) {
		mode = downgrade(mode)
	}
	return mode
}

func (c *OpenAI) wantMode(req Request) Mode {
	want := req.Mode
	switch want {
	case ModeText, ModePrompt:
		return want
	case ModeAuto:
		if req.Schema == nil {
			return ModeText
		}
		want = ModeJSONSchema
	}
	if want == ModeJSONSchema && (req.Schema == nil || len(req.Schema.JSON) == 0 || !c.caps.JSONSchema) {
		want = ModeJSONObject
	}
	if want == ModeJSONObject && !c.caps.JSONObject {
		want = ModePrompt
	}
	return want
}

// rank orders the JSON modes; "" (no ceiling) ranks above all.
func rank(m Mode) int {
	switch m {
	case ModePrompt:
		return 0
	case ModeJSONObject:
		return 1
	case ModeJSONSchema:
		return 2
	default:
		return 3
	}
}

// downgrade returns the next JSON mode down; ModePrompt and ModeText stay.
func downgrade(m Mode) Mode {
	switch m {
	case ModeJSONSchema:
		return ModeJSONObject
	case ModeJSONObject:
		return ModePrompt
	default:
		return m
	}
}

// ceiling returns the best mode model may use after earlier refusals, "" if none.
func (c *OpenAI) ceiling(model string) Mode {
	if m, ok := c.degraded.Load(model); ok {
		return m.(Mode)
	}
	return ""
}

// rejectsFormat reports whether a 400-class error blames the requested
// output format (servers without structured outputs, OpenRouter finding no
// backend honouring require_parameters).
func rejectsFormat(e *APIError) bool {
	if !errors.Is(e, ErrBadRequest) {
		return false
	}
	msg := strings.ToLower(e.Message + " " + e.Code)
	for _, w := range []string{"response_format", "json_schema", "json_object", "structured output", "schema", "requested parameters"} {
		if strings.Contains(msg, w) {
			return true
		}
	}
	return false
}

// JSONInstruction is appended to the system prompt when JSON is asked for
// in the prompt (ModeJSONObject, ModePrompt). OpenAI's json_object mode also
// requires the word "JSON" in the messages.
const JSONInstruction = "Reply with one JSON object and nothing else: no prose, no code fences."

func withJSONInstruction(msgs []Message, schema *Schema) []Message {
	text := JSONInstruction
	if schema != nil && len(schema.JSON) > 0 {
		text += " The object must match this JSON schema:\n" + string(schema.JSON)
	}
	out := make([]Message, 0, len(msgs)+1)
	if len(msgs) > 0 && msgs[0].Role == RoleSystem {
		out = append(out, Message{Role: RoleSystem, Content: msgs[0].Content + "\n\n" + text})
		return append(out, msgs[1:]...)
	}
	out = append(out, System(text))
	return append(out, msgs...)
}

// attempt makes one HTTP request. It returns (resp, nil, nil) on success,
// (nil, apiErr, nil) for an exchange error the loop may retry, and
// (resp or nil, nil, err) for a final outcome.
func (c *OpenAI) attempt(ctx context.Context, oreq openai.ChatCompletionRequest, patch map[string]any, mode Mode, tally *callTally) (*Response, *APIError, error) {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	x := &exchange{client: c.http, header: c.header, patch: patch}
	cfg := openai.DefaultConfig(c.key)
	cfg.BaseURL = c.baseURL
	cfg.HTTPClient = x
	start := time.Now()
	r, err := openai.NewClientWithConfig(cfg).CreateChatCompletion(actx, oreq)
	c.log.LogAttrs(ctx, slog.LevelDebug, "llm: attempt",
		slog.String("provider", string(c.provider)), slog.String("model", oreq.Model),
		slog.Int("attempt", tally.attempts), slog.Int("status", x.status),
		slog.Duration("elapsed", time.Since(start)), slog.Bool("ok", err == nil))

	if err != nil {
		if ctx.Err() != nil { // the caller's ctx, not our per-attempt timeout
			return nil, nil, fmt.Errorf("llm: %w", ctx.Err())
		}
		return nil, c.exchangeError(actx, x, err), nilIfLocal(x, err, c.red)
	}
	if e := c.errorInBody(x); e != nil {
		return nil, e, nil
	}
	tally.tokens.PromptTokens += r.Usage.PromptTokens
	tally.tokens.CompletionTokens += r.Usage.CompletionTokens
	tally.tokens.TotalTokens += r.Usage.TotalTokens
	if len(r.Choices) == 0 {
		return nil, c.newError(ErrEmpty, x.status, true, "no choices in the reply"), nil
	}
	ch := r.Choices[0]
	resp := &Response{
		Text:         ch.Message.Content,
		FinishReason: string(ch.FinishReason),
		Model:        r.Model,
		Mode:         mode,
		Usage:        TokenUsage{PromptTokens: r.Usage.PromptTokens, CompletionTokens: r.Usage.CompletionTokens, TotalTokens: r.Usage.TotalTokens},
	}
	switch {
	case ch.Message.Refusal != "":
		return resp, nil, fmt.Errorf("%w: %s", ErrRefused, snippet(c.red.string(ch.Message.Refusal), 200))
	case ch.FinishReason == openai.FinishReasonContentFilter:
		return resp, nil, fmt.Errorf("%w: content filter", ErrRefused)
	case ch.FinishReason == openai.FinishReasonLength:
		return resp, nil, fmt.Errorf("%w: finish_reason length after %d completion tokens (cap %d)", ErrTruncated, r.Usage.CompletionTokens, max(oreq.MaxTokens, oreq.MaxCompletionTokens))
	case strings.TrimSpace(resp.Text) == "":
		return nil, c.newError(ErrEmpty, x.status, true, "reply has no content"), nil
	}
	if mode != ModeText {
		obj, err := ExtractJSON(resp.Text)
		if err != nil {
			return resp, nil, err
		}
		resp.JSON = obj
	}
	return resp, nil, nil
}

// nilIfLocal returns a final error when go-openai refused the request
// before sending it (its model checks); nil when the request went out.
func nilIfLocal(x *exchange, err error, red redactor) error {
	if x.sent {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrBadRequest, red.error(err))
}

// exchangeError classifies an error from go-openai after a request was sent.
func (c *OpenAI) exchangeError(actx context.Context, x *exchange, err error) *APIError {
	if !x.sent {
		return nil
	}
	var oe *openai.APIError
	var re *openai.RequestError
	switch {
	case errors.As(err, &oe):
		kind, retry := kindForStatus(oe.HTTPStatusCode)
		e := c.newError(kind, oe.HTTPStatusCode, retry, oe.Message)
		e.Code, e.Type = codeString(oe.Code), oe.Type
		e.RetryAfter, e.hasRetryAfter = retryAfter(x.respHeader, time.Now())
		return e
	case errors.As(err, &re):
		kind, retry := kindForStatus(re.HTTPStatusCode)
		e := c.newError(kind, re.HTTPStatusCode, retry, snippet(string(re.Body), 200))
		e.RetryAfter, e.hasRetryAfter = retryAfter(x.respHeader, time.Now())
		return e
	case x.gotBody: // a 2xx body go-openai could not decode
		e := c.newError(ErrInvalidResponse, x.status, true, fmt.Sprintf("%v; body: %s", err, snippet(string(x.body), 120)))
		e.cause = c.red.error(err)
		return e
	}
	var ne net.Error
	kind := ErrConnection
	if errors.Is(actx.Err(), context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		kind = ErrTimeout
	}
	e := c.newError(kind, x.status, true, err.Error())
	if kind == ErrTimeout {
		e.Message = fmt.Sprintf("no reply within %s", c.timeout)
	}
	e.cause = c.red.error(err)
	return e
}

// errorInBody turns a 2xx whose body is {"error": {...}} (OpenRouter does
// this for upstream failures; go-openai decodes it as no choices and no
// error) into an APIError. The embedded code, when it is an HTTP status,
// decides the kind and whether to retry.
func (c *OpenAI) errorInBody(x *exchange) *APIError {
	var env struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(x.body, &env) != nil || len(env.Error) == 0 || string(env.Error) == "null" {
		return nil
	}
	var oe openai.APIError
	if err := json.Unmarshal(env.Error, &oe); err != nil {
		var s string // {"error": "text"}
		if json.Unmarshal(env.Error, &s) != nil {
			s = string(env.Error)
		}
		oe = openai.APIError{Message: s}
	}
	code := codeString(oe.Code)
	kind, retry := ErrServer, false
	if n, err := strconv.Atoi(code); err == nil && n >= 400 && n < 600 {
		kind, retry = kindForStatus(n)
	} else {
		low := strings.ToLower(code + " " + oe.Type)
		switch {
		case strings.Contains(low, "rate_limit"):
			kind, retry = ErrRateLimited, true
		case strings.Contains(low, "overloaded") || strings.Contains(low, "server_error") || strings.Contains(low, "timeout"):
			retry = true
		}
	}
	e := c.newError(kind, x.status, retry, oe.Message)
	e.Code, e.Type = code, oe.Type
	e.RetryAfter, e.hasRetryAfter = retryAfter(x.respHeader, time.Now())
	return e
}

func (c *OpenAI) newError(kind error, status int, retry bool, msg string) *APIError {
	return &APIError{Provider: c.provider, StatusCode: status, Retryable: retry, Message: snippet(c.red.string(msg), 300), kind: kind}
}

func codeString(code any) string {
	switch v := code.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return fmt.Sprint(v)
	}
}

// retryAfter reads Retry-After (seconds or an HTTP date) or retry-after-ms.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if h == nil {
		return 0, false
	}
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		return time.Duration(max(s, 0) * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// maxBody bounds how much of a reply is read.
const maxBody = 8 << 20

// exchange is the HTTPDoer handed to go-openai for one attempt. go-openai
// has no per-request headers and no extra body fields for chat, and its
// errors drop the response headers (Retry-After) and 200 bodies holding an
// error; exchange adds the headers and body fields, and keeps the status,
// headers and body for classification.
type exchange struct {
	client *http.Client
	header http.Header
	patch  map[string]any

	sent       bool
	gotBody    bool
	status     int
	respHeader http.Header
	body       []byte
}

// Do sends req with the extra headers and body fields.
func (x *exchange) Do(req *http.Request) (*http.Response, error) {
	for k, vs := range x.header {
		req.Header[k] = vs
	}
	if len(x.patch) > 0 && req.Body != nil {
		raw, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		var body map[string]json.RawMessage
		if err := json.Unmarshal(raw, &body); err != nil {
			return nil, err
		}
		for k, v := range x.patch {
			b, err := json.Marshal(v)
			if err != nil {
				return nil, err
			}
			body[k] = b
		}
		if raw, err = json.Marshal(body); err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(strings.NewReader(string(raw)))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(string(raw))), nil }
		req.ContentLength = int64(len(raw))
	}
	x.sent = true
	resp, err := x.client.Do(req)
	if err != nil {
		return nil, err
	}
	x.status, x.respHeader = resp.StatusCode, resp.Header
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	x.body, x.gotBody = body, resp.StatusCode < 300
	resp.Body = io.NopCloser(strings.NewReader(string(body)))
	return resp, nil
}

// jitter returns a number in [0, 1).
func jitter() float64 { return rand.Float64() }
