package hyperopt

import (
	"context"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHalvingBudgets(t *testing.T) {
	tests := []struct {
		name string
		h    Halving
		want []float64
	}{
		{name: "defaults", h: Halving{MaxBudget: 90}, want: []float64{10, 30, 90}},
		{name: "eta 2", h: Halving{Eta: 2, MinBudget: 1, MaxBudget: 8}, want: []float64{1, 2, 4, 8}},
		{name: "not a power", h: Halving{Eta: 3, MinBudget: 1, MaxBudget: 10}, want: []float64{10.0 / 9, 10.0 / 3, 10}},
		{name: "below one step", h: Halving{Eta: 3, MinBudget: 4, MaxBudget: 10}, want: []float64{10}},
		{name: "single rung", h: Halving{MinBudget: 5, MaxBudget: 5}, want: []float64{5}},
		{name: "fractions", h: Halving{Eta: 3, MinBudget: 1.0 / 9, MaxBudget: 1}, want: []float64{1.0 / 9, 1.0 / 3, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.h.Budgets()
			require.NoError(t, err)
			assert.InDeltaSlice(t, tc.want, got, 1e-12)
		})
	}
	for _, h := range []Halving{{}, {Eta: 1, MaxBudget: 1}, {Eta: -2, MaxBudget: 1}, {MinBudget: 2, MaxBudget: 1}, {MinBudget: -1, MaxBudget: 1}, {MaxBudget: math.Inf(1)}, {MaxBudget: math.NaN()}} {
		_, err := h.Budgets()
		assert.ErrorIs(t, err, ErrOptions, "%+v", h)
		_, err = h.Run(t.Context(), nil, func(context.Context, int, map[string]any, float64) (float64, error) { return 0, nil })
		assert.ErrorIs(t, err, ErrOptions, "%+v", h)
	}
}

func TestHalvingKeepsTheBest(t *testing.T) {
	// 9 configurations whose loss is a known quality q[i] divided by the
	// budget; configuration 2 fails at budget 3, configurations 4 and 6 tie.
	q := []float64{5, 9, 1, 7, 2, 3, 2, 8, 6}
	configs := make([]map[string]any, len(q))
	for i := range configs {
		configs[i] = map[string]any{"id": i}
	}
	var mu sync.Mutex
	calls := map[float64][]int{}
	eval := func(ctx context.Context, i int, cfg map[string]any, budget float64) (float64, error) {
		assert.Equal(t, i, cfg["id"])
		cfg["id"] = -1 // a copy: must not affect the caller's configs
		mu.Lock()
		calls[budget] = append(calls[budget], i)
		mu.Unlock()
		if i == 2 && budget == 3 {
			return 0, errOdd
		}
		return q[i] / budget, nil
	}
	for _, par := range []int{1, 4} {
		t.Run(fmt.Sprint("parallelism ", par), func(t *testing.T) {
			clear(calls)
			obs, err := Halving{Eta: 3, MinBudget: 1, MaxBudget: 9, Parallelism: par}.Run(t.Context(), configs, eval)
			require.NoError(t, err)
			// Rung 1: all 9 at budget 1; keep 3: q=1 (2), q=2 (4), q=2 (6) — the tie kept in index order.
			// Rung 2: 2, 4, 6 at budget 3; 2 fails; keep 1: 4 (tie with 6 broken by index).
			// Rung 3: 4 at budget 9.
			var trials []int
			var budgets []float64
			for _, o := range obs {
				trials = append(trials, o.Trial)
				budgets = append(budgets, o.Budget)
				assert.Equal(t, o.Trial, o.Config["id"])
				if o.Err == nil {
					assert.InDelta(t, q[o.Trial]/o.Budget, o.Loss, 1e-12)
				}
			}
			assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 2, 4, 6, 4}, trials)
			assert.Equal(t, []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 9}, budgets)
			assert.ErrorIs(t, obs[9].Err, errOdd)
			assert.True(t, math.IsInf(obs[9].Loss, 1))
		})
	}
}

func TestHalvingFailures(t *testing.T) {
	configs := []map[string]any{{}, {}, {}, {}}
	t.Run("failed are never promoted", func(t *testing.T) {
		obs, err := Halving{Eta: 2, MinBudget: 1, MaxBudget: 4}.Run(t.Context(), configs,
			func(ctx context.Context, i int, cfg map[string]any, budget float64) (float64, error) {
				if i != 3 {
					return math.NaN(), nil
				}
				return 1, nil
			})
		require.NoError(t, err)
		for _, o := range obs[4:] {
			assert.Equal(t, 3, o.Trial)
		}
		assert.Len(t, obs, 4+1+1, "keeps max(1, n/eta) but only successful ones")
	})
	t.Run("all fail", func(t *testing.T) {
		obs, err := Halving{Eta: 2, MinBudget: 1, MaxBudget: 4}.Run(t.Context(), configs,
			func(ctx context.Context, i int, cfg map[string]any, budget float64) (float64, error) {
				panic("always")
			})
		assert.ErrorIs(t, err, ErrNoSuccess)
		assert.ErrorIs(t, err, ErrPanic)
		assert.Len(t, obs, 4, "nothing to promote after the first rung")
	})
	t.Run("no configs", func(t *testing.T) {
		obs, err := Halving{MaxBudget: 1}.Run(t.Context(), nil,
			func(ctx context.Context, i int, cfg map[string]any, budget float64) (float64, error) { return 0, nil })
		assert.NoError(t, err)
		assert.Empty(t, obs)
	})
}

func TestHalvingCancel(t *testing.T) {
	defer noLeak(t)()
	ctx, cancel := context.WithCancel(t.Context())
	configs := make([]map[string]any, 50)
	t0 := time.Now()
	obs, err := Halving{Eta: 3, MinBudget: 1, MaxBudget: 27, Parallelism: 2}.Run(ctx, configs,
		func(ctx context.Context, i int, cfg map[string]any, budget float64) (float64, error) {
			if i == 5 {
				cancel()
			}
			select {
			case <-ctx.Done():
				return 0, ctx.Err()
			case <-time.After(2 * time.Millisecond):
				return float64(i), nil
			}
		})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(t0), 100*time.Millisecond)
	assert.Less(t, len(obs), 10)
	for _, o := range obs {
		assert.NoError(t, o.Err, "only evaluations that finished are returned")
	}
}
