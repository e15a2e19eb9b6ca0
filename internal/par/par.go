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
	"runtime/debug"
	"sync"
	"sync/atomic"
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
			st := debug.Stack()
			p.once.Do(func() { p.err = &PanicError{Value: v, Stack: st} })
			p.failed.Store(true)
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
// (one per tree node, say), so a loop costs a channel send per worker
// instead of a goroutine start. The caller's goroutine takes part in each
// loop, so a Pool of w workers runs w+1 calls at once.
//
// A Pool runs one loop at a time: For must not be called concurrently or
// from inside f. Close stops the workers; a Pool must be closed to release
// them (defer it right after NewPool).
type Pool struct {
	start []chan struct{}
	wg    sync.WaitGroup
	next  atomic.Int64
	n     int
	f     func(int)
	p     *firstPanic
}

// NewPool starts a pool for loops on up to threads goroutines in all
// (threads-1 workers besides the caller); threads <= 1 starts none, and
// For then runs serially.
func NewPool(threads int) *Pool {
	p := &Pool{start: make([]chan struct{}, max(threads-1, 0))}
	for w := range p.start {
		ch := make(chan struct{})
		p.start[w] = ch
		go func() {
			for range ch {
				p.work()
				p.wg.Done()
			}
		}()
	}
	return p
}

// Threads returns the number of goroutines a loop runs on (workers + 1).
func (p *Pool) Threads() int { return len(p.start) + 1 }

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
	if len(p.start) == 0 || n <= 1 {
		for i := range n {
			if !fp.call(f, i) {
				break
			}
		}
		return fp.err
	}
	p.next.Store(0)
	p.n, p.f, p.p = n, f, &fp
	wake := min(len(p.start), n-1)
	p.wg.Add(wake)
	for _, ch := range p.start[:wake] {
		ch <- struct{}{}
	}
	p.work()
	p.wg.Wait()
	p.f, p.p = nil, nil
	return fp.err
}

// Close stops the workers. The Pool must not be used afterwards; Close is
// idempotent.
func (p *Pool) Close() {
	for _, ch := range p.start {
		close(ch)
	}
	p.start = nil
}
