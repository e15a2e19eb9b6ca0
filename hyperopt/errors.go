package hyperopt

import (
	"errors"
	"fmt"
)

// Sentinel errors. Returned errors wrap them with detail; test with
// errors.Is.
var (
	// ErrSpace reports a malformed search space (see Space.Validate).
	ErrSpace = errors.New("hyperopt: invalid space")
	// ErrOptions reports invalid options (a bad Eta, budgets, trial count).
	ErrOptions = errors.New("hyperopt: invalid options")
	// ErrPanic marks a trial that panicked; the concrete error is a
	// *PanicError.
	ErrPanic = errors.New("hyperopt: trial panicked")
	// ErrExhausted is returned by a Sampler that has nothing more to
	// propose (a Portfolio without a fallback): the normal end of a
	// search, not a failure.
	ErrExhausted = errors.New("hyperopt: sampler exhausted")
)

// PanicError is the error of a trial that panicked. Error() contains
// "panic" and the panic value; Stack holds the goroutine stack with the
// runtime's own panic frames trimmed.
type PanicError struct {
	Trial int    // index of the trial
	Value any    // the value passed to panic
	Stack string // trimmed stack trace of the panicking goroutine
}

// Error returns "hyperopt: trial panicked: trial <i>: panic: <value>".
func (e *PanicError) Error() string {
	return fmt.Sprintf("%v: trial %d: panic: %v", ErrPanic, e.Trial, e.Value)
}

// Unwrap returns ErrPanic, and also the panic value when it is an error,
// so errors.Is(err, ErrPanic) holds.
func (e *PanicError) Unwrap() []error {
	if err, ok := e.Value.(error); ok {
		return []error{ErrPanic, err}
	}
	return []error{ErrPanic}
}
