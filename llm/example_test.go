package llm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/automl-agent/automl/llm"
	"github.com/automl-agent/automl/llm/llmtest"
)

// A client for OpenRouter (the default provider), here pointed at the fake
// server; drop BaseURL to talk to the real endpoint.
func ExampleNew() {
	srv := llmtest.New(llmtest.Fenced(`{"families": ["gbdt", "linear"]}`))
	defer srv.Close()

	c, err := llm.New(llm.Config{APIKey: "sk-example", BaseURL: srv.BaseURL()})
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := c.Complete(context.Background(), llm.Request{
		Messages:    []llm.Message{llm.System("You plan AutoML runs."), llm.User("Which model families?")},
		Schema:      &llm.Schema{Name: "plan", JSON: json.RawMessage(`{"type":"object","properties":{"families":{"type":"array","items":{"type":"string"}}}}`)},
		Temperature: llm.Float(0),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Provider(), resp.Mode, string(resp.JSON))

	r, _ := srv.Last()
	fmt.Println(r.Path, r.Header.Get("X-Title"), r.Field("provider", "require_parameters"))
	fmt.Println(c.Usage().Calls, "call,", c.Usage().Attempts, "attempt")
	// Output:
	// openrouter json_schema {"families": ["gbdt", "linear"]}
	// /v1/chat/completions automl true
	// 1 call, 1 attempt
}

// Without a key in the environment, FromEnv says so and the caller can run offline.
func ExampleFromEnv() {
	cfg, err := llm.FromEnv()
	if errors.Is(err, llm.ErrNotConfigured) {
		fmt.Println("no LLM configured: using the heuristic planner")
		return
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("using", cfg) // prints the provider and model, never the key
}

func ExampleExtractJSON() {
	obj, err := llm.ExtractJSON("Sure! Here you go:\n```json\n{\"folds\": 5}\n```\nAnything else?")
	fmt.Println(string(obj), err)

	_, err = llm.ExtractJSON(`{"folds": 5, "models": ["gb`)
	fmt.Println(errors.Is(err, llm.ErrTruncated))
	// Output:
	// {"folds": 5} <nil>
	// true
}

func ExampleStrictSchema() {
	strict, err := llm.StrictSchema(json.RawMessage(`{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"string"}},"required":["a"]}`))
	fmt.Println(string(strict), err)
	// Output:
	// {"additionalProperties":false,"properties":{"a":{"type":"integer"},"b":{"type":["string","null"]}},"required":["a","b"],"type":"object"} <nil>
}
