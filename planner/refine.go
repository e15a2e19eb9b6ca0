package planner

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/automl-agent/automl/llm"
	"github.com/automl-agent/automl/models"
)

// maxBoard is how many leaderboard rows Refine sends (best first).
const maxBoard = 40

// wireObservation is an Observation as the prompt shows it (NaN scores
// become null).
type wireObservation struct {
	Model   string        `json:"model"`
	Params  models.Params `json:"params"`
	Score   *float64      `json:"score"`
	Status  string        `json:"status"`
	Seconds float64       `json:"seconds"`
	Error   string        `json:"error,omitempty"`
}

const refineSystem = `You refine the model search of an AutoML library for tabular data.
You see aggregated facts about the data, the candidate models with their hyperparameter spaces, and the leaderboard of the trials run so far (cross-validated scores).
Propose new configurations likely to beat the best so far: near the best ones, or in promising regions not yet tried. They run first in the next round and seed a TPE tuner.
Rules: use only the listed models and parameter names; keep numeric values inside their ranges and categorical values among their choices; do not repeat a configuration already on the leaderboard; params is a list of {name, value} pairs; the rationale is at most two sentences.`

// Refine asks the model for up to RefineCount new configurations after
// the portfolio round, given the leaderboard so far (board). Each proposal
// is clamped into its space like a plan's trials; proposals naming unknown
// models or parameters and repeats of a tried configuration are dropped
// (and logged). It returns the rest, or an error wrapping ErrFallback when
// the call fails or nothing usable comes back. Time is bounded as for
// Plan.
func (l *LLM) Refine(ctx context.Context, b *Brief, p *Plan, board []Observation) ([]Config, error) {
	if b == nil || l.Client == nil {
		return nil, fmt.Errorf("%w: no brief or no LLM client", ErrFallback)
	}
	n := l.RefineCount
	if n <= 0 {
		n = DefaultRefine
	}
	ranked := slices.Clone(board)
	slices.SortStableFunc(ranked, func(x, y Observation) int {
		return compareScores(x.Score, y.Score, b.GreaterBetter)
	})
	var rows []wireObservation
	for _, o := range ranked[:min(len(ranked), maxBoard)] {
		w := wireObservation{Model: o.Model, Params: o.Params, Status: o.Status, Seconds: sig3(o.Seconds), Error: o.Error}
		if !math.IsNaN(o.Score) && !math.IsInf(o.Score, 0) {
			s := o.Score
			w.Score = &s
		}
		rows = append(rows, w)
	}
	in := map[string]any{
		"task":              b.Task,
		"metric":            b.Metric,
		"greater_is_better": b.GreaterBetter,
		"facts":             promptFacts(b.Facts, l.MaxColumns),
		"models":            promptModels(b),
		"leaderboard":       rows,
		"wanted":            n,
	}
	if p != nil {
		in["plan_rationale"] = p.Rationale
	}
	body, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFallback, err)
	}
	schema, err := json.Marshal(obj(map[string]any{
		"configs":   arr(configSchema(b)),
		"rationale": strType,
	}))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFallback, err)
	}
	ctx, cancel := context.WithTimeout(ctx, l.timeLimit(b))
	defer cancel()
	user := fmt.Sprintf("Propose up to %d new configurations. Reply with one JSON object.\n\n%s", n, body)
	c := &conversation{l: l, schema: &llm.Schema{Name: "refinement", JSON: schema},
		msgs: []llm.Message{llm.System(refineSystem), llm.User(user)}, tokens: l.MaxTokens}
	if c.tokens <= 0 {
		c.tokens = DefaultMaxTokens
	}
	raw, _, problem, err := c.ask(ctx)
	if err != nil {
		return nil, err
	}
	if problem != "" {
		return nil, fmt.Errorf("%w: refinement reply unusable: %s", ErrFallback, problem)
	}
	var w struct {
		Configs []wireConfig `json:"configs"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, fmt.Errorf("%w: refinement reply does not decode: %w", ErrFallback, err)
	}
	tried := make([]Config, 0, len(board))
	for _, o := range board {
		tried = append(tried, Config{Model: o.Model, Params: o.Params})
	}
	var out []Config
	for i, wc := range w.Configs {
		cfg := fromWire(wc)
		if m, ok := b.model(cfg.Model); ok {
			cfg.Params = normalizeParams(cfg.Params, m.Space, func(string) {})
		}
		if probs := checkConfig(cfg, b); len(probs) > 0 {
			l.logger().Warn("planner: refinement dropped", "index", i, "problems", probs)
			continue
		}
		if slices.ContainsFunc(tried, func(t Config) bool { return sameConfig(t, cfg) }) ||
			slices.ContainsFunc(out, func(t Config) bool { return sameConfig(t, cfg) }) {
			l.logger().Warn("planner: refinement dropped", "index", i, "problems", "already tried")
			continue
		}
		out = append(out, cfg)
		if len(out) == n {
			break
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no usable refinement among %d proposals", ErrFallback, len(w.Configs))
	}
	return out, nil
}

// compareScores orders scores best first; NaN last.
func compareScores(a, b float64, greater bool) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case a == b:
		return 0
	case (a > b) == greater:
		return -1
	}
	return 1
}

var _ Refiner = (*LLM)(nil)
