package automl_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/models"
)

// countingTransport counts the folds it passes on to a FoldWorker.
type countingTransport struct {
	w     *automl.FoldWorker
	folds atomic.Int64
}

func (c *countingTransport) RunFold(ctx context.Context, req *automl.FoldRequest) (*automl.FoldReply, error) {
	c.folds.Add(1)
	return c.w.RunFold(ctx, req)
}

// countingStore counts the Puts to a store.
type countingStore struct {
	automl.BlobStore
	puts atomic.Int64
}

func (c *countingStore) Put(ctx context.Context, key string, data []byte) error {
	c.puts.Add(1)
	return c.BlobStore.Put(ctx, key, data)
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

			dir, err := automl.NewDirStore(t.TempDir())
			require.NoError(t, err)
			store := &countingStore{BlobStore: dir}
			tr := &countingTransport{w: &automl.FoldWorker{Store: store}}
			opts.Executor = &automl.RemoteExecutor{Store: store, Transport: tr, MaxFoldsAtOnce: atOnce, FoldsPerRequest: c.perCall}
			remote, err := automl.New(opts).Fit(t.Context(), train, "target")
			require.NoError(t, err)

			assert.Equal(t, leaderboardJSON(t, local.Leaderboard), leaderboardJSON(t, remote.Leaderboard))
			assert.Contains(t, leaderboardJSON(t, remote.Leaderboard), `"tuned"`, "the search reached tuning")
			assert.Positive(t, tr.folds.Load(), "the folds went through the transport")
			// Each fold's data is written once per view (25 splits, 2
			// views), not once per trial; results are small and inline.
			assert.LessOrEqual(t, store.puts.Load(), int64(50), "fold data written once, for %d folds fitted", tr.folds.Load())
			a, err := local.Predictor.Predict(t.Context(), train)
			require.NoError(t, err)
			b, err := remote.Predictor.Predict(t.Context(), train)
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
	store, err := automl.NewDirStore(t.TempDir())
	require.NoError(t, err)
	want := leaderboardJSON(t, local.Leaderboard)
	for _, perCall := range []int{1, 3} {
		opts.Registry = reg()
		opts.Executor = &automl.RemoteExecutor{Store: store, Transport: &automl.FoldWorker{Store: store, Registry: opts.Registry}, MaxFoldsAtOnce: 1, FoldsPerRequest: perCall}
		remote, err := automl.New(opts).Fit(t.Context(), train, "target")
		require.NoError(t, err)
		assert.Equal(t, want, leaderboardJSON(t, remote.Leaderboard), "%d folds per request", perCall)
	}
	assert.Contains(t, want, "panic in panicky: panicky: second fit")
	assert.Contains(t, want, "broken: cannot fit")
}

func TestEncodeFoldRoundTrip(t *testing.T) {
	X := [][]float64{{1, math.NaN(), 3, -0.5}, {0, 1, 2, 3}}
	bins, err := models.NewBinned(X, []int{0, 4}, 16)
	require.NoError(t, err)
	cases := map[string]*models.Data{
		"dense":      {X: X, Y: []float64{0, 1, 1, 0}, NumClasses: 2, Categories: []int{0, 4}},
		"weighted":   {X: X, Y: []float64{0.5, 1, 2, 3}, W: []float64{1, 2, 0, 1}},
		"bins only":  {Y: []float64{0, 1, 2, 1}, NumClasses: 3, Bins: bins},
		"bins and X": {X: X, Y: []float64{1, 2, 3, 4}, Bins: bins},
	}
	testX := [][]float64{{7, math.Inf(1)}, {math.NaN(), 0}}
	for name, d := range cases {
		t.Run(name, func(t *testing.T) {
			blob, err := automl.EncodeFold(d, testX)
			require.NoError(t, err)
			got, gotX, err := automl.DecodeFold(blob)
			require.NoError(t, err)
			assert.Equal(t, bitsOf(d.X), bitsOf(got.X))
			assert.Equal(t, d.Y, got.Y)
			assert.Equal(t, d.W, got.W)
			assert.Equal(t, d.NumClasses, got.NumClasses)
			assert.Equal(t, d.Categories, got.Categories)
			assert.Equal(t, d.Bins, got.Bins)
			assert.Equal(t, bitsOf(testX), bitsOf(gotX))
			again, err := automl.EncodeFold(got, gotX)
			require.NoError(t, err)
			assert.Equal(t, automl.BlobKey(blob), automl.BlobKey(again), "the encoding is canonical")

			for _, cut := range []int{0, 5, len(blob) / 2, len(blob) - 1} {
				_, _, err := automl.DecodeFold(blob[:cut])
				assert.ErrorIs(t, err, automl.ErrFoldEncoding, "cut at %d", cut)
			}
		})
	}
}

