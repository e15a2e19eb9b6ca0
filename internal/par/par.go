// Package par runs index-parallel loops on a bounded number of goroutines
// and turns a panic in any of them into an error on the caller's side.
//
// A panic in a goroutine that nobody recovers ends the process; the model
// code that uses par runs inside a search whose trials must fail one by
// one instead. So every loop here recovers what f panics with, stops
// handing out new indices, waits for the calls already running, and
// returns a *PanicError. The caller must not use the partial results.
package par

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// ErrPanic is wrapped by every *PanicError, so callers can test for a
// recovered panic with errors.Is.
var ErrPanic = errors.New("par: panic in a parallel task")

// PanicError is a panic recovered from a parallel task.
type PanicError struct {
	// Value is what the task panicked with.
	Value any
	// Stack is the stack of the panicking goroutine.
	Stack []byte
}

// Error names the panic value; the stack is in Stack.
func (e *PanicError) Error() string { return fmt.Sprintf("%v: %v", ErrPanic, e.Value) }

// Unwrap returns ErrPanic (and the panic value when it is an error).
func (e *PanicError) Unwrap() []error {
	if err, ok := e.Value.(error); ok {
		return []error{ErrPanic, err}
	}
	return []error{ErrPanic}
}

// Recover turns a panic into a *PanicError stored in *err (only if *err
// is nil). Use it as `defer par.Recover(&err)` in a function whose panics
// should become its error.
func Recover(err *error) {
	if v := recover(); v != nil && *err == nil {
		*err = &PanicError{Value: v, Stack: debug.Stack()}
	}
}

// firstPanic records the first panic of a loop.
type firstPanic struct {
	failed atomic.Bool
	once   sync.Once
	err    error
}

// call runs f(i), recording a panic; it reports false after one.
func (p *firstPanic) call(f func(int), i int) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			p.failed.Store(true) // first: the other goroutines stop taking indices
			st := debug.Stack()
			p.once.Do(func() { p.err = &PanicError{Value: v, Stack: st} })
			ok = false
		}
	}()
	f(i)
	return true
}

// For calls f(i) for every i in [0, n) on up to workers goroutines (at
// most n; workers <= 1 runs serially on the caller's goroutine). Each i is
// handled once; indices are handed out in increasing order, so f must not
// depend on which goroutine runs it. For returns when every call has
// returned.
//
// If a call panics, For hands out no further indices, waits for the calls
// in flight and returns a *PanicError (wrapping ErrPanic) for the first
// panic; some indices then were never visited. Otherwise it returns nil.
func For(workers, n int, f func(i int)) error {
	workers = min(workers, n)
	var p firstPanic
	if workers <= 1 {
		for i := range n {
			if !p.call(f, i) {
				break
			}
		}
		return p.err
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for !p.failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= n || !p.call(f, i) {
					return
				}
			}
		})
	}
	wg.Wait()
	return p.err
}

// Pool is a fixed set of goroutines reused by many short fork-join loops
// (one per tree node, say), so a loop costs a few atomic operations per
// worker instead of a goroutine start. The caller's goroutine takes part in
// each loop, so a Pool of w workers runs w+1 calls at once.
//
// Between loops a worker spins (yielding its P to other goroutines every
// few iterations) for up to Spin before it parks, and the caller spins as
// long for the last worker to finish before it blocks, as OpenMP's active
// wait policy does. Loops that follow each other within Spin then hand
// over without waking a parked goroutine: the wake-up went through the
// Go scheduler and the OS and, on a loaded machine, often cost more than
// the loop (a worker woken by the caller sat runnable on the caller's P
// until the caller blocked). The spinning costs CPU time only in the gaps
// between loops, at most Spin per gap.
//
// A Pool runs one loop at a time: For must not be called concurrently or
// from inside f. Close stops the workers; a Pool must be closed to release
// them (defer it right after NewPool).
type Pool struct {
	workers []*worker
	// pending counts the dispatched workers still running the loop, with
	// sleeping set once the caller blocks on done for them.
	pending atomic.Int64
	done    chan struct{}
	next    atomic.Int64
	n       int
	f       func(int)
	p       *firstPanic
}

// Spin is how long an idle worker, or the caller waiting for workers,
// spins before it blocks. The gaps between models/gbdt's loops are mostly
// under 10 us; on a loaded 2-core machine 20 us added no CPU time to a
// 160k-row fit, 50 us added 4% and 100 us 12% (a spinning thread then
// burns the time slices the other one would have used).
const Spin = 20 * time.Microsecond

