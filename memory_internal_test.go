package automl

import (
	"os"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestTuneGCSetsAndRestores: a Fit sets the soft memory limit to its
// MaxMemory, a concurrent one with a smaller cap lowers it, a big table
// lowers GOGC, and the last to end restores the program's settings.
func TestTuneGCSetsAndRestores(t *testing.T) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("the program's own GC settings are left alone")
	}
	limit0, percent0 := debug.SetMemoryLimit(-1), debug.SetGCPercent(-1)
	debug.SetGCPercent(percent0)

	undoA := tuneGC(8<<30, false)
	assert.Equal(t, int64(8<<30), debug.SetMemoryLimit(-1))
	undoB := tuneGC(1<<30, true)
	assert.Equal(t, int64(1<<30), debug.SetMemoryLimit(-1), "the smaller cap wins")
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	assert.Equal(t, 25, p, "a big table lowers GOGC")
	undoB()
	assert.Equal(t, int64(1<<30), debug.SetMemoryLimit(-1), "kept until the last Fit ends")
	undoA()
	assert.Equal(t, limit0, debug.SetMemoryLimit(-1))
	p = debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	assert.Equal(t, percent0, p)
}
