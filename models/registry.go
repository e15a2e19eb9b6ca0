package models

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/automl-agent/automl/hyperopt"
)

// Factory makes a fresh, unfitted model from hyperparameters. Absent
// parameters take the model's defaults; a bad value is an error wrapping
// ErrParam.
type Factory func(p Params) (Model, error)

// Input says which feature view a model wants from the preprocessing
// pipeline.
type Input int

const (
	// InputNative is the tree view: numbers as they are with NaN for
	// missing, categoricals as integer codes (Data.Categories set).
	InputNative Input = iota
	// InputDense is the linear view: no NaN (imputed, with missing
	// indicators), categoricals one-hot or encoded, features standardized.
	InputDense
)

// Tasks is a set of supported task kinds.
type Tasks uint8

// Task kinds a model may support.
const (
	Regression     Tasks = 1 << iota // NumClasses == 0
	Classification                   // NumClasses >= 2
)

// Spec describes a registered model: how to make it, what it supports and
// where to search.
type Spec struct {
	// Name is the registry key, e.g. "gbdt", "logistic".
	Name string
	// New makes a fresh model.
	New Factory
	// Tasks says which tasks the model supports.
	Tasks Tasks
	// Input is the feature view the model wants.
	Input Input
	// Space is the hyperparameter search space; nil means nothing to tune.
	Space hyperopt.Space
	// Portfolio lists known-good configurations, best first; the first is
	// the default. Nil means only the factory defaults (Params{}).
	Portfolio []Params
	// Cost is a relative training cost per row and feature (1 for a
	// single CART tree), used to order candidates, and to estimate time
	// when Seconds is nil. 0 means 1.
	Cost float64
	// Seconds estimates a trial's time from the data's shape and the
	// params; the search calibrates it on the machine as trials finish.
	// Nil means DefaultSeconds(Cost).
	Seconds SecondsFunc
	// Seed names the param that seeds the model's randomness (bagging,
	// feature sampling, validation splits), so that the search can give
	// every fold model of every trial its own stream derived from
	// Options.Seed. Empty means the model is deterministic or seeds
	// itself. The param must take integers in [0, 2^53).
	Seed string
	// TimeLimit names the param that caps, in seconds, how long Fit may
	// run before it stops adding rounds or trees and keeps what it has
	// (gbdt's "time_limit"). On timed runs of big tables the search grants
	// each fold a limit of a small multiple of its estimate, so a trial
	// cannot overrun its estimate by much. Empty means the model has none.
	TimeLimit string
	// Binned says the model trains from Data.Bins alone when they are set
	// (Input must be InputNative): the search may then hand it Data with
	// X nil, sparing a float copy of each training fold. Prediction still
	// gets float features.
	Binned bool
	// Threads names the param that sets how many goroutines the model
	// uses (for example "threads" or "n_jobs"), so that the search can
	// share Options.Parallelism between trials in flight and each model's
	// own goroutines. Empty means the model uses one goroutine, or sizes
	// itself; the param must not change results, only speed.
	Threads string
}

// Supports reports whether the spec's model handles numClasses (0 = regression).
func (s Spec) Supports(numClasses int) bool {
	if numClasses == 0 {
		return s.Tasks&Regression != 0
	}
	return s.Tasks&Classification != 0
}

// Registry maps model names to specs. The zero value is not usable; make
// one with NewRegistry. A Registry is safe for concurrent use.
type Registry struct {
	mu    sync.RWMutex
	specs map[string]Spec
}

// NewRegistry returns an empty registry (tests use it to avoid the default).
func NewRegistry() *Registry { return &Registry{specs: map[string]Spec{}} }

var (
	defaultOnce sync.Once
	defaultReg  *Registry
)

// Default returns the process-wide registry that model packages register
// into from their init functions.
func Default() *Registry {
	defaultOnce.Do(func() { defaultReg = NewRegistry() })
	return defaultReg
}

// Register adds s under s.Name. An empty name, a nil factory, a bad space or
// a name already taken is an error.
func (r *Registry) Register(s Spec) error {
	if s.Name == "" || s.New == nil {
		return fmt.Errorf("models: Register needs a name and a factory")
	}
	if s.Tasks == 0 {
		return fmt.Errorf("models: %q supports no task", s.Name)
	}
	if err := s.Space.Validate(); err != nil {
		return fmt.Errorf("models: %q: %w", s.Name, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.specs[s.Name]; ok {
		return fmt.Errorf("%w: %q", ErrDuplicate, s.Name)
	}
	r.specs[s.Name] = s
	return nil
}

// MustRegister is Register for init functions: it panics on error.
func (r *Registry) MustRegister(s Spec) {
	if err := r.Register(s); err != nil {
		panic(err)
	}
}

// Spec returns the spec registered under name. An unknown name is an error
// wrapping ErrUnknownModel that lists the known names.
func (r *Registry) Spec(name string) (Spec, error) {
	r.mu.RLock()
	s, ok := r.specs[name]
	r.mu.RUnlock()
	if !ok {
		return Spec{}, fmt.Errorf("%w: %q (registered: %s)", ErrUnknownModel, name, strings.Join(r.Names(), ", "))
	}
	return s, nil
}

// New makes a fresh model registered under name with params p.
func (r *Registry) New(name string, p Params) (Model, error) {
	s, err := r.Spec(name)
	if err != nil {
		return nil, err
	}
	return s.New(p)
}

// Names returns the registered names, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.specs))
	for n := range r.specs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
