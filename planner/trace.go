package planner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/automl-agent/automl/llm"
)

// Trace records how a plan was made, for Result: the planner whose plan is
// used, the plan, every fallback with its reason, the repair rounds, LLM
// usage and the time planning took.
type Trace struct {
	// Planner names the planner whose plan is used ("heuristic", "llm", ...).
	Planner string `json:"planner"`
	// Plan is the plan used (valid, normalised).
	Plan *Plan `json:"plan"`
	// Fallbacks lists, in order, why a planner's plan was not used.
	Fallbacks []string `json:"fallbacks,omitempty"`
	// Repairs counts the repair rounds an LLM needed.
	Repairs int `json:"repairs,omitempty"`
	// Cached says the plan came from the cache (no LLM call).
	Cached bool `json:"cached,omitempty"`
	// Usage is the LLM's spending while planning (zero without an LLM).
	Usage llm.Usage `json:"usage"`
	// Duration is the wall time of planning, fallbacks included.
	Duration time.Duration `json:"duration"`
}

// tracer is implemented by planners that report more than a plan (LLM).
type tracer interface {
	planTrace(ctx context.Context, b *Brief) (*Plan, Trace, error)
}

// PlanWithFallback asks p (nil means Heuristic) for a plan, normalises and
// validates it, and falls back to Heuristic (recording why in
// Trace.Fallbacks) when p fails, panics or its plan stays invalid. It always
// returns a plan; it is Validate-clean unless even the heuristic's is not
// (data too small to cross-validate, which Fit reports itself).
func PlanWithFallback(ctx context.Context, p Planner, b *Brief) (*Plan, Trace) {
	start := time.Now()
	if p == nil {
		p = Heuristic{}
	}
	plan, tr, err := tryPlan(ctx, p, b)
	if b == nil {
		b = &Brief{}
	}
	if err != nil {
		tr.Fallbacks = append(tr.Fallbacks, reason(err))
		plan, _ = Heuristic{}.Plan(ctx, b)
		Normalize(plan, b)
		tr.Planner = plan.Planner
	}
	tr.Plan = plan
	tr.Duration = time.Since(start)
	return plan, tr
}

// tryPlan runs p once, turning a panic into an error, and checks its plan.
func tryPlan(ctx context.Context, p Planner, b *Brief) (plan *Plan, tr Trace, err error) {
	defer func() {
		if r := recover(); r != nil {
			plan, err = nil, fmt.Errorf("%w: planner panicked: %v", ErrFallback, r)
		}
	}()
	if b == nil {
		return nil, tr, fmt.Errorf("%w: no brief", ErrFallback)
	}
	if t, ok := p.(tracer); ok {
		plan, tr, err = t.planTrace(ctx, b)
	} else {
		plan, err = p.Plan(ctx, b)
	}
	if err != nil {
		return nil, tr, err
	}
	if plan == nil {
		return nil, tr, fmt.Errorf("%w: the planner returned no plan", ErrFallback)
	}
	Normalize(plan, b)
	if err := Validate(plan, b); err != nil {
		return nil, tr, err
	}
	if plan.Planner == "" {
		plan.Planner = "custom"
	}
	tr.Planner = plan.Planner
	return plan, tr, nil
}

// reason is an error's text without the package prefixes that say nothing
// to a reader of the fallback list.
func reason(err error) string {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return "invalid plan: " + ve.Error()[len(ErrInvalidPlan.Error())+2:]
	}
	return err.Error()
}

// Fallback is a Planner that asks Primary and, when it fails or its plan
// is invalid, Secondary (nil means Heuristic). Use PlanWithFallback to
// also learn why.
type Fallback struct {
	Primary   Planner
	Secondary Planner
}

// Plan returns Primary's plan if it is valid, else Secondary's.
func (f Fallback) Plan(ctx context.Context, b *Brief) (*Plan, error) {
	if f.Primary != nil {
		if plan, _, err := tryPlan(ctx, f.Primary, b); err == nil {
			return plan, nil
		}
	}
	sec := f.Secondary
	if sec == nil {
		sec = Heuristic{}
	}
	plan, _, err := tryPlan(ctx, sec, b)
	return plan, err
}
