package llm

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"
)

// Provider names an OpenAI-compatible service whose endpoint, key variable
// and capabilities are known (see [PresetFor]).
type Provider string

// The providers with a preset. The zero Provider means ProviderOpenRouter.
const (
	// ProviderOpenRouter routes to many models (https://openrouter.ai/api/v1).
	// Key OPENROUTER_API_KEY. json_schema honoured when the routed provider
	// supports it, so requests ask for provider.require_parameters.
	ProviderOpenRouter Provider = "openrouter"
	// ProviderOpenAI is OpenAI's API (https://api.openai.com/v1). Key
	// OPENAI_API_KEY. Strict json_schema.
	ProviderOpenAI Provider = "openai"
	// ProviderAnthropic is Anthropic's OpenAI-compatible endpoint
	// (https://api.anthropic.com/v1). Key ANTHROPIC_API_KEY. It ignores
	// response_format, so JSON is asked for in the prompt and checked here.
	ProviderAnthropic Provider = "anthropic"
	// ProviderGemini is Gemini's OpenAI-compatible endpoint
	// (https://generativelanguage.googleapis.com/v1beta/openai). Key
	// GEMINI_API_KEY. json_schema must be flat: $ref/$defs are inlined.
	ProviderGemini Provider = "gemini"
	// ProviderOllama is a local Ollama server (http://localhost:11434/v1). No key.
	ProviderOllama Provider = "ollama"
	// ProviderLlamaCpp is a local llama.cpp server (http://localhost:8080/v1). No key.
	ProviderLlamaCpp Provider = "llamacpp"
	// ProviderVLLM is a local vLLM server (http://localhost:8000/v1). No key;
	// the model must be the served model's name.
	ProviderVLLM Provider = "vllm"
	// ProviderLocal is any other OpenAI-compatible server; the base URL must
	// be given. A key is sent if one is set.
	ProviderLocal Provider = "local"
)

// Capabilities says how a provider honours structured output and a few
// wire-format details. The zero value asks for JSON in the prompt only.
type Capabilities struct {
	// JSONSchema: response_format {"type":"json_schema"} is honoured.
	JSONSchema bool `json:"json_schema"`
	// StrictSchema: send "strict": true and rewrite the schema with
	// [StrictSchema] (every property required, additionalProperties false).
	StrictSchema bool `json:"strict_schema"`
	// FlatSchema: the schema must not use $ref/$defs/$schema; it is rewritten
	// with [FlattenSchema].
	FlatSchema bool `json:"flat_schema"`
	// JSONObject: response_format {"type":"json_object"} is honoured.
	JSONObject bool `json:"json_object"`
	// RequireParameters: add provider.require_parameters=true when a
	// response_format is sent, so a router only picks backends that honour it
	// (OpenRouter).
	RequireParameters bool `json:"require_parameters"`
	// CompletionTokens: send the token cap as max_completion_tokens (OpenAI's
	// current name) rather than max_tokens (what other servers read).
	CompletionTokens bool `json:"completion_tokens"`
}

// Preset is what is known about a provider.
type Preset struct {
	Provider Provider `json:"provider"`
	// BaseURL ends before /chat/completions.
	BaseURL string `json:"base_url"`
	// KeyEnv is the environment variable holding the key, empty for local servers.
	KeyEnv string `json:"key_env,omitempty"`
	// NeedsKey: requests without a key are refused before sending.
	NeedsKey bool `json:"needs_key"`
	// Model is the model used when Config.Model is empty; empty means the
	// caller must name one.
	Model string `json:"model,omitempty"`
	// Timeout is the default per-attempt timeout.
	Timeout time.Duration `json:"timeout"`
	// Capabilities of the endpoint.
	Capabilities Capabilities `json:"capabilities"`
}

const (
	cloudTimeout = 60 * time.Second
	localTimeout = 180 * time.Second
)