// bitsOf maps a matrix to its float bits, so NaN compares equal to NaN.
func bitsOf(m [][]float64) [][]uint64 {
	if m == nil {
		return nil
	}
	out := make([][]uint64, len(m))
	for j, c := range m {
		out[j] = make([]uint64, len(c))
		for i, v := range c {
			out[j][i] = math.Float64bits(v)
		}
	}
	return out
}

func FuzzDecodeFold(f *testing.F) {
	X := [][]float64{{1, 2, math.NaN()}}
	bins, err := models.NewBinned(X, nil, 8)
	require.NoError(f, err)
	blob, err := automl.EncodeFold(&models.Data{X: X, Y: []float64{1, 0, 1}, NumClasses: 2, Bins: bins}, X)
	require.NoError(f, err)
	f.Add(blob)
	f.Add([]byte("AMLFOLD1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, testX, err := automl.DecodeFold(b)
		if err != nil {
			require.ErrorIs(t, err, automl.ErrFoldEncoding)
			return
		}
		again, err := automl.EncodeFold(d, testX)
		require.NoError(t, err)
		assert.Equal(t, b, again)
	})
}

func TestDirStore(t *testing.T) {
	ctx := t.Context()
	s, err := automl.NewDirStore(t.TempDir())
	require.NoError(t, err)
	data := []byte("some fold")
	key := automl.BlobKey(data)
	_, err = s.Get(ctx, key)
	assert.ErrorIs(t, err, automl.ErrBlobNotFound)
	require.NoError(t, s.Put(ctx, key, data))
	require.NoError(t, s.Put(ctx, key, data), "a second put of a key is a no-op")
	got, err := s.Get(ctx, key)
	require.NoError(t, err)
	assert.Equal(t, data, got)
	require.NoError(t, s.Delete(ctx, key))
	_, err = s.Get(ctx, key)
	assert.ErrorIs(t, err, automl.ErrBlobNotFound)

	for _, bad := range []string{"", "../../etc/passwd", key[:10], key[:63] + "G"} {
		assert.ErrorIs(t, s.Put(ctx, bad, data), automl.ErrBlobKey, bad)
		_, err := s.Get(ctx, bad)
		assert.ErrorIs(t, err, automl.ErrBlobKey, bad)
	}
}

func TestCachedStore(t *testing.T) {
	ctx := t.Context()
	remote, err := automl.NewDirStore(t.TempDir())
	require.NoError(t, err)
	local, err := automl.NewDirStore(t.TempDir())
	require.NoError(t, err)
	data := []byte("fold data")
	key := automl.BlobKey(data)
	require.NoError(t, remote.Put(ctx, key, data))
	c := automl.CachedStore{Remote: remote, Local: local}
	got, err := c.Get(ctx, key)
	require.NoError(t, err)
	assert.Equal(t, data, got)
	require.NoError(t, remote.Delete(ctx, key))
	got, err = c.Get(ctx, key)
	require.NoError(t, err, "the second read comes from the local copy")
	assert.Equal(t, data, got)

	// A remote blob whose content does not match its key is refused.
	other := automl.BlobKey([]byte("other"))
	require.NoError(t, remote.Put(ctx, other, data))
	_, err = c.Get(ctx, other)
	assert.Error(t, err)
}

