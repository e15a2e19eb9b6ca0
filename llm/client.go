package llm

import (
	"context"
	"encoding/json"
	"time"
)

// Client completes a chat. Implementations must be safe for concurrent use.
// [*OpenAI] is the one in this package; tests can fake Client with a func
// ([ClientFunc]) or run the real one against the fake server in llm/llmtest.
type Client interface {
	// Complete sends req and returns the reply. ctx bounds the whole call,
	// retries and waits included.
	Complete(ctx context.Context, req Request) (*Response, error)
}

// ClientFunc adapts a function to [Client].
type ClientFunc func(ctx context.Context, req Request) (*Response, error)

// Complete calls f.
func (f ClientFunc) Complete(ctx context.Context, req Request) (*Response, error) { return f(ctx, req) }

// UsageReporter is implemented by clients that count their calls
// ([*OpenAI] does). Find it by type assertion.
type UsageReporter interface {
	Usage() Usage
}

// Role is a chat message's author.
type Role string

// Message roles.
const (
	RoleSystem    Role = "system"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
)

// Message is one chat turn.
type Message struct {
	Role    Role   `json:"role"`
	Content string `json:"content"`
}

// System returns a system message.
func System(text string) Message { return Message{Role: RoleSystem, Content: text} }

// User returns a user message.
func User(text string) Message { return Message{Role: RoleUser, Content: text} }

// Assistant returns an assistant message (a previous reply, e.g. before a repair request).
func Assistant(text string) Message { return Message{Role: RoleAssistant, Content: text} }

// Mode is how structured (JSON) output is asked for.
type Mode string

// Output modes. A mode the provider cannot honour is downgraded
// (json_schema → json_object → prompt), before sending when the preset says
// so, or after a 400 that blames the format (remembered per model);
// Response.Mode says what was used.
const (
	// ModeAuto: with a Schema, the best the provider supports; without one, text.
	ModeAuto Mode = ""
	// ModeText: free text; no JSON is asked for or extracted.
	ModeText Mode = "text"
	// ModeJSONSchema: response_format json_schema with Request.Schema.
	ModeJSONSchema Mode = "json_schema"
	// ModeJSONObject: response_format json_object, plus the schema (if any)
	// in the system prompt.
	ModeJSONObject Mode = "json_object"
	// ModePrompt: no response_format; the system prompt asks for one JSON
	// object (matching the schema, if any). The reply is still checked.
	ModePrompt Mode = "prompt"
)

// Schema is a JSON schema for the reply.
type Schema struct {
	// Name identifies the schema to the provider ([a-zA-Z0-9_-], up to 64
	// characters); "" means "reply".
	Name string `json:"name"`
	// Description is optional guidance sent with the schema.
	Description string `json:"description,omitempty"`
	// JSON is the schema document; its root must be an object schema.
	JSON json.RawMessage `json:"schema"`
}

// Request is one chat completion.
type Request struct {
	// Messages are sent in order. At least one is required.
	Messages []Message `json:"messages"`
	// Model replaces the client's model for this call; "" keeps it.
	Model string `json:"model,omitempty"`
	// Schema, if set, asks for a JSON object matching it (how depends on Mode
	// and the provider) and the reply is checked to be one JSON object.
	Schema *Schema `json:"schema,omitempty"`
	// Mode; the zero value (ModeAuto) picks the best mode for the provider.
	Mode Mode `json:"mode,omitempty"`
	// MaxTokens caps the reply; 0 means Config.MaxTokens.
	MaxTokens int `json:"max_tokens,omitempty"`
	// Temperature is sent as given, 0 included; nil leaves the server's
	// default. Reasoning models (OpenAI's o-series and gpt-5) reject any
	// value but their default: leave it nil for them.
	Temperature *float64 `json:"temperature,omitempty"`
	// Seed asks for reproducible sampling where supported; nil sends none.
	Seed *int `json:"seed,omitempty"`
}

// Float returns a pointer to v, for Request.Temperature.
func Float(v float64) *float64 { return &v }

// TokenUsage counts the tokens of one call as the server reported them.
type TokenUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// Response is a completed chat.
type Response struct {
	// Text is the reply as sent.
	Text string `json:"text"`
	// JSON is the JSON object found in Text when JSON was asked for (a Schema
	// or a JSON Mode); nil otherwise. See [ExtractJSON].
	JSON json.RawMessage `json:"json,omitempty"`
	// FinishReason is the server's ("stop", "length", "content_filter", ...).
	FinishReason string `json:"finish_reason"`
	// Model is the model that answered, as the server named it.
	Model string `json:"model"`
	// Mode is the structured-output mode used after any downgrade.
	Mode Mode `json:"mode"`
	// Usage counts the tokens of the successful attempt.
	Usage TokenUsage `json:"usage"`
	// Attempts is the number of HTTP requests made, retries included.
	Attempts int `json:"attempts"`
	// Duration is the wall time of the call, waits included.
	Duration time.Duration `json:"duration"`
}

// Usage accumulates what a client spent. Durations and counts cover every
// Complete call, failed ones included.
type Usage struct {
	// Calls counts Complete calls.
	Calls int `json:"calls"`
	// Failures counts calls that returned an error.
	Failures int `json:"failures"`
	// Attempts counts HTTP requests; Retries is Attempts minus first tries.
	Attempts int `json:"attempts"`
	Retries  int `json:"retries"`
	// Tokens as reported by the server, summed over successful attempts.
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
	// Duration sums the wall time of the calls (concurrent calls overlap).
	Duration time.Duration `json:"duration"`
}

// Sub returns u minus v, the usage between two snapshots.
func (u Usage) Sub(v Usage) Usage {
	return Usage{
		Calls: u.Calls - v.Calls, Failures: u.Failures - v.Failures,
		Attempts: u.Attempts - v.Attempts, Retries: u.Retries - v.Retries,
		PromptTokens: u.PromptTokens - v.PromptTokens, CompletionTokens: u.CompletionTokens - v.CompletionTokens,
		TotalTokens: u.TotalTokens - v.TotalTokens, Duration: u.Duration - v.Duration,
	}
}
