// Package llmtest is a scripted fake of an OpenAI-compatible
// chat-completions server, for testing code that calls an LLM without a
// network or a key.
//
// [NewServer] (or [New] and Close) starts an httptest server that answers
// each POST .../chat/completions with the next [Reply] in its script and
// records every [Request] (method, path, headers, raw and decoded body) for
// assertions. Point a client at [Server.BaseURL] (the URL plus "/v1").
//
// # Replies
//
// The constructors cover what real providers do: [Text] and [JSON] (a good
// reply), [Fenced] (JSON in a ```json fence with prose around it),
// [Truncated] (finish_reason "length"), [Malformed] (invalid JSON),
// [Refused], [Empty] (no choices), [Error] (an error status with an
// OpenAI-style body), [Raw] (any status and body, e.g. an HTML 502),
// [RateLimited] (429 with Retry-After), [ErrorIn200] (a 200 whose body is
// {"error": ...}, as OpenRouter sends), [Delayed] and [Hang] (which end as
// soon as the client gives up), and [Func] (a reply computed from the
// request). When the script runs out the server answers a 500 saying so,
// unless [Server.SetDefault] names another reply.
//
// Request bodies decode with json.Number, so a test can tell
// "temperature": 0 from an absent temperature ([Request.Number], [Request.Has]).
package llmtest