// fatModel predicts zeros and encodes to 2 MB, over the inline limit.
type fatModel struct{ bytes []byte }

func (m *fatModel) Fit(ctx context.Context, d *models.Data) error {
	if len(d.Y) == 0 {
		return errors.New("fat: no rows")
	}
	return ctx.Err()
}
func (m *fatModel) Predict(dst []float64, X [][]float64) error { clear(dst); return nil }
func (m *fatModel) MarshalBinary() ([]byte, error)             { return make([]byte, 2<<20), nil }
func (m *fatModel) UnmarshalBinary(b []byte) error             { m.bytes = b; return nil }

// brokenModel fails to fit.
type brokenModel struct{}

func (brokenModel) Fit(context.Context, *models.Data) error    { return errors.New("broken: cannot fit") }
func (brokenModel) Predict(dst []float64, X [][]float64) error { return nil }

func TestFoldWorker(t *testing.T) {
	reg := models.NewRegistry()
	reg.MustRegister(models.Spec{Name: "fat", Tasks: models.Regression, New: func(models.Params) (models.Model, error) { return &fatModel{}, nil }})
	reg.MustRegister(models.Spec{Name: "broken", Tasks: models.Regression, New: func(models.Params) (models.Model, error) { return brokenModel{}, nil }})
	store, err := automl.NewDirStore(t.TempDir())
	require.NoError(t, err)
	w := &automl.FoldWorker{Store: store, Registry: reg}
	exec := &automl.RemoteExecutor{Store: store, Transport: w}
	train := &models.Data{X: [][]float64{{1, 2, 3}}, Y: []float64{1, 2, 3}}
	task := func(name string) *automl.FoldTask {
		spec, err := reg.Spec(name)
		require.NoError(t, err)
		return &automl.FoldTask{Spec: spec, Params: models.Params{}, Train: train, TestX: [][]float64{{4, 5}}, TestRows: 2}
	}

	t.Run("big result through the store", func(t *testing.T) {
		res, err := exec.FitFold(t.Context(), task("fat"))
		require.NoError(t, err)
		assert.Equal(t, []float64{0, 0}, res.Pred)
		assert.Len(t, res.Model.(*fatModel).bytes, 2<<20)
	})
	t.Run("a batch in one round trip", func(t *testing.T) {
		res, err := exec.FitFolds(t.Context(), []*automl.FoldTask{task("fat"), task("fat")})
		require.NoError(t, err)
		require.Len(t, res, 2)
		for _, r := range res {
			assert.Len(t, r.Model.(*fatModel).bytes, 2<<20)
		}
		_, err = exec.FitFolds(t.Context(), []*automl.FoldTask{task("fat"), task("broken")})
		assert.ErrorIs(t, err, automl.ErrTrialFailed)
	})
	t.Run("model failure is the trial's", func(t *testing.T) {
		_, err := exec.FitFold(t.Context(), task("broken"))
		assert.ErrorIs(t, err, automl.ErrTrialFailed)
		assert.ErrorContains(t, err, "cannot fit")
	})
	t.Run("unknown model is the trial's", func(t *testing.T) {
		_, err := w.RunFold(t.Context(), &automl.FoldRequest{Model: "nope"})
		assert.ErrorIs(t, err, automl.ErrTrialFailed)
		assert.ErrorIs(t, err, models.ErrUnknownModel)
	})
	t.Run("missing data is not the trial's", func(t *testing.T) {
		_, err := w.RunFold(t.Context(), &automl.FoldRequest{Model: "fat", Data: automl.BlobKey([]byte("gone"))})
		assert.ErrorIs(t, err, automl.ErrBlobNotFound)
		assert.NotErrorIs(t, err, automl.ErrTrialFailed)
	})
	t.Run("cancelled is not the trial's", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := exec.FitFold(ctx, task("fat"))
		assert.ErrorIs(t, err, context.Canceled)
		assert.NotErrorIs(t, err, automl.ErrTrialFailed)
	})
}