var presets = map[Provider]Preset{
	ProviderOpenRouter: {
		Provider: ProviderOpenRouter, BaseURL: "https://openrouter.ai/api/v1",
		KeyEnv: "OPENROUTER_API_KEY", NeedsKey: true, Model: "openai/gpt-4.1-mini", Timeout: cloudTimeout,
		Capabilities: Capabilities{JSONSchema: true, StrictSchema: true, JSONObject: true, RequireParameters: true},
	},
	ProviderOpenAI: {
		Provider: ProviderOpenAI, BaseURL: "https://api.openai.com/v1",
		KeyEnv: "OPENAI_API_KEY", NeedsKey: true, Model: "gpt-4.1-mini", Timeout: cloudTimeout,
		Capabilities: Capabilities{JSONSchema: true, StrictSchema: true, JSONObject: true, CompletionTokens: true},
	},
	ProviderAnthropic: {
		Provider: ProviderAnthropic, BaseURL: "https://api.anthropic.com/v1",
		KeyEnv: "ANTHROPIC_API_KEY", NeedsKey: true, Model: "claude-haiku-4-5", Timeout: cloudTimeout,
		Capabilities: Capabilities{}, // response_format is ignored: prompt and check
	},
	ProviderGemini: {
		Provider: ProviderGemini, BaseURL: "https://generativelanguage.googleapis.com/v1beta/openai",
		KeyEnv: "GEMINI_API_KEY", NeedsKey: true, Model: "gemini-2.5-flash", Timeout: cloudTimeout,
		Capabilities: Capabilities{JSONSchema: true, FlatSchema: true, JSONObject: true},
	},
	ProviderOllama: {
		Provider: ProviderOllama, BaseURL: "http://localhost:11434/v1", Model: "llama3.2", Timeout: localTimeout,
		Capabilities: Capabilities{JSONSchema: true, FlatSchema: true, JSONObject: true},
	},
	ProviderLlamaCpp: {
		Provider: ProviderLlamaCpp, BaseURL: "http://localhost:8080/v1", Model: "local", Timeout: localTimeout,
		Capabilities: Capabilities{JSONSchema: true, FlatSchema: true, JSONObject: true},
	},
	ProviderVLLM: {
		Provider: ProviderVLLM, BaseURL: "http://localhost:8000/v1", Timeout: localTimeout,
		Capabilities: Capabilities{JSONSchema: true, JSONObject: true},
	},
	ProviderLocal: {
		Provider: ProviderLocal, Timeout: localTimeout,
		Capabilities: Capabilities{JSONSchema: true, FlatSchema: true, JSONObject: true},
	},
}

// PresetFor returns the preset of p ("" means OpenRouter) and false if p is unknown.
func PresetFor(p Provider) (Preset, bool) {
	if p == "" {
		p = ProviderOpenRouter
	}
	ps, ok := presets[p]
	return ps, ok
}

