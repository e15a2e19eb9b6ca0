package llm

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sentinel errors. Errors returned by [OpenAI.Complete] wrap one of these
// (test with errors.Is); errors from the HTTP exchange are also an [*APIError]
// (test with errors.As) carrying the status and the provider's code.
var (
	// ErrNotConfigured means no provider could be chosen: no API key and no
	// base URL in the Config or the environment.
	ErrNotConfigured = errors.New("llm: not configured")
	// ErrNoKey means the chosen provider needs an API key and none was given.
	// It wraps ErrNotConfigured.
	ErrNoKey = fmt.Errorf("%w: no API key", ErrNotConfigured)
	// ErrUnknownProvider means the provider name is not one of [Providers].
	ErrUnknownProvider = errors.New("llm: unknown provider")

	// ErrAuth is a rejected key or a forbidden request (HTTP 401 or 403). Never retried.
	ErrAuth = errors.New("llm: authentication failed")
	// ErrPayment is HTTP 402: the account is out of credits. Never retried.
	ErrPayment = errors.New("llm: payment required")
	// ErrBadRequest is any other 4xx the server will answer the same way
	// again (400, 404, 422...). Never retried.
	ErrBadRequest = errors.New("llm: bad request")
	// ErrRateLimited is HTTP 429, or a 200 whose body carries code 429. Retried,
	// honouring Retry-After.
	ErrRateLimited = errors.New("llm: rate limited")
	// ErrServer is a 5xx, or a 200 whose body carries a 5xx code. Retried.
	ErrServer = errors.New("llm: server error")
	// ErrTimeout is a per-attempt timeout (Config.Timeout) or HTTP 408. Retried.
	ErrTimeout = errors.New("llm: timeout")
	// ErrConnection is a transport failure: refused, reset, DNS, closed early. Retried.
	ErrConnection = errors.New("llm: connection failed")
	// ErrInvalidResponse is a 2xx body that does not decode as a chat
	// completion. Retried.
	ErrInvalidResponse = errors.New("llm: invalid response")

	// ErrEmpty is a reply with no choices or no content. Retried.
	ErrEmpty = errors.New("llm: empty reply")
	// ErrTruncated is a reply cut short (finish_reason "length", or JSON that
	// ends before it closes). Not retried: the same request would be cut again;
	// raise Request.MaxTokens or ask for less. The Response is returned too.
	ErrTruncated = errors.New("llm: reply truncated")
	// ErrMalformed is a reply that should hold a JSON object and does not.
	// Not retried; the Response is returned too so the caller can ask for a repair.
	ErrMalformed = errors.New("llm: reply is not a JSON object")
	// ErrRefused is a refusal or a content filter stop. Not retried.
	ErrRefused = errors.New("llm: reply refused")
	// ErrSchema is a JSON schema that [StrictSchema] or [FlattenSchema]
	// cannot rewrite (not an object, a remote or cyclic $ref).
	ErrSchema = errors.New("llm: unusable JSON schema")
)

// APIError is a failed exchange with the server: an error status, a 200 whose
// body is {"error": ...}, a transport failure or a timeout. It unwraps to one
// of the sentinels above (ErrRateLimited, ErrAuth, ...) and to the underlying
// cause if any. Message never contains the API key.
type APIError struct {
	// Provider is the preset that made the call.
	Provider Provider
	// StatusCode is the HTTP status; 200 for an error carried in a 200 body;
	// 0 for a transport failure or timeout.
	StatusCode int
	// Code is the provider's error code as text ("rate_limit_exceeded",
	// "429"), empty if none.
	Code string
	// Type is the provider's error type ("invalid_request_error"), empty if none.
	Type string
	// Message is the provider's message or a short description, with the
	// key redacted and long bodies cut.
	Message string
	// Retryable reports whether the client would retry this error.
	Retryable bool
	// RetryAfter is the server's Retry-After (or retry-after-ms), zero if absent.
	RetryAfter time.Duration

	hasRetryAfter bool  // the server sent Retry-After, possibly 0
	kind          error // one of the sentinels
	cause         error // underlying error (transport, decode), redacted
}

// Error describes the failure without the API key.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.kind.Error())
	if e.Provider != "" {
		fmt.Fprintf(&b, " (%s", e.Provider)
		if e.StatusCode != 0 {
			fmt.Fprintf(&b, ", status %d", e.StatusCode)
		}
		if e.Code != "" {
			fmt.Fprintf(&b, ", code %s", e.Code)
		}
		b.WriteString(")")
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// Unwrap returns the sentinel (ErrRateLimited, ErrAuth, ...) and the cause.
func (e *APIError) Unwrap() []error {
	if e.cause != nil {
		return []error{e.kind, e.cause}
	}
	return []error{e.kind}
}

// kindForStatus maps an HTTP status (or an HTTP-like code carried in a 200
// body) to a sentinel and whether it is worth retrying.
func kindForStatus(status int) (kind error, retryable bool) {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return ErrAuth, false
	case status == http.StatusPaymentRequired:
		return ErrPayment, false
	case status == http.StatusTooManyRequests:
		return ErrRateLimited, true
	case status == http.StatusRequestTimeout:
		return ErrTimeout, true
	case status == http.StatusConflict || status == http.StatusTooEarly:
		return ErrServer, true
	case status == http.StatusNotImplemented || status == http.StatusHTTPVersionNotSupported:
		return ErrServer, false
	case status >= 500:
		return ErrServer, true
	default:
		return ErrBadRequest, false
	}
}

// redactedError hides the key in the text of an underlying error while
// keeping it reachable with errors.Is/As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redactor replaces a secret in text. The zero value redacts nothing.
type redactor struct{ secret string }

const redacted = "[REDACTED]"

func (r redactor) string(s string) string {
	if r.secret == "" {
		return s
	}
	return strings.ReplaceAll(s, r.secret, redacted)
}

func (r redactor) error(err error) error {
	if err == nil || r.secret == "" || !strings.Contains(err.Error(), r.secret) {
		return err
	}
	return &redactedError{msg: r.string(err.Error()), err: err}
}

// snippet cuts s to n bytes on a rune boundary, adding "..." when cut.
func snippet(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
