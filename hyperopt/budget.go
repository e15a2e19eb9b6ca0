package hyperopt

import (
	"context"
	"math"
	"sync"
	"time"
)

// Budget tracks the time left for a search and estimates how long a trial
// will take, so the orchestrator can skip trials that would not finish.
//
// The deadline is the earlier of ctx's deadline and now+limit (see
// NewBudget). Costs are learned per model family as seconds per cell
// (rows × features): the first observed trial of a family replaces its
// prior and later ones are blended in by an exponential moving average,
//
//	cost ← (1-Alpha)·cost + Alpha·took/(rows·features).
//
// Set the exported fields before sharing a Budget; after that its methods
// are safe for concurrent use.
type Budget struct {
	// Safety multiplies estimates in Fits; 0 means 1.25.
	Safety float64
	// Alpha is the weight of a new observation in the moving average; 0
	// means 0.3.
	Alpha float64
	// DefaultCost is the prior in seconds per cell for families with no
	// SetPrior and no observation; 0 means 1e-7 (10M cells a second).
	DefaultCost float64

	deadline time.Time // zero: none
	now      func() time.Time

	mu       sync.Mutex
	perCell  map[string]float64
	observed map[string]bool
}

// NewBudget returns a Budget whose deadline is the earlier of ctx's
// deadline and time.Now()+limit; limit <= 0 means no limit of its own.
// With neither, there is no deadline. ctx is read once and not kept.
func NewBudget(ctx context.Context, limit time.Duration) *Budget {
	b := &Budget{now: time.Now, perCell: map[string]float64{}, observed: map[string]bool{}}
	if d, ok := ctx.Deadline(); ok {
		b.deadline = d
	}
	if limit > 0 {
		if d := b.now().Add(limit); b.deadline.IsZero() || d.Before(b.deadline) {
			b.deadline = d
		}
	}
	return b
}

// Deadline returns the deadline and whether there is one.
func (b *Budget) Deadline() (time.Time, bool) { return b.deadline, !b.deadline.IsZero() }

// Remaining returns the time left before the deadline: 0 once it has
// passed, and the largest Duration if there is no deadline.
func (b *Budget) Remaining() time.Duration {
	if b.deadline.IsZero() {
		return time.Duration(math.MaxInt64)
	}
	return max(0, b.deadline.Sub(b.now()))
}

// Fits reports whether a trial estimated to take estimated would finish
// before the deadline with the safety margin: estimated·Safety <=
// Remaining(). Always true without a deadline.
func (b *Budget) Fits(estimated time.Duration) bool {
	if b.deadline.IsZero() {
		return true
	}
	return float64(estimated)*b.safety() <= float64(b.Remaining())
}

func (b *Budget) safety() float64 {
	if b.Safety > 0 {
		return b.Safety
	}
	return 1.25
}

// SetPrior sets the cost of family name, in seconds per cell, used until
// the first observation of that family. A non-positive or non-finite
// value is ignored.
func (b *Budget) SetPrior(name string, secondsPerCell float64) {
	if !(secondsPerCell > 0) || math.IsInf(secondsPerCell, 0) {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.observed[name] {
		b.perCell[name] = secondsPerCell
	}
}

// Observe records that a trial of family name on rows × features took
// took. Non-positive sizes or durations are ignored.
func (b *Budget) Observe(name string, rows, features int, took time.Duration) {
	if rows <= 0 || took <= 0 {
		return
	}
	c := took.Seconds() / cells(rows, features)
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.observed[name] {
		b.observed[name] = true
		b.perCell[name] = c
		return
	}
	a := b.Alpha
	if !(a > 0 && a <= 1) {
		a = 0.3
	}
	b.perCell[name] = (1-a)*b.perCell[name] + a*c
}

// Estimate returns the expected duration of a trial of family name on
// rows × features (features < 1 counts as 1): cost per cell × cells.
func (b *Budget) Estimate(name string, rows, features int) time.Duration {
	b.mu.Lock()
	c, ok := b.perCell[name]
	b.mu.Unlock()
	if !ok {
		c = b.DefaultCost
		if !(c > 0) {
			c = 1e-7
		}
	}
	s := c * cells(max(rows, 0), features)
	if s*1e9 >= math.MaxInt64 {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(math.Round(s * 1e9))
}

func cells(rows, features int) float64 { return float64(rows) * float64(max(features, 1)) }
