package automl

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
)

// systemMemory returns the machine's memory in bytes (MemTotal of
// /proc/meminfo), or 8 GiB when it cannot tell.
func systemMemory() int64 {
	const fallback = 8 << 30
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return fallback
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err == nil && kb > 0 {
				return kb << 10
			}
		}
	}
	return fallback
}

// memoryNeed estimates the bytes Fit holds while searching: the feature
// views (8 bytes a cell, 1 a bin), plus, per trial in flight, a training
// fold's bins or features and the held-out features, and about as much
// again inside the model.
func (r *run) memoryNeed() int64 {
	var views, fold int64
	n := int64(len(r.y))
	for _, v := range r.views {
		if v == nil {
			continue
		}
		cells := n * int64(len(v.names))
		views += 8 * cells
		if v.full.Bins != nil {
			views += cells
		}
		if v.folds != nil {
			views += 8 * cells * int64(len(r.splits)) // train + test copies of every fold
			continue
		}
		fold = max(fold, 2*8*cells)
	}
	return views + int64(max(r.concurrency, 1))*fold
}

// checkMemory fails with ErrInput when the search would need more than
// Options.MaxMemory.
func (r *run) checkMemory() error {
	need := r.memoryNeed()
	if need > r.o.MaxMemory {
		return fmt.Errorf("%w: the search needs about %.1f GiB for %d rows and %d columns, over MaxMemory (%.1f GiB): sample rows, drop columns or raise MaxMemory",
			ErrInput, float64(need)/(1<<30), len(r.y), r.frame.NumCols(), float64(r.o.MaxMemory)/(1<<30))
	}
	return nil
}

// gcTuning holds the garbage collector's settings while Fits run. From
// the first Fit to the last it sets the soft memory limit to the smallest
// MaxMemory among them, so that the heap the kept models and the trials
// in flight grow is collected before it passes the cap. Fits on big tables
// also lower GOGC to 25 while they run: the runtime lets the heap grow to
// twice the live data before collecting (GOGC=100), and a big table's
// live data is hundreds of megabytes of pointer-free slices that are cheap
// to scan. Nothing is changed when the program set GOGC or GOMEMLIMIT in
// the environment; the last Fit to end restores what was there.
var gcTuning struct {
	sync.Mutex
	users   int
	lowered bool // GOGC set to 25 for a big table
	percent int
	limit   int64
}

// tuneGC applies gcTuning for one Fit with MaxMemory limit (big: on a
// big table) and returns the function that undoes it.
func tuneGC(limit int64, big bool) func() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	gcTuning.Lock()
	defer gcTuning.Unlock()
	if gcTuning.users == 0 {
		gcTuning.limit = debug.SetMemoryLimit(limit)
	} else if limit < debug.SetMemoryLimit(-1) {
		debug.SetMemoryLimit(limit)
	}
	if big && !gcTuning.lowered {
		gcTuning.percent = debug.SetGCPercent(25)
		gcTuning.lowered = true
	}
	gcTuning.users++
	return func() {
		gcTuning.Lock()
		defer gcTuning.Unlock()
		gcTuning.users--
		if gcTuning.users == 0 {
			debug.SetMemoryLimit(gcTuning.limit)
			if gcTuning.lowered {
				debug.SetGCPercent(gcTuning.percent)
				gcTuning.lowered = false
			}
		}
	}
}

// memModel predicts the memory of a trial's models from the family's
// earlier trials on the same table: bytes held per second of estimated
// (uncalibrated) cost, which for trees follows the nodes they grow. It
// keeps each family's smallest ratio, so a prediction errs low: it leaves
// out only trials that even the family's most compact configuration so
// far says cannot be kept.
type memModel struct {
	mu    sync.Mutex
	ratio map[string]float64
}

// observe records that a trial of model with raw estimate est seconds
// held bytes in models and out-of-fold predictions.
func (m *memModel) observe(model string, est float64, bytes int64) {
	if !(est > 0) || bytes <= 0 || math.IsInf(est, 0) {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ratio == nil {
		m.ratio = map[string]float64{}
	}
	if r, ok := m.ratio[model]; !ok || float64(bytes)/est < r {
		m.ratio[model] = float64(bytes) / est
	}
}

// predict returns the bytes a trial of model with raw estimate est seconds
// will hold, or 0 before the family's first trial.
func (m *memModel) predict(model string, est float64) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return int64(m.ratio[model] * est)
}
