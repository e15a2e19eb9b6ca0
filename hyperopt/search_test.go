package hyperopt

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// toyEval is a deterministic objective that also fails and panics on some
// trials and takes a trial-dependent time, so completion order varies.
func toyEval(ctx context.Context, i int, cfg map[string]any) (float64, error) {
	time.Sleep(time.Duration(rand.New(rand.NewPCG(99, uint64(i))).IntN(300)) * time.Microsecond)
	switch {
	case i%17 == 5:
		return 0, fmt.Errorf("trial %d: %w", i, errOdd)
	case i%23 == 11:
		panic(fmt.Sprintf("trial %d exploded", i))
	}
	return toyLoss(cfg), nil
}

func TestSearchDeterministicAcrossParallelism(t *testing.T) {
	defer noLeak(t)()
	run := func(par int) string {
		obs, err := Search(t.Context(), SearchOptions{MaxTrials: 60, Parallelism: par, Seed: 42},
			&TPE{Space: toySpace}, toyEval)
		require.NoError(t, err)
		require.Len(t, obs, 60)
		return fmt.Sprint(obs)
	}
	one := run(1)
	assert.Equal(t, one, run(8), "same seed must give the same observations at parallelism 1 and 8")
	assert.Equal(t, one, run(3))
	other, err := Search(t.Context(), SearchOptions{MaxTrials: 60, Parallelism: 8, Seed: 43}, &TPE{Space: toySpace}, toyEval)
	require.NoError(t, err)
	assert.NotEqual(t, one, fmt.Sprint(other), "a different seed gives a different search")
}

func TestSearchObservations(t *testing.T) {
	var observed []int
	obs, err := Search(t.Context(), SearchOptions{MaxTrials: 30, BatchSize: 4, Seed: 1, Observe: func(o Observation) {
		observed = append(observed, o.Trial)
	}}, Random{Space: toySpace}, toyEval)
	require.NoError(t, err)
	require.Len(t, obs, 30)
	for i, o := range obs {
		assert.Equal(t, i, o.Trial)
		assert.Equal(t, i, observed[i])
		assert.Equal(t, toySpace.Sample(rand.New(rand.NewPCG(1, uint64(i)))), o.Config, "trial %d proposes with PCG(seed, i)", i)
		switch {
		case i%17 == 5:
			assert.ErrorIs(t, o.Err, errOdd)
			assert.True(t, math.IsInf(o.Loss, 1))
			assert.True(t, o.Failed())
		case i%23 == 11:
			assert.ErrorIs(t, o.Err, ErrPanic)
			assert.True(t, math.IsInf(o.Loss, 1))
		default:
			assert.NoError(t, o.Err)
			assert.Equal(t, toyLoss(o.Config), o.Loss)
			assert.False(t, o.Failed())
		}
	}
}

func TestSearchBatchHistory(t *testing.T) {
	var seen, pending []int
	sampler := SamplerFunc(func(rng *rand.Rand, trial int, history []Observation) (map[string]any, error) {
		seen = append(seen, len(history))
		n := 0
		for k, h := range history {
			if h.Pending {
				n++
				assert.True(t, math.IsNaN(h.Loss))
				assert.Equal(t, trial, h.Config["t"].(int)+len(history)-k, "pending are this batch's earlier proposals")
			}
		}
		pending = append(pending, n)
		return map[string]any{"t": trial}, nil
	})
	_, err := Search(t.Context(), SearchOptions{MaxTrials: 10, BatchSize: 4, Parallelism: 4}, sampler,
		func(ctx context.Context, i int, cfg map[string]any) (float64, error) { return float64(i), nil })
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, seen, "completed plus pending")
	assert.Equal(t, []int{0, 1, 2, 3, 0, 1, 2, 3, 0, 1}, pending)
}

func TestSearchPortfolio(t *testing.T) {
	port := Portfolio{Configs: []map[string]any{{"a": 1}, {"a": 2}, nil}}
	eval := func(ctx context.Context, i int, cfg map[string]any) (float64, error) {
		cfg["mutated"] = true // eval gets a copy
		return float64(i), nil
	}
	obs, err := Search(t.Context(), SearchOptions{MaxTrials: 10}, port, eval)
	require.NoError(t, err, "ErrExhausted ends the search normally")
	require.Len(t, obs, 3)
	assert.Equal(t, map[string]any{"a": 1}, obs[0].Config)
	assert.Equal(t, map[string]any{"a": 2}, obs[1].Config)
	assert.Equal(t, map[string]any{}, obs[2].Config)
	assert.Equal(t, map[string]any{"a": 1}, port.Configs[0], "the portfolio is not mutated")

	port.Then = Random{Space: Space{{Name: "a", Kind: Int, Low: 10, High: 20}}}
	obs, err = Search(t.Context(), SearchOptions{MaxTrials: 5}, port, eval)
	require.NoError(t, err)
	require.Len(t, obs, 5)
	assert.GreaterOrEqual(t, obs[4].Config["a"], 10)
}

