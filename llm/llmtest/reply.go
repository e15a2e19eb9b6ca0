package llmtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Reply is one scripted answer. The zero value is a 200 chat completion with
// empty content. Build replies with the constructors below, or set fields
// directly.
type Reply struct {
	// Status is the HTTP status; 0 means 200.
	Status int
	// Header is added to the response (e.g. Retry-After).
	Header http.Header
	// Body, if non-nil, is sent as is instead of a chat completion: error
	// bodies, invalid JSON, {"error": ...} with a 200.
	Body []byte

	// Content is the assistant message of the chat completion.
	Content string
	// Refusal fills the message's refusal field.
	Refusal string
	// FinishReason; "" means "stop".
	FinishReason string
	// Model; "" echoes the request's model.
	Model string
	// PromptTokens and CompletionTokens are the reported usage; 0 means a
	// rough count (bytes/4) of the request body and of Content.
	PromptTokens, CompletionTokens int

	// Delay holds the reply back; it ends early, without replying, when the
	// client gives up or the server closes.
	Delay time.Duration
	// Hang never replies: the handler returns when the client gives up or
	// the server closes.
	Hang bool
	// Func, if set, computes the reply from the request (it may return
	// another Func reply, up to 8 deep). Other fields are ignored.
	Func func(Request) Reply
}

// Text replies 200 with content and finish_reason "stop".
func Text(content string) Reply { return Reply{Content: content} }

// JSON replies 200 with v encoded as the content. If v cannot be encoded
// (a bug in the test) the reply is a 500 saying why, so the test fails.
func JSON(v any) Reply {
	b, err := json.Marshal(v)
	if err != nil {
		return Error(http.StatusInternalServerError, "server_error", fmt.Sprintf("llmtest.JSON: %v", err))
	}
	return Text(string(b))
}

// Fenced replies with content inside a ```json fence, with a line of prose
// before and after, as chatty models do.
func Fenced(content string) Reply {
	return Text("Here is the plan:\n```json\n" + content + "\n```\nLet me know if you need changes.")
}

// Truncated replies with content and finish_reason "length", as when the
// token cap cuts a reply.
func Truncated(content string) Reply { return Reply{Content: content, FinishReason: "length"} }

// Malformed replies 200 with content that is not valid JSON.
func Malformed() Reply { return Text(`{"models": ["gbdt", "forest"], "folds": 5,,}`) }

// Refused replies with a refusal message.
func Refused(msg string) Reply { return Reply{Refusal: msg} }

// Empty replies 200 with a completion whose choices list is empty.
func Empty() Reply {
	return Raw(http.StatusOK, `{"id":"chatcmpl-empty","object":"chat.completion","created":1700000000,"model":"m","choices":[]}`)
}

// Raw replies with status and body as given.
func Raw(status int, body string) Reply { return Reply{Status: status, Body: []byte(body)} }

// Error replies with status and an OpenAI-style error body
// {"error": {"message": ..., "type": ..., "code": ...}}; code is the status.
func Error(status int, typ, message string) Reply {
	return Reply{Status: status, Body: errorBody(status, typ, message)}
}

// ErrorIn200 replies 200 with the error body OpenRouter sends when an
// upstream fails mid-request: {"error": {"code": code, "message": ...}}.
func ErrorIn200(code int, message string) Reply {
	return Reply{Status: http.StatusOK, Body: errorBody(code, "", message)}
}

// RateLimited replies 429 with Retry-After set to retryAfter (seconds or an
// HTTP date; "" sends no header).
func RateLimited(retryAfter string) Reply {
	r := Error(http.StatusTooManyRequests, "rate_limit_exceeded", "Rate limit reached, slow down")
	if retryAfter != "" {
		r.Header = http.Header{"Retry-After": {retryAfter}}
	}
	return r
}

// Delayed returns r held back by d.
func Delayed(d time.Duration, r Reply) Reply {
	r.Delay = d
	return r
}

// Hang never replies (until the client gives up or the server closes).
func Hang() Reply { return Reply{Hang: true} }

// Func computes the reply from the request.
func Func(f func(Request) Reply) Reply { return Reply{Func: f} }

func errorBody(code int, typ, message string) []byte {
	e := map[string]any{"message": message, "code": code}
	if typ != "" {
		e["type"] = typ
	}
	b, _ := json.Marshal(map[string]any{"error": e})
	return b
}

// Request is a recorded request.
type Request struct {
	// Index is the request's position in arrival order, from 0.
	Index int
	// Method, Path and Query (raw, without '?') of the request line.
	Method, Path, Query string
	// Header as received (Authorization included: tests check it).
	Header http.Header
	// Body is the raw body.
	Body []byte
	// Fields is the body decoded as a JSON object; nil if it is not one.
	// Numbers are json.Number, so "temperature": 0 is told apart from absent.
	Fields map[string]any
	// Model and Messages are read from the body for convenience.
	Model    string
	Messages []Message
}

// Message is a chat message read from a request body.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Has reports whether the body has a top-level field named key.
func (r Request) Has(key string) bool {
	_, ok := r.Fields[key]
	return ok
}

// Number returns a numeric top-level field; false if absent or not a number.
func (r Request) Number(key string) (float64, bool) {
	n, ok := r.Fields[key].(json.Number)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	return f, err == nil
}

// Field returns the value at a path of object keys, e.g.
// Field("response_format", "json_schema", "name"); nil if absent.
func (r Request) Field(path ...string) any {
	var cur any = r.Fields
	for _, k := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}

func (r *Request) decode() {
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	var fields map[string]any
	if dec.Decode(&fields) != nil {
		return
	}
	r.Fields = fields
	if m, ok := fields["model"].(string); ok {
		r.Model = m
	}
	var body struct {
		Messages []Message `json:"messages"`
	}
	if json.Unmarshal(r.Body, &body) == nil {
		r.Messages = body.Messages
	}
}
