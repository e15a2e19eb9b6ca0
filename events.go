package automl

import "time"

// EventKind names a progress event.
type EventKind string

// Progress event kinds, in the order a run emits them.
const (
	EventPhase         EventKind = "phase"          // a phase starts: profile, preprocess, search, ensemble, final, importance, done
	EventTrialStarted  EventKind = "trial_started"  // a trial begins training
	EventTrialFinished EventKind = "trial_finished" // a trial ended (ok, failed, timeout or skipped)
	EventNewBest       EventKind = "new_best"       // a trial beat every earlier one
)

// Event is one progress report passed to Options.OnEvent.
type Event struct {
	Kind    EventKind      `json:"kind"`
	Phase   string         `json:"phase,omitempty"`
	Trial   int            `json:"trial,omitempty"`
	Model   string         `json:"model,omitempty"`
	Params  map[string]any `json:"params,omitempty"`
	Status  string         `json:"status,omitempty"`
	Score   float64        `json:"score,omitempty"`
	Best    float64        `json:"best,omitempty"`
	Err     string         `json:"error,omitempty"`
	Elapsed time.Duration  `json:"elapsed"`
	// Remaining is the time left of the budget; zero when there is no time limit.
	Remaining time.Duration `json:"remaining,omitempty"`
}