// sleeping is the bit of Pool.pending that says the caller blocks on done.
const sleeping = 1 << 40

// Worker states.
const (
	wIdle   int32 = iota // spinning for a loop
	wParked              // blocked on wake (or about to be)
	wBusy                // dispatched: running the current loop
	wStop                // closed
)

// worker is one pool goroutine's state; padded to its own cache line so
// the workers' spinning loads do not share a line.
type worker struct {
	state atomic.Int32
	wake  chan struct{}
	_     [56]byte
}

// NewPool starts a pool for loops on up to threads goroutines in all
// (threads-1 workers besides the caller); threads <= 1 starts none, and
// For then runs serially.
func NewPool(threads int) *Pool {
	p := &Pool{workers: make([]*worker, max(threads-1, 0)), done: make(chan struct{}, 1)}
	for i := range p.workers {
		w := &worker{wake: make(chan struct{}, 1)}
		p.workers[i] = w
		go p.run(w)
	}
	return p
}

// Threads returns the number of goroutines a loop runs on (workers + 1).
func (p *Pool) Threads() int { return len(p.workers) + 1 }

// run is a worker goroutine: it waits for loops until the pool closes.
func (p *Pool) run(w *worker) {
	for p.await(w) {
		p.work()
		w.state.Store(wIdle)
		if p.pending.Add(-1) == sleeping {
			p.done <- struct{}{} // the last to finish, and the caller sleeps
		}
	}
}

// await waits for the worker to be dispatched (true) or stopped (false):
// spinning for up to Spin, then parked on w.wake.
func (p *Pool) await(w *worker) bool {
	var deadline time.Time
	for i := 1; ; i++ {
		switch w.state.Load() {
		case wBusy:
			return true
		case wStop:
			return false
		}
		if i%64 == 0 {
			now := time.Now()
			if deadline.IsZero() {
				deadline = now.Add(Spin)
			} else if now.After(deadline) {
				break
			}
			runtime.Gosched()
		}
	}
	if w.state.CompareAndSwap(wIdle, wParked) {
		<-w.wake // sent by For after it sets wBusy; closed by Close
	}
	return w.state.Load() == wBusy
}

// work takes indices until none are left or a call panicked.
func (p *Pool) work() {
	for !p.p.failed.Load() {
		i := int(p.next.Add(1) - 1)
		if i >= p.n || !p.p.call(p.f, i) {
			return
		}
	}
}

// For calls f(i) for every i in [0, n), as the package-level For does,
// on at most min(n, Threads()) goroutines: the caller's and pool workers.
// With n <= 1 or no workers it runs on the caller's goroutine only. A
// panic in f becomes the returned *PanicError, as with For.
func (p *Pool) For(n int, f func(i int)) error {
	var fp firstPanic
	if len(p.workers) == 0 || n <= 1 {
		for i := range n {
			if !fp.call(f, i) {
				break
			}
		}
		return fp.err
	}
	p.next.Store(0)
	p.n, p.f, p.p = n, f, &fp
	wake := min(len(p.workers), n-1)
	p.pending.Store(int64(wake))
	for _, w := range p.workers[:wake] {
		if !w.state.CompareAndSwap(wIdle, wBusy) {
			// Parked (only the worker leaves wIdle otherwise).
			w.state.Store(wBusy)
			w.wake <- struct{}{}
		}
	}
	p.work()
	p.wait()
	p.f, p.p = nil, nil
	return fp.err
}

// wait returns once every dispatched worker has finished the loop:
// spinning for up to Spin, then blocked on p.done.
func (p *Pool) wait() {
	var deadline time.Time
	for i := 1; p.pending.Load() != 0; i++ {
		if i%64 != 0 {
			continue
		}
		now := time.Now()
		if deadline.IsZero() {
			deadline = now.Add(Spin)
			continue
		}
		if now.Before(deadline) {
			runtime.Gosched()
			continue
		}
		for {
			v := p.pending.Load()
			if v == 0 {
				return
			}
			if p.pending.CompareAndSwap(v, v|sleeping) {
				<-p.done // the last worker's decrement to sleeping sends it
				p.pending.Store(0)
				return
			}
		}
	}
}

// Close stops the workers. The Pool must not be used afterwards; Close is
// idempotent.
func (p *Pool) Close() {
	for _, w := range p.workers {
		w.state.Store(wStop)
		close(w.wake)
	}
	p.workers = nil
}
