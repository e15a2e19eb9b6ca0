package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Sentinel errors of the server package.
var (
	// ErrOptions reports Options that New cannot use.
	ErrOptions = errors.New("server: bad options")
	// ErrClosed reports a request to a Server that is closing.
	ErrClosed = errors.New("server: closed")
)

// apiError is an error with the HTTP status and the stable code it is
// answered with. Its message is safe to show to clients.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

// errorf returns an *apiError with a formatted message.
func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

// notFound is the error for a missing resource of the given kind.
func notFound(kind, id string) *apiError {
	return errorf(http.StatusNotFound, CodeNotFound, "no %s %q", kind, id)
}

// writeJSON writes v as the JSON body with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeError answers with err: an *apiError as it is, a context deadline
// as a timeout, anything else as an internal error whose detail goes to
// the log only.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &mbe):
		ae = errorf(http.StatusRequestEntityTooLarge, CodeTooLarge, "the body is larger than %d bytes", mbe.Limit)
	case errors.Is(err, context.DeadlineExceeded):
		ae = errorf(http.StatusServiceUnavailable, CodeTimeout, "the request took too long")
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		ae = errorf(http.StatusServiceUnavailable, CodeUnavailable, "the request was cancelled")
	case errors.Is(err, ErrClosed):
		ae = errorf(http.StatusServiceUnavailable, CodeUnavailable, "the server is closing")
	default:
		s.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		ae = errorf(http.StatusInternalServerError, CodeInternal, "internal error")
	}
	writeJSON(w, ae.status, ErrorResponse{Error: ErrorDetail{Code: ae.code, Message: ae.message}})
}
