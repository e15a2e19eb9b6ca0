package llmtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/llm/llmtest"
)

// post sends a chat request and returns the status, headers and decoded body.
func post(t *testing.T, ctx context.Context, url string, body string) (int, http.Header, map[string]any, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewBufferString(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer k")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	if m == nil {
		m = map[string]any{"raw": string(raw)}
	}
	return resp.StatusCode, resp.Header, m, nil
}

const chatBody = `{"model":"m1","messages":[{"role":"system","content":"s"},{"role":"user","content":"u"}],"temperature":0}`

func content(m map[string]any) (string, string) {
	ch := m["choices"].([]any)[0].(map[string]any)
	return ch["message"].(map[string]any)["content"].(string), ch["finish_reason"].(string)
}

func TestScriptAndRecording(t *testing.T) {
	srv := llmtest.NewServer(t,
		llmtest.Text("hello"),
		llmtest.Truncated(`{"a":`),
		llmtest.RateLimited("3"),
		llmtest.ErrorIn200(502, "upstream"),
		llmtest.Raw(502, "<html>bad gateway</html>"),
		llmtest.Empty(),
		llmtest.Reply{Content: "x", PromptTokens: 11, CompletionTokens: 2, Model: "served"},
	)
	url := srv.BaseURL() + "/chat/completions"

	status, _, m, err := post(t, t.Context(), url, chatBody)
	require.NoError(t, err)
	assert.Equal(t, 200, status)
	c, fin := content(m)
	assert.Equal(t, "hello", c)
	assert.Equal(t, "stop", fin)
	assert.Equal(t, "m1", m["model"], "echoes the request's model")
	assert.Equal(t, "chat.completion", m["object"])

	_, _, m, _ = post(t, t.Context(), url, chatBody)
	c, fin = content(m)
	assert.Equal(t, `{"a":`, c)
	assert.Equal(t, "length", fin)

	status, h, m, _ := post(t, t.Context(), url, chatBody)
	assert.Equal(t, 429, status)
	assert.Equal(t, "3", h.Get("Retry-After"))
	assert.Equal(t, "rate_limit_exceeded", m["error"].(map[string]any)["type"])

	status, _, m, _ = post(t, t.Context(), url, chatBody)
	assert.Equal(t, 200, status)
	assert.EqualValues(t, 502, m["error"].(map[string]any)["code"])

	status, _, m, _ = post(t, t.Context(), url, chatBody)
	assert.Equal(t, 502, status)
	assert.Equal(t, "<html>bad gateway</html>", m["raw"])

	_, _, m, _ = post(t, t.Context(), url, chatBody)
	assert.Empty(t, m["choices"])

	_, _, m, _ = post(t, t.Context(), url, chatBody)
	assert.Equal(t, "served", m["model"])
	assert.EqualValues(t, 13, m["usage"].(map[string]any)["total_tokens"])

	assert.Zero(t, srv.Pending())
	status, _, m, _ = post(t, t.Context(), url, chatBody)
	assert.Equal(t, 500, status, "script exhausted")
	assert.Contains(t, m["error"].(map[string]any)["message"], "no scripted reply left")

	srv.SetDefault(llmtest.Text("default"))
	_, _, m, _ = post(t, t.Context(), url, chatBody)
	c, _ = content(m)
	assert.Equal(t, "default", c)

	reqs := srv.Requests()
	require.Len(t, reqs, 9)
	r := reqs[0]
	assert.Equal(t, 0, r.Index)
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/v1/chat/completions", r.Path)
	assert.Equal(t, "Bearer k", r.Header.Get("Authorization"))
	assert.Equal(t, "m1", r.Model)
	assert.Equal(t, []llmtest.Message{{Role: "system", Content: "s"}, {Role: "user", Content: "u"}}, r.Messages)
	assert.True(t, r.Has("temperature"))
	temp, ok := r.Number("temperature")
	assert.True(t, ok)
	assert.Zero(t, temp)
	assert.False(t, r.Has("top_p"))
	assert.JSONEq(t, chatBody, string(r.Body))
	assert.Equal(t, 8, reqs[8].Index)
}

func TestOtherPathsAre404AndRecorded(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Text("kept for the chat call"))
	resp, err := http.Get(srv.URL + "/v1/models")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 404, resp.StatusCode)
	assert.Equal(t, 1, srv.Pending(), "a wrong path does not use a reply")
	r, ok := srv.Last()
	require.True(t, ok)
	assert.Equal(t, "GET", r.Method)
	assert.Nil(t, r.Fields)
}

func TestFuncSeesRequest(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Func(func(r llmtest.Request) llmtest.Reply {
		return llmtest.Func(func(r llmtest.Request) llmtest.Reply { return llmtest.Text("model was " + r.Model) })
	}))
	_, _, m, err := post(t, t.Context(), srv.BaseURL()+"/chat/completions", chatBody)
	require.NoError(t, err)
	c, _ := content(m)
	assert.Equal(t, "model was m1", c)

	var loop func(llmtest.Request) llmtest.Reply
	loop = func(llmtest.Request) llmtest.Reply { return llmtest.Func(loop) }
	srv.Enqueue(llmtest.Func(loop))
	status, _, _, err := post(t, t.Context(), srv.BaseURL()+"/chat/completions", chatBody)
	require.NoError(t, err)
	assert.Equal(t, 500, status, "endless Func replies end in an error, not a hang")
}

func TestDelayAndHangRespectClient(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Delayed(30*time.Millisecond, llmtest.Text("slow")), llmtest.Hang())
	start := time.Now()
	_, _, m, err := post(t, t.Context(), srv.BaseURL()+"/chat/completions", chatBody)
	require.NoError(t, err)
	c, _ := content(m)
	assert.Equal(t, "slow", c)
	assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, _, _, err = post(t, ctx, srv.BaseURL()+"/chat/completions", chatBody)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestCloseReleasesHangingRequests(t *testing.T) {
	srv := llmtest.New(llmtest.Hang())
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, srv.BaseURL()+"/chat/completions", bytes.NewBufferString(chatBody))
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	require.Eventually(t, func() bool { return srv.Count() == 1 }, 2*time.Second, 5*time.Millisecond)
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(2 * time.Second):
		t.Fatal("Close blocked on a hanging reply")
	}
	<-done
	srv.Close() // twice is fine
}

func TestConcurrentRequests(t *testing.T) {
	const n = 20
	srv := llmtest.NewServer(t)
	srv.SetDefault(llmtest.Text("ok"))
	var wg sync.WaitGroup
	statuses := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, srv.BaseURL()+"/chat/completions", bytes.NewBufferString(chatBody))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return
			}
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	for _, s := range statuses {
		assert.Equal(t, 200, s)
	}
	reqs := srv.Requests()
	require.Len(t, reqs, n)
	seen := map[int]bool{}
	for _, r := range reqs {
		seen[r.Index] = true
	}
	assert.Len(t, seen, n, "indexes are unique")
}

func TestJSONReplyEncodes(t *testing.T) {
	r := llmtest.JSON(map[string]int{"folds": 5})
	assert.Equal(t, `{"folds":5}`, r.Content)
	bad := llmtest.JSON(func() {})
	assert.Equal(t, 500, bad.Status)
}
