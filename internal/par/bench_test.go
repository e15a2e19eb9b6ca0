package par

import (
	"sync/atomic"
	"testing"
)

// BenchmarkPoolLoop times back-to-back loops of two short calls (about
// the smallest loop models/gbdt sends to the pool): ns/op is the loop's
// cost, hand-over to the worker and back included.
func BenchmarkPoolLoop(b *testing.B) {
	p := NewPool(2)
	defer p.Close()
	var sink atomic.Int64
	f := func(i int) {
		x := int64(i)
		for k := range 2000 { // about 1-2 us of work
			x += int64(k) ^ x>>3
		}
		sink.Add(x)
	}
	b.Run("pool", func(b *testing.B) {
		for b.Loop() {
			if err := p.For(2, f); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("serial", func(b *testing.B) {
		for b.Loop() {
			f(0)
			f(1)
		}
	})
}
