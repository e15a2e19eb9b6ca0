// Package par runs index-parallel loops on a bounded number of goroutines.
package par

import (
	"sync"
	"sync/atomic"
)

// For calls f(i) for every i in [0, n) on up to workers goroutines (at
// most n; workers <= 1 runs serially on the caller's goroutine). Each i is
// handled exactly once; indices are handed out in increasing order, so f
// must not depend on which goroutine runs it. For returns when every call
// has returned.
func For(workers, n int, f func(i int)) {
	workers = min(workers, n)
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(i)
			}
		})
	}
	wg.Wait()
}
