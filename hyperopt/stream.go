package hyperopt

import (
	"context"
	"sync"
)

// Stream runs tasks pulled one at a time from next on a fixed pool of
// parallelism workers (parallelism <= 0 means runtime.GOMAXPROCS(0)), for
// anytime searches where the next task depends on the results so far.
//
// Task i (numbered in the order next returned them, from 0) runs as
// work(ctx, i, task) on a worker goroutine; a panic becomes a *PanicError.
// next and report are called only on the caller's goroutine, never
// concurrently, so they may share state without locks: next is called
// whenever a worker is free, until it returns false; report is called for
// every task that was handed out, in index order (a finished task waits
// for the earlier ones), so report sees results in a deterministic order.
// When next runs relative to reports depends on timing, so a policy that
// reads the results in next is not reproducible across parallelism; use
// Search for that.
//
// Once ctx is done next is no longer called and tasks not yet started
// report ctx.Err() without running. Stream returns ctx.Err() (nil if ctx
// was not cancelled) after every worker has returned, even if next or
// report panics.
func Stream[T, R any](ctx context.Context, parallelism int,
	next func() (T, bool),
	work func(ctx context.Context, i int, task T) (R, error),
	report func(i int, task T, res R, err error),
) error {
	p := resolveParallelism(parallelism)
	type job struct {
		i    int
		task T
	}
	type result struct {
		job
		res R
		err error
	}
	jobs := make(chan job, p)
	done := make(chan result, p) // at most p in flight, so workers never block on it
	var wg sync.WaitGroup
	for range p {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				r := result{job: j}
				if err := ctx.Err(); err != nil {
					r.err = err
				} else {
					r.err = protect(ctx, j.i, func(ctx context.Context, i int) error {
						var err error
						r.res, err = work(ctx, i, j.task)
						return err
					})
				}
				done <- r
			}
		}()
	}
	defer wg.Wait()
	defer close(jobs)

	pending := map[int]result{}
	inflight, issued, reported, exhausted := 0, 0, 0, false
	for {
		for !exhausted && inflight < p && ctx.Err() == nil {
			t, ok := next()
			if !ok {
				exhausted = true
				break
			}
			jobs <- job{i: issued, task: t}
			issued++
			inflight++
		}
		if inflight == 0 {
			break
		}
		r := <-done
		inflight--
		pending[r.i] = r
		for {
			r, ok := pending[reported]
			if !ok {
				break
			}
			delete(pending, reported)
			report(r.i, r.task, r.res, r.err)
			reported++
		}
	}
	return ctx.Err()
}
