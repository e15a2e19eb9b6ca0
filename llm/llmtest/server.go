package llmtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a fake chat-completions endpoint. It answers POST requests to any
// path ending in /chat/completions with the next scripted [Reply], or with
// the default reply once the script is used up, and records every request
// it receives (any method, any path). Other paths get 404.
//
// A Server is safe for concurrent use. Requests are answered in arrival
// order; with concurrent callers, which caller gets which reply is up to
// the scheduler.
type Server struct {
	// URL is the server's root, e.g. http://127.0.0.1:41234.
	URL string

	ts   *httptest.Server
	done chan struct{}
	once sync.Once

	mu       sync.Mutex
	script   []Reply
	fallback Reply
	requests []Request
}

// exhausted is the default reply once the script is used up: a 500 whose
// message says so, so an unexpected extra call fails loudly.
var exhausted = Error(http.StatusInternalServerError, "server_error", "llmtest: no scripted reply left")

// New starts a Server that plays replies in order. Call Close when done.
func New(replies ...Reply) *Server {
	s := &Server{done: make(chan struct{}), script: append([]Reply(nil), replies...), fallback: exhausted}
	s.ts = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.ts.URL
	return s
}

// NewServer starts a Server that is closed when t ends.
func NewServer(t testing.TB, replies ...Reply) *Server {
	t.Helper()
	s := New(replies...)
	t.Cleanup(s.Close)
	return s
}

// Close releases replies still waiting (delays and hangs end at once) and
// shuts the server down. Safe to call more than once.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.done)
		s.ts.CloseClientConnections()
		s.ts.Close()
	})
}

// BaseURL returns URL + "/v1", the base URL an OpenAI-compatible client wants.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// Enqueue appends replies to the script.
func (s *Server) Enqueue(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, replies...)
}

// SetDefault sets the reply used once the script is used up. Until it is
// called, that reply is a 500 whose message says "llmtest: no scripted reply
// left", so an unexpected extra call fails loudly.
func (s *Server) SetDefault(r Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fallback = r
}

// Pending returns how many scripted replies are left.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.script)
}

// Requests returns a copy of the requests received so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Count returns how many requests arrived.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// Last returns the latest request; false if none arrived.
func (s *Server) Last() (Request, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) == 0 {
		return Request{}, false
	}
	return s.requests[len(s.requests)-1], true
}

// maxFuncDepth bounds Func replies that return Func replies.
const maxFuncDepth = 8

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	req := Request{
		Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: raw, Index: -1,
	}
	req.decode()

	s.mu.Lock()
	req.Index = len(s.requests)
	chat := r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/chat/completions")
	var reply Reply
	if chat {
		if len(s.script) > 0 {
			reply, s.script = s.script[0], s.script[1:]
		} else {
			reply = s.fallback
		}
	}
	s.requests = append(s.requests, req)
	s.mu.Unlock()

	if !chat {
		http.Error(w, fmt.Sprintf("llmtest: no route for %s %s", r.Method, r.URL.Path), http.StatusNotFound)
		return
	}
	for i := 0; reply.Func != nil; i++ {
		if i == maxFuncDepth {
			reply = Error(http.StatusInternalServerError, "server_error", "llmtest: Func replies nest too deep")
			break
		}
		reply = reply.Func(req)
	}
	if reply.Hang || reply.Delay > 0 {
		var timer <-chan time.Time
		if !reply.Hang {
			t := time.NewTimer(reply.Delay)
			defer t.Stop()
			timer = t.C
		}
		select {
		case <-timer:
		case <-r.Context().Done():
			return // the client gave up
		case <-s.done:
			return
		}
	}
	s.write(w, req, reply)
}

func (s *Server) write(w http.ResponseWriter, req Request, reply Reply) {
	for k, vs := range reply.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	status := reply.Status
	if status == 0 {
		status = http.StatusOK
	}
	if reply.Body != nil {
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		_, _ = w.Write(reply.Body)
		return
	}
	model := reply.Model
	if model == "" {
		model = req.Model
	}
	finish := reply.FinishReason
	if finish == "" {
		finish = "stop"
	}
	prompt, completion := reply.PromptTokens, reply.CompletionTokens
	if prompt == 0 {
		prompt = (len(req.Body) + 3) / 4
	}
	if completion == 0 {
		completion = (len(reply.Content) + 3) / 4
	}
	msg := map[string]any{"role": "assistant", "content": reply.Content}
	if reply.Refusal != "" {
		msg["refusal"] = reply.Refusal
	}
	body := map[string]any{
		"id":      fmt.Sprintf("chatcmpl-llmtest-%d", req.Index),
		"object":  "chat.completion",
		"created": 1700000000 + req.Index,
		"model":   model,
		"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finish}},
		"usage":   map[string]any{"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
	}
	var buf bytes.Buffer
	_ = json.NewEncoder(&buf).Encode(body)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
