package hyperopt

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// noLeak fails t if the goroutine count does not return to its value at
// the call within a second. Use as defer noLeak(t)().
func noLeak(t *testing.T) func() {
	before := runtime.NumGoroutine()
	return func() {
		t.Helper()
		deadline := time.Now().Add(time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		assert.LessOrEqual(t, runtime.NumGoroutine(), before, "goroutines leaked")
	}
}

var errOdd = errors.New("odd trial")

func TestRun(t *testing.T) {
	for _, par := range []int{0, 1, 3, 16} {
		t.Run(fmt.Sprint("parallelism ", par), func(t *testing.T) {
			defer noLeak(t)()
			var running, peak atomic.Int32
			out := make([]int, 10)
			errs := Run(t.Context(), 10, par, func(ctx context.Context, i int) error {
				n := running.Add(1)
				defer running.Add(-1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				time.Sleep(time.Millisecond)
				out[i] = i * i
				if i%2 == 1 {
					return fmt.Errorf("trial %d: %w", i, errOdd)
				}
				return nil
			})
			require.Len(t, errs, 10)
			for i, err := range errs {
				assert.Equal(t, i*i, out[i])
				if i%2 == 1 {
					assert.ErrorIs(t, err, errOdd, "trial %d", i) // a failure does not cancel the rest
				} else {
					assert.NoError(t, err, "trial %d", i)
				}
			}
			assert.LessOrEqual(t, int(peak.Load()), resolveParallelism(par))
		})
	}
	assert.Nil(t, Run(t.Context(), 0, 1, nil))
}

func TestRunPanic(t *testing.T) {
	defer noLeak(t)()
	errs := Run(t.Context(), 3, 2, func(ctx context.Context, i int) error {
		if i == 1 {
			var m map[string]int
			m["boom"] = 1 // a runtime error panic
		}
		if i == 2 {
			panic("custom")
		}
		return nil
	})
	assert.NoError(t, errs[0])
	require.Error(t, errs[1])
	assert.ErrorIs(t, errs[1], ErrPanic)
	assert.Contains(t, errs[1].Error(), "panic")
	assert.Contains(t, errs[1].Error(), "nil map")
	var pe *PanicError
	require.ErrorAs(t, errs[1], &pe)
	assert.Equal(t, 1, pe.Trial)
	var re runtime.Error
	assert.ErrorAs(t, errs[1], &re, "a runtime.Error panic value is unwrapped")
	assert.Contains(t, pe.Stack, "TestRunPanic", "stack names the panicking function")
	assert.NotContains(t, pe.Stack, "runtime/debug.Stack", "stack is trimmed")
	assert.ErrorIs(t, errs[2], ErrPanic)
	assert.Contains(t, errs[2].Error(), "panic: custom")
}

func TestRunCancel(t *testing.T) {
	defer noLeak(t)()
	ctx, cancel := context.WithCancel(t.Context())
	var started atomic.Int32
	go func() {
		time.Sleep(30 * time.Millisecond)
		cancel()
	}()
	t0 := time.Now()
	errs := Run(ctx, 1000, 2, func(ctx context.Context, i int) error {
		started.Add(1)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
			return nil
		}
	})
	elapsed := time.Since(t0) - 30*time.Millisecond
	assert.Less(t, elapsed, 100*time.Millisecond, "Run should stop soon after cancellation")
	assert.Less(t, int(started.Load()), 100)
	var canceled int
	for _, err := range errs {
		if errors.Is(err, context.Canceled) {
			canceled++
		}
	}
	assert.Greater(t, canceled, 900, "trials not started report ctx.Err()")
}
