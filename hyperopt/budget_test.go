package hyperopt

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBudgetDeadline(t *testing.T) {
	t.Run("none", func(t *testing.T) {
		b := NewBudget(t.Context(), 0)
		_, ok := b.Deadline()
		assert.False(t, ok)
		assert.Equal(t, time.Duration(math.MaxInt64), b.Remaining())
		assert.True(t, b.Fits(1000*time.Hour))
	})
	t.Run("limit", func(t *testing.T) {
		b := NewBudget(t.Context(), time.Minute)
		d, ok := b.Deadline()
		require.True(t, ok)
		assert.WithinDuration(t, time.Now().Add(time.Minute), d, time.Second)
		assert.InDelta(t, time.Minute.Seconds(), b.Remaining().Seconds(), 1)
	})
	t.Run("ctx earlier", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		b := NewBudget(ctx, time.Hour)
		assert.InDelta(t, 10, b.Remaining().Seconds(), 1)
	})
	t.Run("limit earlier", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
		defer cancel()
		b := NewBudget(ctx, 10*time.Second)
		assert.InDelta(t, 10, b.Remaining().Seconds(), 1)
	})
}

func TestBudgetFitsWithFakeClock(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := NewBudget(t.Context(), 0)
	b.now = func() time.Time { return now }
	b.deadline = now.Add(100 * time.Second)
	assert.Equal(t, 100*time.Second, b.Remaining())
	assert.True(t, b.Fits(80*time.Second), "80 s × 1.25 = 100 s fits")
	assert.False(t, b.Fits(81*time.Second))
	b.Safety = 2
	assert.True(t, b.Fits(50*time.Second))
	assert.False(t, b.Fits(51*time.Second))
	now = now.Add(200 * time.Second)
	assert.Equal(t, time.Duration(0), b.Remaining())
	assert.False(t, b.Fits(time.Nanosecond))
	assert.True(t, b.Fits(0))
}

func TestBudgetEstimate(t *testing.T) {
	b := NewBudget(t.Context(), 0)
	// Default prior: 1e-7 s per cell.
	assert.Equal(t, 100*time.Millisecond, b.Estimate("gbdt", 100_000, 10))
	b.DefaultCost = 1e-6
	assert.Equal(t, time.Second, b.Estimate("gbdt", 100_000, 10))
	assert.Equal(t, 100*time.Millisecond, b.Estimate("gbdt", 100_000, 0), "features < 1 count as 1")

	b.SetPrior("gbdt", 2e-6)
	assert.Equal(t, 2*time.Second, b.Estimate("gbdt", 100_000, 10))
	b.SetPrior("gbdt", -1) // ignored
	assert.Equal(t, 2*time.Second, b.Estimate("gbdt", 100_000, 10))

	// The first observation replaces the prior: 1 s on 1e6 cells = 1e-6 s per cell.
	b.Observe("gbdt", 100_000, 10, time.Second)
	assert.Equal(t, time.Second, b.Estimate("gbdt", 100_000, 10))
	b.SetPrior("gbdt", 5e-6) // no effect after an observation
	assert.Equal(t, time.Second, b.Estimate("gbdt", 100_000, 10))
	// Then an EMA with Alpha 0.3: 0.7·1e-6 + 0.3·3e-6 = 1.6e-6.
	b.Observe("gbdt", 100_000, 10, 3*time.Second)
	assert.InDelta(t, 1.6, b.Estimate("gbdt", 100_000, 10).Seconds(), 1e-9)
	// Scales linearly in rows × features.
	assert.InDelta(t, 3.2, b.Estimate("gbdt", 200_000, 10).Seconds(), 1e-9)
	// Other families are independent; bad observations are ignored.
	b.Observe("knn", 0, 10, time.Second)
	b.Observe("knn", 10, 10, -time.Second)
	assert.Equal(t, time.Second, b.Estimate("knn", 100_000, 10))
	// Huge estimates saturate instead of overflowing.
	assert.Equal(t, time.Duration(math.MaxInt64), b.Estimate("gbdt", math.MaxInt, math.MaxInt))
}

func TestBudgetConcurrent(t *testing.T) {
	b := NewBudget(t.Context(), time.Hour)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				b.Observe("m", 1000, 10, time.Duration(i+1)*time.Millisecond)
				_ = b.Fits(b.Estimate("m", 1000, 10))
			}
		}()
	}
	wg.Wait()
	est := b.Estimate("m", 1000, 10)
	assert.GreaterOrEqual(t, est, time.Millisecond)
	assert.LessOrEqual(t, est, 8*time.Millisecond)
}
