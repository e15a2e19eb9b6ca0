package hyperopt

import (
	"context"
	"runtime"
	"runtime/debug"
	"strings"

	"golang.org/x/sync/errgroup"
)

// resolveParallelism maps p <= 0 to runtime.GOMAXPROCS(0).
func resolveParallelism(p int) int {
	if p <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return p
}

// Run calls trial(ctx, i) for i in [0, n), at most parallelism at a time
// (parallelism <= 0 means runtime.GOMAXPROCS(0)), and returns the error of
// each trial by index: errs[i] is nil if trial i succeeded.
//
// A failed trial does not stop the others. A panicking trial becomes that
// trial's error, a *PanicError wrapping ErrPanic. Once ctx is done no new
// trial starts, and each trial not started reports ctx.Err(); trials
// already running get the same ctx and should return early. Run returns
// only after every trial it started has returned, so no goroutine
// outlives it. trial must be safe for concurrent use.
func Run(ctx context.Context, n, parallelism int, trial func(ctx context.Context, i int) error) []error {
	if n <= 0 {
		return nil
	}
	errs := make([]error, n)
	var g errgroup.Group
	g.SetLimit(resolveParallelism(parallelism))
	for i := range n {
		if err := ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		g.Go(func() error {
			// The slot may have come free after ctx was cancelled.
			if err := ctx.Err(); err != nil {
				errs[i] = err
				return nil
			}
			errs[i] = protect(ctx, i, trial)
			return nil // never cancel the other trials
		})
	}
	_ = g.Wait() // every goroutine returns nil
	return errs
}

// protect calls trial, turning a panic into a *PanicError.
func protect(ctx context.Context, i int, trial func(ctx context.Context, i int) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Trial: i, Value: r, Stack: trimStack(debug.Stack())}
		}
	}()
	return trial(ctx, i)
}

// trimStack drops the frames of debug.Stack, the deferred recover and the
// runtime's panic machinery, keeping the goroutine header and the frames
// from the panicking function down, at most 40 lines.
func trimStack(stack []byte) string {
	lines := strings.Split(strings.TrimRight(string(stack), "\n"), "\n")
	if len(lines) == 0 {
		return ""
	}
	out := []string{lines[0]}
	rest := lines[1:]
	// Frames come in pairs (function, file:line). Skip through the last
	// runtime panic frame ("panic(" in runtime/panic.go).
	cut := 0
	for j := 0; j+1 < len(rest); j += 2 {
		if strings.HasPrefix(rest[j], "panic(") || strings.HasPrefix(rest[j], "runtime.gopanic") {
			cut = j + 2
		}
	}
	rest = rest[cut:]
	if len(rest) > 40 {
		rest = append(rest[:40:40], "\t...")
	}
	return strings.Join(append(out, rest...), "\n")
}