// Providers lists the providers with a preset, sorted.
func Providers() []Provider {
	out := make([]Provider, 0, len(presets))
	for p := range presets {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// ParseProvider reads a provider name, case-insensitively, accepting
// "llama.cpp" and "llama-cpp" for llamacpp. The empty string gives OpenRouter.
func ParseProvider(s string) (Provider, error) {
	n := strings.ToLower(strings.TrimSpace(s))
	switch n {
	case "":
		return ProviderOpenRouter, nil
	case "llama.cpp", "llama-cpp", "llama_cpp":
		n = string(ProviderLlamaCpp)
	case "google":
		n = string(ProviderGemini)
	case "claude":
		n = string(ProviderAnthropic)
	}
	if _, ok := presets[Provider(n)]; !ok {
		return "", fmt.Errorf("%w %q (known: %v)", ErrUnknownProvider, s, Providers())
	}
	return Provider(n), nil
}

// Default settings used when the Config leaves them zero.
const (
	DefaultMaxTokens   = 2048
	DefaultMaxAttempts = 3
	DefaultBaseDelay   = 500 * time.Millisecond
	DefaultMaxDelay    = 20 * time.Second
	// DefaultMaxRetryAfter: a Retry-After longer than this is not waited for;
	// the error is returned with APIError.RetryAfter set.
	DefaultMaxRetryAfter = 60 * time.Second
	// DefaultReferer and DefaultTitle identify the app to OpenRouter.
	DefaultReferer = "https://github.com/automl-agent/automl"
	DefaultTitle   = "automl"
)

// Config sets up a client. The zero value (plus a key) talks to OpenRouter.
// Its String, GoString and LogValue methods never show the key, so a Config
// may be printed or logged.
type Config struct {
	// Provider picks the preset; "" means ProviderOpenRouter.
	Provider Provider `json:"provider,omitempty"`
	// APIKey is sent as "Authorization: Bearer <key>". Empty is an error
	// (ErrNoKey) for cloud providers and fine for local servers. Never
	// serialised, printed or logged.
	APIKey string `json:"-"`
	// BaseURL replaces the preset's endpoint (the part before
	// /chat/completions); "" keeps it. Required for ProviderLocal.
	BaseURL string `json:"base_url,omitempty"`
	// Model replaces the preset's default model; "" keeps it.
	Model string `json:"model,omitempty"`

	// Referer and Title are sent to OpenRouter as HTTP-Referer and X-Title
	// (its app attribution); "" means DefaultReferer and DefaultTitle. Other
	// providers do not get them.
	Referer string `json:"referer,omitempty"`
	Title   string `json:"title,omitempty"`
	// Header holds extra headers sent on every request; nil sends none. It
	// cannot override Authorization.
	Header http.Header `json:"-"`
	// Capabilities replaces the preset's; nil keeps them.
	Capabilities *Capabilities `json:"capabilities,omitempty"`

	// MaxTokens caps each reply when Request.MaxTokens is 0; 0 means DefaultMaxTokens.
	MaxTokens int `json:"max_tokens,omitempty"`
	// Timeout bounds each attempt; 0 means the preset's (60 s for cloud
	// providers, 180 s for local servers). The caller's ctx deadline still wins.
	Timeout time.Duration `json:"timeout,omitempty"`
	// Retry sets the retry policy; its zero fields take the defaults.
	Retry RetryPolicy `json:"retry"`

	// HTTPClient sends the requests; nil means a new http.Client. Its own
	// Timeout, if any, also applies.
	HTTPClient *http.Client `json:"-"`
	// Logger receives one debug record per attempt and a warning per retry
	// (provider, model, status, timing; never the key or the prompt); nil
	// discards.
	Logger *slog.Logger `json:"-"`
}

// RetryPolicy says when and how long to wait before trying again. Retried:
// 408, 409, 425, 429, 5xx (not 501/505), timeouts, connection failures,
// undecodable 2xx bodies, empty replies and 200s whose body carries a
// retryable error. Never retried: 400, 401, 402, 403, 404, 422 and other 4xx,
// truncated, malformed or refused replies.
type RetryPolicy struct {
	// MaxAttempts counts the first try; 0 means DefaultMaxAttempts; 1
	// disables retries. A step down in output mode after a format refusal
	// is not counted.
	MaxAttempts int `json:"max_attempts,omitempty"`
	// BaseDelay is the first backoff; each retry doubles it, times a jitter
	// in [0.5, 1.5); 0 means DefaultBaseDelay.
	BaseDelay time.Duration `json:"base_delay,omitempty"`
	// MaxDelay caps the computed backoff; 0 means DefaultMaxDelay.
	MaxDelay time.Duration `json:"max_delay,omitempty"`
	// MaxRetryAfter is the longest server-requested wait honoured; a longer
	// Retry-After ends the call with the error. 0 means DefaultMaxRetryAfter.
	MaxRetryAfter time.Duration `json:"max_retry_after,omitempty"`
	// Sleep waits between attempts; nil means a timer that stops early when
	// ctx ends. Tests set it to record waits without sleeping.
	Sleep func(ctx context.Context, d time.Duration) error `json:"-"`
}

// String describes the config without the key ("key set" or "no key").
func (c Config) String() string {
	p := c.Provider
	if p == "" {
		p = ProviderOpenRouter
	}
	key := "no key"
	if c.APIKey != "" {
		key = "key set"
	}
	return fmt.Sprintf("llm.Config{provider: %s, model: %q, base_url: %q, %s}", p, c.Model, c.BaseURL, key)
}

// GoString is String, so %#v does not print the key either.
func (c Config) GoString() string { return c.String() }

// LogValue logs the config without the key.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Environment variables read by [FromEnv].
const (
	EnvProvider = "AUTOML_LLM_PROVIDER"
	EnvBaseURL  = "AUTOML_LLM_BASE_URL"
	EnvModel    = "AUTOML_LLM_MODEL"
)

// keyOrder is the precedence of keys when AUTOML_LLM_PROVIDER is unset.
var keyOrder = []Provider{ProviderOpenRouter, ProviderOpenAI, ProviderAnthropic, ProviderGemini}

// FromEnv builds a Config from the environment. Precedence:
//
//  1. AUTOML_LLM_PROVIDER, if set, picks the provider; its key variable
//     (e.g. OPENAI_API_KEY) supplies the key, and a missing key is ErrNoKey
//     for a cloud provider.
//  2. Otherwise the first key set among OPENROUTER_API_KEY, OPENAI_API_KEY,
//     ANTHROPIC_API_KEY and GEMINI_API_KEY picks its provider.
//  3. Otherwise AUTOML_LLM_BASE_URL alone picks ProviderLocal (no key).
//  4. Otherwise the error wraps ErrNotConfigured.
//
// AUTOML_LLM_BASE_URL and AUTOML_LLM_MODEL then replace the preset's
// endpoint and model. Empty variables count as unset.
func FromEnv() (Config, error) { return fromEnv(os.Getenv) }

func fromEnv(getenv func(string) string) (Config, error) {
	var c Config
	c.BaseURL = strings.TrimSpace(getenv(EnvBaseURL))
	c.Model = strings.TrimSpace(getenv(EnvModel))
	if name := getenv(EnvProvider); strings.TrimSpace(name) != "" {
		p, err := ParseProvider(name)
		if err != nil {
			return Config{}, fmt.Errorf("%s: %w", EnvProvider, err)
		}
		c.Provider = p
		ps := presets[p]
		if ps.KeyEnv != "" {
			c.APIKey = strings.TrimSpace(getenv(ps.KeyEnv))
		}
		if ps.NeedsKey && c.APIKey == "" {
			return Config{}, fmt.Errorf("%w: %s=%s but %s is empty", ErrNoKey, EnvProvider, p, ps.KeyEnv)
		}
		return c, nil
	}
	for _, p := range keyOrder {
		if key := strings.TrimSpace(getenv(presets[p].KeyEnv)); key != "" {
			c.Provider, c.APIKey = p, key
			return c, nil
		}
	}
	if c.BaseURL != "" {
		c.Provider = ProviderLocal
		return c, nil
	}
	return Config{}, fmt.Errorf("%w: set one of OPENROUTER_API_KEY, OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY or %s", ErrNotConfigured, EnvBaseURL)
}
