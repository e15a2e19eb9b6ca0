package hyperopt

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// Kind is the type of one hyperparameter.
type Kind int

// Hyperparameter kinds.
const (
	Float       Kind = iota // a real number in [Low, High]
	Int                     // an integer in [Low, High]
	Categorical             // one of Choices
)

// Param declares one hyperparameter of a search space.
//
// For Float and Int, Low and High bound the value (inclusive) and Log samples
// it uniformly in log space (Low must then be > 0). For Categorical, Choices
// lists the values (strings, numbers or booleans). When Cond is set, the
// parameter is active only when Cond holds for the other sampled values;
// inactive parameters are left out of a sampled configuration.
type Param struct {
	Name    string  `json:"name"`
	Kind    Kind    `json:"kind"`
	Low     float64 `json:"low,omitempty"`
	High    float64 `json:"high,omitempty"`
	Log     bool    `json:"log,omitempty"`
	Choices []any   `json:"choices,omitempty"`
	Cond    *Cond   `json:"cond,omitempty"`
}

// Cond makes a parameter conditional: it is active when the parameter
// named Param took one of the values in In.
type Cond struct {
	Param string `json:"param"`
	In    []any  `json:"in"`
}

// Space is an ordered list of hyperparameters. Conditions may refer only to
// parameters that come earlier in the list.
type Space []Param

// Validate reports a malformed space: an empty name, a duplicate, bad bounds,
// empty choices or a condition on an unknown or later parameter. The error
// wraps ErrSpace.
func (s Space) Validate() error {
	seen := map[string]bool{}
	for _, p := range s {
		if p.Name == "" {
			return fmt.Errorf("%w: parameter with empty name", ErrSpace)
		}
		if seen[p.Name] {
			return fmt.Errorf("%w: duplicate parameter %q", ErrSpace, p.Name)
		}
		switch p.Kind {
		case Float, Int:
			if !(p.Low <= p.High) || math.IsInf(p.Low, 0) || math.IsInf(p.High, 0) {
				return fmt.Errorf("%w: parameter %q: bad bounds [%v, %v]", ErrSpace, p.Name, p.Low, p.High)
			}
			if p.Log && p.Low <= 0 {
				return fmt.Errorf("%w: parameter %q: log scale needs Low > 0", ErrSpace, p.Name)
			}
		case Categorical:
			if len(p.Choices) == 0 {
				return fmt.Errorf("%w: parameter %q: no choices", ErrSpace, p.Name)
			}
		default:
			return fmt.Errorf("%w: parameter %q: unknown kind %d", ErrSpace, p.Name, p.Kind)
		}
		if p.Cond != nil && !seen[p.Cond.Param] {
			return fmt.Errorf("%w: parameter %q: condition on %q, which is not declared before it", ErrSpace, p.Name, p.Cond.Param)
		}
		seen[p.Name] = true
	}
	return nil
}

// Active reports whether p's condition holds for the values in cfg.
func (p Param) Active(cfg map[string]any) bool {
	if p.Cond == nil {
		return true
	}
	v, ok := cfg[p.Cond.Param]
	if !ok {
		return false
	}
	for _, c := range p.Cond.In {
		if equalValue(v, c) {
			return true
		}
	}
	return false
}

// Sample draws one configuration uniformly from the space (log-uniformly for
// Log parameters), using only rng.
func (s Space) Sample(rng *rand.Rand) map[string]any {
	cfg := make(map[string]any, len(s))
	for _, p := range s {
		if !p.Active(cfg) {
			continue
		}
		cfg[p.Name] = p.FromUnit(rng.Float64())
	}
	return cfg
}

// FromUnit maps u in [0,1) to a value of p: linearly (or in log space) for
// numbers, by equal-width buckets for choices.
func (p Param) FromUnit(u float64) any {
	switch p.Kind {
	case Categorical:
		i := int(u * float64(len(p.Choices)))
		if i >= len(p.Choices) {
			i = len(p.Choices) - 1
		}
		return p.Choices[i]
	case Int:
		lo, hi := p.Low, p.High+1
		var v float64
		if p.Log {
			v = math.Exp(math.Log(lo) + u*(math.Log(hi)-math.Log(lo)))
		} else {
			v = lo + u*(hi-lo)
		}
		return int(math.Min(math.Floor(v), p.High))
	default:
		if p.Log {
			return math.Exp(math.Log(p.Low) + u*(math.Log(p.High)-math.Log(p.Low)))
		}
		return p.Low + u*(p.High-p.Low)
	}
}

// Names returns the parameter names, sorted.
func (s Space) Names() []string {
	out := make([]string, len(s))
	for i, p := range s {
		out[i] = p.Name
	}
	sort.Strings(out)
	return out
}

func equalValue(a, b any) bool {
	fa, oka := toFloat(a)
	fb, okb := toFloat(b)
	if oka && okb {
		return fa == fb
	}
	return a == b
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	}
	return 0, false
}
