package llmtest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/automl-agent/automl/llm"
	"github.com/automl-agent/automl/llm/llmtest"
)

// Script a rate limit and a truncated reply, then check what the client sent.
func Example() {
	srv := llmtest.New(
		llmtest.RateLimited("0"), // 429, retry at once
		llmtest.Truncated(`{"families": ["gbdt", "lin`),
	)
	defer srv.Close()

	c, _ := llm.New(llm.Config{Provider: llm.ProviderOpenAI, APIKey: "test", BaseURL: srv.BaseURL()})
	resp, err := c.Complete(context.Background(), llm.Request{
		Messages:    []llm.Message{llm.User("Plan, as JSON.")},
		Mode:        llm.ModeJSONObject,
		Temperature: llm.Float(0),
	})
	fmt.Println(errors.Is(err, llm.ErrTruncated), resp.FinishReason, resp.Attempts)

	for _, r := range srv.Requests() {
		temp, ok := r.Number("temperature")
		fmt.Println(r.Path, r.Model, r.Field("response_format", "type"), temp, ok)
	}
	// Output:
	// true length 2
	// /v1/chat/completions gpt-4.1-mini json_object 0 true
	// /v1/chat/completions gpt-4.1-mini json_object 0 true
}

// A reply computed from the request, and a delay the client's timeout cuts.
func ExampleFunc() {
	srv := llmtest.New(
		llmtest.Delayed(time.Minute, llmtest.Text("too late")),
		llmtest.Func(func(r llmtest.Request) llmtest.Reply {
			return llmtest.Text(fmt.Sprintf("you sent %d messages", len(r.Messages)))
		}),
	)
	defer srv.Close()

	c, _ := llm.New(llm.Config{
		Provider: llm.ProviderOllama, BaseURL: srv.BaseURL(),
		Timeout: 50 * time.Millisecond, // per attempt: the delayed reply times out, the retry gets the Func reply
		Retry:   llm.RetryPolicy{BaseDelay: time.Millisecond},
	})
	resp, err := c.Complete(context.Background(), llm.Request{Messages: []llm.Message{llm.System("s"), llm.User("u")}})
	fmt.Println(resp.Text, resp.Attempts, err)
	// Output:
	// you sent 2 messages 2 <nil>
}
