package models

import (
	"fmt"
	"math"
	"sort"
)

// Params holds hyperparameter values by name: float64, int, string or bool.
// Values decoded from JSON arrive as float64; the accessors convert.
type Params map[string]any

// Float returns p[name] as a float64, or def if it is absent.
func (p Params) Float(name string, def float64) (float64, error) {
	v, ok := p[name]
	if !ok || v == nil {
		return def, nil
	}
	switch x := v.(type) {
	case float64:
		return x, nil
	case float32:
		return float64(x), nil
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	}
	return 0, fmt.Errorf("%w: %s = %v (%T), want a number", ErrParam, name, v, v)
}

// Int returns p[name] as an int, or def if it is absent. A float value must
// be whole.
func (p Params) Int(name string, def int) (int, error) {
	v, ok := p[name]
	if !ok || v == nil {
		return def, nil
	}
	switch x := v.(type) {
	case int:
		return x, nil
	case int64:
		return int(x), nil
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return 0, fmt.Errorf("%w: %s = %v, want an integer", ErrParam, name, x)
		}
		return int(x), nil
	}
	return 0, fmt.Errorf("%w: %s = %v (%T), want an integer", ErrParam, name, v, v)
}

// String returns p[name] as a string, or def if it is absent.
func (p Params) String(name, def string) (string, error) {
	v, ok := p[name]
	if !ok || v == nil {
		return def, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%w: %s = %v (%T), want a string", ErrParam, name, v, v)
	}
	return s, nil
}

// Bool returns p[name] as a bool, or def if it is absent.
func (p Params) Bool(name string, def bool) (bool, error) {
	v, ok := p[name]
	if !ok || v == nil {
		return def, nil
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("%w: %s = %v (%T), want a bool", ErrParam, name, v, v)
	}
	return b, nil
}

// Merge returns a new Params with q's values over p's.
func (p Params) Merge(q Params) Params {
	out := make(Params, len(p)+len(q))
	for k, v := range p {
		out[k] = v
	}
	for k, v := range q {
		out[k] = v
	}
	return out
}

// Keys returns the names in p, sorted.
func (p Params) Keys() []string {
	out := make([]string, 0, len(p))
	for k := range p {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Unknown returns an error naming the first key of p (in sorted order) that
// is not in known, or nil. Factories use it to reject misspelt names.
func (p Params) Unknown(known ...string) error {
	set := make(map[string]bool, len(known))
	for _, k := range known {
		set[k] = true
	}
	for _, k := range p.Keys() {
		if !set[k] {
			return fmt.Errorf("%w: unknown parameter %q (known: %v)", ErrParam, k, known)
		}
	}
	return nil
}