func TestSearchErrors(t *testing.T) {
	ok := func(ctx context.Context, i int, cfg map[string]any) (float64, error) { return 1, nil }
	rs := Random{Space: toySpace}
	t.Run("bad options", func(t *testing.T) {
		_, err := Search(t.Context(), SearchOptions{MaxTrials: -1}, rs, ok)
		assert.ErrorIs(t, err, ErrOptions)
		_, err = Search(t.Context(), SearchOptions{}, nil, ok)
		assert.ErrorIs(t, err, ErrOptions)
		_, err = Search(t.Context(), SearchOptions{}, rs, nil)
		assert.ErrorIs(t, err, ErrOptions)
	})
	t.Run("bad space", func(t *testing.T) {
		obs, err := Search(t.Context(), SearchOptions{}, Random{Space: Space{{Name: ""}}}, ok)
		assert.ErrorIs(t, err, ErrSpace)
		assert.Empty(t, obs)
	})
	t.Run("sampler panic", func(t *testing.T) {
		s := SamplerFunc(func(*rand.Rand, int, []Observation) (map[string]any, error) { panic("bad sampler") })
		_, err := Search(t.Context(), SearchOptions{}, s, ok)
		assert.ErrorIs(t, err, ErrPanic)
	})
	t.Run("all fail", func(t *testing.T) {
		obs, err := Search(t.Context(), SearchOptions{MaxTrials: 5}, rs, func(ctx context.Context, i int, cfg map[string]any) (float64, error) {
			if i == 0 {
				return math.NaN(), nil
			}
			return 0, errOdd
		})
		assert.Len(t, obs, 5)
		assert.ErrorIs(t, err, ErrNoSuccess)
		assert.ErrorIs(t, err, errOdd)
		assert.Contains(t, err.Error(), "all 5 trials failed")
	})
	t.Run("one success is enough", func(t *testing.T) {
		_, err := Search(t.Context(), SearchOptions{MaxTrials: 5}, rs, func(ctx context.Context, i int, cfg map[string]any) (float64, error) {
			if i == 3 {
				return 1, nil
			}
			return 0, errOdd
		})
		assert.NoError(t, err)
	})
}

func TestSearchCancel(t *testing.T) {
	defer noLeak(t)()
	ctx, cancel := context.WithCancel(t.Context())
	var started atomic.Int32
	var cancelledAt time.Time
	obs, err := Search(ctx, SearchOptions{MaxTrials: 10000, Parallelism: 4}, Random{Space: toySpace},
		func(ctx context.Context, i int, cfg map[string]any) (float64, error) {
			if started.Add(1) == 20 {
				cancelledAt = time.Now()
				cancel()
			}
			select {
			case <-ctx.Done():
				return 0, ctx.Err()
			case <-time.After(time.Millisecond):
				return 1, nil
			}
		})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(cancelledAt), 100*time.Millisecond)
	assert.Less(t, len(obs), 40)
	assert.Equal(t, int(started.Load()), len(obs), "only started trials are returned")
}

func TestSearchDeadline(t *testing.T) {
	obs, err := Search(t.Context(), SearchOptions{MaxTrials: 10000, BatchSize: 2, Deadline: time.Now().Add(50 * time.Millisecond)},
		Random{Space: toySpace}, func(ctx context.Context, i int, cfg map[string]any) (float64, error) {
			time.Sleep(5 * time.Millisecond)
			return 1, nil
		})
	require.NoError(t, err, "a deadline ends the search normally")
	assert.NotEmpty(t, obs)
	assert.Less(t, len(obs), 100)

	obs, err = Search(t.Context(), SearchOptions{Deadline: time.Now().Add(-time.Second)}, Random{Space: toySpace},
		func(ctx context.Context, i int, cfg map[string]any) (float64, error) { return 1, nil })
	assert.NoError(t, err)
	assert.Empty(t, obs)
}

func TestSearchTPEBeatsRandomBatched(t *testing.T) {
	if testing.Short() {
		t.Skip("statistical check")
	}
	const seeds = 10
	eval := func(ctx context.Context, i int, cfg map[string]any) (float64, error) { return toyLoss(cfg), nil }
	best := func(s Sampler, seed uint64) float64 {
		obs, err := Search(t.Context(), SearchOptions{MaxTrials: 80, Seed: seed, Parallelism: 2}, s, eval)
		require.NoError(t, err)
		b := math.Inf(1)
		for _, o := range obs {
			b = math.Min(b, o.Loss)
		}
		return b
	}
	var sumT, sumR float64
	for seed := range uint64(seeds) {
		sumT += best(&TPE{Space: toySpace}, seed)
		sumR += best(Random{Space: toySpace}, seed)
	}
	t.Logf("batched (B=8), 80 trials, %d seeds: TPE %.3f random %.3f", seeds, sumT/seeds, sumR/seeds)
	assert.Less(t, sumT, 0.6*sumR)
}
