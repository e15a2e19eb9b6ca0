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

func TestStream(t *testing.T) {
	for _, par := range []int{1, 4} {
		t.Run(fmt.Sprint("parallelism ", par), func(t *testing.T) {
			defer noLeak(t)()
			var order []int
			var sum int
			k := 0
			next := func() (int, bool) {
				if k == 20 {
					return 0, false
				}
				k++
				return k, true
			}
			work := func(ctx context.Context, i, task int) (int, error) {
				time.Sleep(time.Duration((20-i)%5) * time.Millisecond) // finish out of order
				if i == 7 {
					panic("seven")
				}
				if i == 8 {
					return 0, errOdd
				}
				return task * 10, nil
			}
			err := Stream(t.Context(), par, next, work, func(i, task, res int, err error) {
				order = append(order, i) // report is serialized: no lock needed (-race checks)
				assert.Equal(t, i+1, task)
				switch i {
				case 7:
					assert.ErrorIs(t, err, ErrPanic)
				case 8:
					assert.ErrorIs(t, err, errOdd)
				default:
					assert.NoError(t, err)
					assert.Equal(t, task*10, res)
					sum += res
				}
			})
			require.NoError(t, err)
			want := make([]int, 20)
			for i := range want {
				want[i] = i
			}
			assert.Equal(t, want, order, "results are reported in index order")
			assert.Equal(t, 10*(210-8-9), sum)
		})
	}
}

func TestStreamAdaptive(t *testing.T) {
	// next sees the results reported so far: stop after the first success > 50.
	defer noLeak(t)()
	var best int
	var issued int
	err := Stream(t.Context(), 1,
		func() (int, bool) {
			if best > 50 {
				return 0, false
			}
			issued++
			return issued, true
		},
		func(ctx context.Context, i, task int) (int, error) { return task * task, nil },
		func(i, task, res int, err error) { best = max(best, res) },
	)
	require.NoError(t, err)
	assert.Equal(t, 8, issued, "with one worker, next runs after each report: 8*8 = 64 > 50")
}

func TestStreamCancel(t *testing.T) {
	defer noLeak(t)()
	ctx, cancel := context.WithCancel(t.Context())
	var reported, calls int
	t0 := time.Now()
	err := Stream(ctx, 3,
		func() (int, bool) { calls++; return calls, true }, // endless
		func(ctx context.Context, i, task int) (int, error) {
			if i == 10 {
				cancel()
			}
			select {
			case <-ctx.Done():
				return 0, ctx.Err()
			case <-time.After(5 * time.Millisecond):
				return task, nil
			}
		},
		func(i, task, res int, err error) { reported++ },
	)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(t0), time.Second)
	assert.Equal(t, calls, reported, "every task handed out is reported")
	assert.Less(t, calls, 20)
}

func TestStreamPanicInReport(t *testing.T) {
	defer noLeak(t)()
	k := 0
	assert.Panics(t, func() {
		_ = Stream(t.Context(), 2,
			func() (int, bool) { k++; return k, k < 100 },
			func(ctx context.Context, i, task int) (int, error) { time.Sleep(time.Millisecond); return task, nil },
			func(i, task, res int, err error) {
				if i == 3 {
					panic("caller bug")
				}
			})
	}, "a panic in the caller's own callback propagates, after the workers have stopped")
}
