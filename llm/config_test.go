package llm

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFromEnvPrecedence(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want Config
		err  error
	}{
		{"nothing", nil, Config{}, ErrNotConfigured},
		{"openrouter first", map[string]string{"OPENAI_API_KEY": "o", "OPENROUTER_API_KEY": "r", "GEMINI_API_KEY": "g"},
			Config{Provider: ProviderOpenRouter, APIKey: "r"}, nil},
		{"openai before anthropic", map[string]string{"ANTHROPIC_API_KEY": "a", "OPENAI_API_KEY": "o"},
			Config{Provider: ProviderOpenAI, APIKey: "o"}, nil},
		{"anthropic before gemini", map[string]string{"ANTHROPIC_API_KEY": "a", "GEMINI_API_KEY": "g"},
			Config{Provider: ProviderAnthropic, APIKey: "a"}, nil},
		{"gemini", map[string]string{"GEMINI_API_KEY": " g "}, Config{Provider: ProviderGemini, APIKey: "g"}, nil},
		{"provider picks its key", map[string]string{"AUTOML_LLM_PROVIDER": "Gemini", "OPENROUTER_API_KEY": "r", "GEMINI_API_KEY": "g", "AUTOML_LLM_MODEL": "gemini-x"},
			Config{Provider: ProviderGemini, APIKey: "g", Model: "gemini-x"}, nil},
		{"provider without its key", map[string]string{"AUTOML_LLM_PROVIDER": "openai", "OPENROUTER_API_KEY": "r"}, Config{}, ErrNoKey},
		{"unknown provider", map[string]string{"AUTOML_LLM_PROVIDER": "skynet"}, Config{}, ErrUnknownProvider},
		{"local provider", map[string]string{"AUTOML_LLM_PROVIDER": "llama.cpp", "AUTOML_LLM_BASE_URL": "http://h:1/v1"},
			Config{Provider: ProviderLlamaCpp, BaseURL: "http://h:1/v1"}, nil},
		{"base url alone", map[string]string{"AUTOML_LLM_BASE_URL": "http://h:2/v1", "AUTOML_LLM_MODEL": "qwen"},
			Config{Provider: ProviderLocal, BaseURL: "http://h:2/v1", Model: "qwen"}, nil},
		{"key and base url", map[string]string{"OPENAI_API_KEY": "o", "AUTOML_LLM_BASE_URL": "http://proxy/v1"},
			Config{Provider: ProviderOpenAI, APIKey: "o", BaseURL: "http://proxy/v1"}, nil},
		{"empty counts as unset", map[string]string{"OPENROUTER_API_KEY": "", "AUTOML_LLM_PROVIDER": " "}, Config{}, ErrNotConfigured},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := fromEnv(func(k string) string { return tc.env[k] })
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want.Provider, got.Provider)
			assert.Equal(t, tc.want.APIKey, got.APIKey)
			assert.Equal(t, tc.want.BaseURL, got.BaseURL)
			assert.Equal(t, tc.want.Model, got.Model)
		})
	}
}

func TestFromEnvReadsProcessEnv(t *testing.T) {
	for _, k := range []string{"OPENROUTER_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", EnvProvider, EnvBaseURL, EnvModel} {
		t.Setenv(k, "")
	}
	_, err := FromEnv()
	require.ErrorIs(t, err, ErrNotConfigured)
	t.Setenv("ANTHROPIC_API_KEY", "k")
	cfg, err := FromEnv()
	require.NoError(t, err)
	assert.Equal(t, ProviderAnthropic, cfg.Provider)
}

func TestParseProvider(t *testing.T) {
	for in, want := range map[string]Provider{
		"": ProviderOpenRouter, "OpenRouter": ProviderOpenRouter, "openai": ProviderOpenAI, "claude": ProviderAnthropic,
		"llama-cpp": ProviderLlamaCpp, "VLLM": ProviderVLLM, "ollama": ProviderOllama, "local": ProviderLocal, "google": ProviderGemini,
	} {
		got, err := ParseProvider(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := ParseProvider("gpt")
	assert.ErrorIs(t, err, ErrUnknownProvider)
	assert.Len(t, Providers(), 8)
	for _, p := range Providers() {
		ps, ok := PresetFor(p)
		require.True(t, ok)
		assert.Equal(t, p, ps.Provider)
		assert.Positive(t, ps.Timeout)
	}
}

func TestBackoffGrowsAndCaps(t *testing.T) {
	c := &OpenAI{retry: RetryPolicy{BaseDelay: 100, MaxDelay: 1000, MaxRetryAfter: 5000}}
	for attempt := 1; attempt <= 70; attempt++ {
		d, ok := c.backoff(attempt, &APIError{})
		require.True(t, ok)
		lo := min(float64(int64(100)<<min(attempt-1, 20)), 1000) * 0.5
		assert.GreaterOrEqual(t, float64(d), lo*0.999, "attempt %d", attempt)
		assert.LessOrEqual(t, int64(d), int64(1000), "attempt %d", attempt)
	}
	d, ok := c.backoff(1, &APIError{RetryAfter: 4000, hasRetryAfter: true})
	assert.True(t, ok)
	assert.EqualValues(t, 4000, d)
	_, ok = c.backoff(1, &APIError{RetryAfter: 6000, hasRetryAfter: true})
	assert.False(t, ok)
}
