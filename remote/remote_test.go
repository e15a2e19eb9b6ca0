package remote_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/remote"
)

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
			blob, err := remote.EncodeFold(d, testX)
			require.NoError(t, err)
			got, gotX, err := remote.DecodeFold(blob)
			require.NoError(t, err)
			assert.Equal(t, bitsOf(d.X), bitsOf(got.X))
			assert.Equal(t, d.Y, got.Y)
			assert.Equal(t, d.W, got.W)
			assert.Equal(t, d.NumClasses, got.NumClasses)
			assert.Equal(t, d.Categories, got.Categories)
			assert.Equal(t, d.Bins, got.Bins)
			assert.Equal(t, bitsOf(testX), bitsOf(gotX))
			again, err := remote.EncodeFold(got, gotX)
			require.NoError(t, err)
			assert.Equal(t, remote.Key(blob), remote.Key(again), "the encoding is canonical")

			for _, cut := range []int{0, 5, len(blob) / 2, len(blob) - 1} {
				_, _, err := remote.DecodeFold(blob[:cut])
				assert.ErrorIs(t, err, remote.ErrEncoding, "cut at %d", cut)
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
	blob, err := remote.EncodeFold(&models.Data{X: X, Y: []float64{1, 0, 1}, NumClasses: 2, Bins: bins}, X)
	require.NoError(f, err)
	f.Add(blob)
	f.Add([]byte("AMLFOLD1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, testX, err := remote.DecodeFold(b)
		if err != nil {
			require.ErrorIs(t, err, remote.ErrEncoding)
			return
		}
		again, err := remote.EncodeFold(d, testX)
		require.NoError(t, err)
		assert.Equal(t, b, again)
	})
}

func TestDirStore(t *testing.T) {
	ctx := t.Context()
	s, err := remote.NewDirStore(t.TempDir())
	require.NoError(t, err)
	data := []byte("some fold")
	key := remote.Key(data)
	_, err = s.Get(ctx, key)
	assert.ErrorIs(t, err, remote.ErrNotFound)
	require.NoError(t, s.Put(ctx, key, data))
	require.NoError(t, s.Put(ctx, key, data), "a second put of a key is a no-op")
	got, err := s.Get(ctx, key)
	require.NoError(t, err)
	assert.Equal(t, data, got)
	require.NoError(t, s.Delete(ctx, key))
	_, err = s.Get(ctx, key)
	assert.ErrorIs(t, err, remote.ErrNotFound)

	for _, bad := range []string{"", "../../etc/passwd", key[:10], key[:63] + "G"} {
		assert.ErrorIs(t, s.Put(ctx, bad, data), remote.ErrKey, bad)
		_, err := s.Get(ctx, bad)
		assert.ErrorIs(t, err, remote.ErrKey, bad)
	}
}

func TestCachedStore(t *testing.T) {
	ctx := t.Context()
	shared, err := remote.NewDirStore(t.TempDir())
	require.NoError(t, err)
	local, err := remote.NewDirStore(t.TempDir())
	require.NoError(t, err)
	data := []byte("fold data")
	key := remote.Key(data)
	require.NoError(t, shared.Put(ctx, key, data))
	c := remote.CachedStore{Remote: shared, Local: local}
	got, err := c.Get(ctx, key)
	require.NoError(t, err)
	assert.Equal(t, data, got)
	require.NoError(t, shared.Delete(ctx, key))
	got, err = c.Get(ctx, key)
	require.NoError(t, err, "the second read comes from the local copy")
	assert.Equal(t, data, got)

	// A remote blob whose content does not match its key is refused.
	other := remote.Key([]byte("other"))
	require.NoError(t, shared.Put(ctx, other, data))
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
	store, err := remote.NewDirStore(t.TempDir())
	require.NoError(t, err)
	w := &remote.Worker{Store: store, Registry: reg}
	exec := &remote.Executor{Store: store, Transport: w}
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
		_, err := w.RunFold(t.Context(), &remote.Request{Model: "nope"})
		assert.ErrorIs(t, err, automl.ErrTrialFailed)
		assert.ErrorIs(t, err, models.ErrUnknownModel)
	})
	t.Run("missing data is not the trial's", func(t *testing.T) {
		_, err := w.RunFold(t.Context(), &remote.Request{Model: "fat", Data: remote.Key([]byte("gone"))})
		assert.ErrorIs(t, err, remote.ErrNotFound)
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
