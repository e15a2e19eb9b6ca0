// Package llm talks to large language models through OpenAI-compatible
// chat-completions endpoints: OpenRouter (the default), OpenAI, Anthropic's
// and Gemini's compatibility endpoints, and local servers (Ollama,
// llama.cpp, vLLM or any other). The planner uses it to ask for a plan as
// JSON; nothing here knows about plans.
//
// # The client
//
// [Client] is one method, Complete(ctx, Request) (*Response, error).
// [New] builds the one implementation, [*OpenAI], from a [Config]; [FromEnv]
// fills a Config from OPENROUTER_API_KEY, OPENAI_API_KEY, ANTHROPIC_API_KEY,
// GEMINI_API_KEY, AUTOML_LLM_PROVIDER, AUTOML_LLM_BASE_URL and
// AUTOML_LLM_MODEL (precedence in its doc) and fails with ErrNotConfigured
// when none is set.
//
//	cfg, err := llm.FromEnv()
//	if err != nil { ... } // errors.Is(err, llm.ErrNotConfigured): run offline
//	c, err := llm.New(cfg)
//	resp, err := c.Complete(ctx, llm.Request{
//		Messages:    []llm.Message{llm.System("You plan AutoML runs."), llm.User(brief)},
//		Schema:      &llm.Schema{Name: "plan", JSON: schema},
//		Temperature: llm.Float(0),
//	})
//	// resp.JSON holds the object; check it against the schema yourself.
//
// # Structured output
//
// Providers honour JSON output differently, so each [Preset] carries
// [Capabilities] and the client picks the best [Mode] it can: OpenAI and
// OpenRouter get a strict json_schema (the schema rewritten by
// [StrictSchema]; OpenRouter also asks to route only to backends that honour
// it, provider.require_parameters); Gemini and local servers get a
// json_schema flattened by [FlattenSchema] (no $ref/$defs); Anthropic's
// compatibility layer ignores response_format, so the schema goes into the
// system prompt. A 400 that blames the format (a local server without
// structured outputs, say) makes the client step down json_schema →
// json_object → prompt at once, and remember the step for that model.
// Whatever the mode, the reply is checked to hold a JSON
// object ([ExtractJSON] also accepts fenced and chatty replies); checking it
// against the schema is the caller's job, since some routes ignore schemas.
//
// # Failures
//
// Errors wrap a sentinel (ErrRateLimited, ErrAuth, ErrTruncated, ...) and
// exchange errors are an [*APIError] with the status, the provider's code and
// whether it is retryable. Retries follow [RetryPolicy]: 408/409/425/429,
// 5xx, timeouts, connection failures, empty replies and 200 replies whose
// body is an error are retried with exponential backoff and jitter, or after
// the server's Retry-After; 400, 401, 402, 403 and 404 never are. Each
// attempt has its own timeout (Config.Timeout); ctx bounds the whole call,
// and a wait that would pass its deadline is not started. Truncated,
// malformed and refused replies are returned with their [Response] so the
// caller can ask for a repair.
//
// # What go-openai leaves to us
//
// The client is built on github.com/sashabaranov/go-openai v1.43.0, which
// never retries, drops Temperature 0 (a float32 with omitempty), has no
// per-request headers or extra body fields for chat, hides Retry-After and
// decodes a 200 whose body is {"error": ...} as a reply with no choices and
// no error. Each attempt hands go-openai an HTTP doer that adds the headers
// (OpenRouter's HTTP-Referer and X-Title) and body fields (temperature,
// provider), and keeps the status, headers and body for the checks above.
//
// # Secrets and accounting
//
// The key is sent only in the Authorization header. It is never logged and
// never in an error: provider messages that echo it are redacted, and
// Config's String, GoString and LogValue omit it. [OpenAI.Usage] counts
// calls, attempts, retries, failures, tokens and time, safely under
// concurrent calls.
//
// # Testing
//
// Package llm/llmtest is a scripted fake server speaking the same wire
// format; point Config.BaseURL at it. [ClientFunc] fakes a Client without HTTP.
package llm
