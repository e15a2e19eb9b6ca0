package par_test

import (
	"errors"
	"io"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/internal/par"
)

func TestForVisitsEachIndexOnce(t *testing.T) {
	for _, workers := range []int{0, 1, 2, 7, 100} {
		for _, n := range []int{0, 1, 5, 1000} {
			counts := make([]atomic.Int32, n)
			require.NoError(t, par.For(workers, n, func(i int) { counts[i].Add(1) }))
			for i := range counts {
				assert.Equal(t, int32(1), counts[i].Load(), "workers %d n %d index %d", workers, n, i)
			}
		}
	}
}

// A panic in a worker goroutine must come back as an error: without the
// recovery this test would end the test binary.
func TestForPanicBecomesError(t *testing.T) {
	for _, workers := range []int{1, 2, 4} {
		var calls atomic.Int32
		err := par.For(workers, 10_000, func(i int) {
			calls.Add(1)
			if i == 3 {
				panic("boom")
			}
		})
		require.Error(t, err, "workers %d", workers)
		assert.ErrorIs(t, err, par.ErrPanic)
		var pe *par.PanicError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, "boom", pe.Value)
		assert.Contains(t, string(pe.Stack), "par_test")
		assert.Contains(t, err.Error(), "boom")
		assert.Less(t, calls.Load(), int32(10_000), "workers %d: the loop must stop handing out indices", workers)
	}
}

func TestPanicErrorUnwrapsErrorValue(t *testing.T) {
	err := par.For(2, 4, func(i int) {
		if i == 1 {
			panic(io.ErrUnexpectedEOF)
		}
	})
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.ErrorIs(t, err, par.ErrPanic)
}

func TestRecover(t *testing.T) {
	f := func() (err error) {
		defer par.Recover(&err)
		var m map[string]int
		m["x"] = 1 // nil map write panics
		return nil
	}
	err := f()
	require.Error(t, err)
	assert.ErrorIs(t, err, par.ErrPanic)
	g := func() (err error) {
		defer par.Recover(&err)
		return io.EOF
	}
	assert.True(t, errors.Is(g(), io.EOF))
}

func TestPoolVisitsEachIndexOnce(t *testing.T) {
	for _, threads := range []int{0, 1, 2, 5} {
		p := par.NewPool(threads)
		assert.Equal(t, max(threads, 1), p.Threads())
		for _, n := range []int{0, 1, 2, 3, 1000} {
			for range 3 { // reuse across loops
				counts := make([]atomic.Int32, n)
				require.NoError(t, p.For(n, func(i int) { counts[i].Add(1) }))
				for i := range counts {
					assert.Equal(t, int32(1), counts[i].Load(), "threads %d n %d index %d", threads, n, i)
				}
			}
		}
		p.Close()
		p.Close()
	}
}

func TestPoolPanicBecomesErrorAndPoolStaysUsable(t *testing.T) {
	p := par.NewPool(3)
	defer p.Close()
	for range 5 {
		err := p.For(1000, func(i int) {
			if i%7 == 6 {
				panic(errors.New("worker failed"))
			}
		})
		require.ErrorIs(t, err, par.ErrPanic)
		assert.Contains(t, err.Error(), "worker failed")
		var sum atomic.Int64
		require.NoError(t, p.For(100, func(i int) { sum.Add(int64(i)) }))
		assert.Equal(t, int64(4950), sum.Load())
	}
}

// Workers park after Spin without a loop, and a later loop must wake
// them; loops right after each other find them spinning. Both must run
// every index once, from every goroutine.
func TestPoolWakesParkedAndSpinningWorkers(t *testing.T) {
	p := par.NewPool(3)
	defer p.Close()
	for _, gap := range []time.Duration{0, 3 * par.Spin, 0, 20 * time.Millisecond, 0} {
		time.Sleep(gap)
		var sum atomic.Int64
		var blocked atomic.Int32
		release := make(chan struct{})
		require.NoError(t, p.For(3, func(i int) {
			// Each of the 3 goroutines takes one index and waits for the
			// others: the loop only ends if every worker woke up.
			if blocked.Add(1) == 3 {
				close(release)
			}
			select {
			case <-release:
			case <-time.After(10 * time.Second):
				panic("a worker never woke up")
			}
			sum.Add(int64(i))
		}), "gap %v", gap)
		assert.Equal(t, int64(3), sum.Load(), "gap %v", gap)
	}
}

// Close ends the workers whether they spin or are parked.
func TestPoolCloseEndsWorkers(t *testing.T) {
	before := runtime.NumGoroutine()
	spinning := par.NewPool(4)
	require.NoError(t, spinning.For(10, func(int) {}))
	spinning.Close() // right after a loop: the workers still spin
	parked := par.NewPool(4)
	require.NoError(t, parked.For(10, func(int) {}))
	time.Sleep(5 * par.Spin)
	parked.Close()
	// Polled here: require.Eventually runs its condition on goroutines of
	// its own.
	for end := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before && time.Now().Before(end); {
		time.Sleep(time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before, "goroutines left after Close")
}
