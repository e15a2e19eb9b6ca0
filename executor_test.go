package automl_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/remote"
)

// countingTransport counts the folds it passes on to a remote.Worker.
type countingTransport struct {
	w     *remote.Worker
	folds atomic.Int64
}

func (c *countingTransport) RunFold(ctx context.Context, req *remote.Request) (*remote.Reply, error) {
	c.folds.Add(1)
	return c.w.RunFold(ctx, req)
}

// countingStore counts the Puts to a store.
type countingStore struct {
	remote.Store
	puts atomic.Int64
}

func (c *countingStore) Put(ctx context.Context, key string, data []byte) error {
	c.puts.Add(1)
	return c.Store.Put(ctx, key, data)
}

func TestRemoteExecutorSameLeaderboard(t *testing.T) {
	cases := []struct {
		kind            string
		atOnce, perCall int
	}{
		{"binary", 0, 0},     // every fold after the first at once
		{"regression", 2, 0}, // two at once
		{"binary", 0, 4},     // in runs of four, one round trip each
	}
	for _, c := range cases {
		kind, atOnce := c.kind, c.atOnce
		t.Run(fmt.Sprintf("%s/%d-at-once/%d-per-request", kind, atOnce, c.perCall), func(t *testing.T) {
			train := readCSV(t, synthCSV(200, kind, 5))
			defer train.Release()
			opts := automl.Options{MaxTrials: 16, Seed: 11, Parallelism: 2, MaxTunedPerModel: 4, Include: []string{"logistic", "gbdt", "knn"}}
			local, err := automl.New(opts).Fit(t.Context(), train, "target")
			require.NoError(t, err)

			dir, err := remote.NewDirStore(t.TempDir())
			require.NoError(t, err)
			store := &countingStore{Store: dir}
			tr := &countingTransport{w: &remote.Worker{Store: store}}
			opts.Executor = &remote.Executor{Store: store, Transport: tr, MaxFoldsAtOnce: atOnce, FoldsPerRequest: c.perCall}
			far, err := automl.New(opts).Fit(t.Context(), train, "target")
			require.NoError(t, err)

			assert.Equal(t, leaderboardJSON(t, local.Leaderboard), leaderboardJSON(t, far.Leaderboard))
			assert.Contains(t, leaderboardJSON(t, far.Leaderboard), `"tuned"`, "the search reached tuning")
			assert.Positive(t, tr.folds.Load(), "the folds went through the transport")
			// Each fold's data is written once per view (25 splits, 2
			// views), not once per trial; results are small and inline.
			assert.LessOrEqual(t, store.puts.Load(), int64(50), "fold data written once, for %d folds fitted", tr.folds.Load())
			a, err := local.Predictor.Predict(t.Context(), train)
			require.NoError(t, err)
			b, err := far.Predictor.Predict(t.Context(), train)
			require.NoError(t, err)
			assert.Equal(t, a.Values, b.Values, "the rebuilt fold models predict as the local ones")
		})
	}
}

// panicky panics on the second fold it fits; failing always fails.
type panicky struct{ calls *atomic.Int64 }

func (m panicky) Fit(ctx context.Context, d *models.Data) error {
	if m.calls.Add(1) == 2 {
		panic("panicky: second fit")
	}
	return nil
}
func (panicky) Predict(dst []float64, X [][]float64) error { clear(dst); return nil }
func (panicky) MarshalBinary() ([]byte, error)             { return nil, nil }
func (panicky) UnmarshalBinary([]byte) error               { return nil }

func TestRemoteExecutorSameFailures(t *testing.T) {
	train := readCSV(t, synthCSV(200, "regression", 5))
	defer train.Release()
	reg := func() *models.Registry {
		reg := models.NewRegistry()
		for _, name := range []string{"prior", "ridge"} {
			spec, err := models.Default().Spec(name)
			require.NoError(t, err)
			reg.MustRegister(spec)
		}
		var calls atomic.Int64
		reg.MustRegister(models.Spec{Name: "panicky", Tasks: models.Regression, Input: models.InputDense,
			New: func(models.Params) (models.Model, error) { return panicky{&calls}, nil }})
		reg.MustRegister(models.Spec{Name: "failing", Tasks: models.Regression, Input: models.InputDense,
			New: func(models.Params) (models.Model, error) { return brokenModel{}, nil }})
		return reg
	}
	opts := automl.Options{MaxTrials: 6, Seed: 2, Parallelism: 1, Registry: reg(), DisableImportance: true}
	local, err := automl.New(opts).Fit(t.Context(), train, "target")
	require.NoError(t, err)
	store, err := remote.NewDirStore(t.TempDir())
	require.NoError(t, err)
	want := leaderboardJSON(t, local.Leaderboard)
	for _, perCall := range []int{1, 3} {
		opts.Registry = reg()
		opts.Executor = &remote.Executor{Store: store, Transport: &remote.Worker{Store: store, Registry: opts.Registry}, MaxFoldsAtOnce: 1, FoldsPerRequest: perCall}
		far, err := automl.New(opts).Fit(t.Context(), train, "target")
		require.NoError(t, err)
		assert.Equal(t, want, leaderboardJSON(t, far.Leaderboard), "%d folds per request", perCall)
	}
	assert.Contains(t, want, "panic in panicky: panicky: second fit")
	assert.Contains(t, want, "broken: cannot fit")
}

// brokenModel fails to fit.
type brokenModel struct{}

func (brokenModel) Fit(context.Context, *models.Data) error    { return errors.New("broken: cannot fit") }
func (brokenModel) Predict(dst []float64, X [][]float64) error { return nil }
