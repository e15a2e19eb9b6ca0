package gbdt

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/internal/par"
	"github.com/automl-agent/automl/models"
)

// A panic in the grower's worker goroutine must become Fit's error: the
// hook makes the first two feature tasks of a node meet (so one runs on a
// pool worker, not the caller) and then panic on both goroutines.
func TestWorkerPanicIsFitError(t *testing.T) {
	spec, err := models.Default().Spec("gbdt")
	require.NoError(t, err)
	m, err := spec.New(models.Params{"threads": 2, "max_rounds": 3})
	require.NoError(t, err)
	d := synth(20000, 8, 2, false, 3) // 160k row-features: the root is built in parallel

	var arrived atomic.Int32
	meet := make(chan struct{})
	var once sync.Once
	testHookFeatureTask = func(int) {
		if arrived.Add(1) == 2 {
			once.Do(func() { close(meet) })
		}
		select {
		case <-meet:
		case <-time.After(2 * time.Second):
		}
		panic("injected worker panic")
	}
	t.Cleanup(func() { testHookFeatureTask = nil })

	err = m.Fit(t.Context(), d)
	require.Error(t, err)
	assert.ErrorIs(t, err, par.ErrPanic)
	assert.Contains(t, err.Error(), "injected worker panic")
	assert.GreaterOrEqual(t, arrived.Load(), int32(2), "the panic must have run on a worker goroutine too")

	// The model can still be fitted once the fault is gone.
	testHookFeatureTask = nil
	require.NoError(t, m.Fit(t.Context(), d))
	out := make([]float64, 2*d.Rows())
	require.NoError(t, m.Predict(out, d.X))
}
