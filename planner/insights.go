package planner

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/llm"
)

// InsightsTimeout bounds the LLM call of Insights.
const InsightsTimeout = 30 * time.Second

// Insights writes a plain-language summary of a run: what won and why,
// what the data's warnings mean, and what to try next. With a nil client it
// is written from templates; otherwise the client writes it from the facts
// (never cell values), the plan's rationale and the leaderboard (board;
// winner names the selected model or ensemble); redacted column names in
// its text are put back for the reader. The text is always usable:
// when the client fails (or takes more than InsightsTimeout), the template
// text comes back together with the error saying why.
func Insights(ctx context.Context, b *Brief, p *Plan, board []Observation, winner string, client llm.Client) (string, error) {
	if b == nil {
		b = &Brief{}
	}
	text := templateInsights(b, p, board, winner)
	if client == nil {
		return text, nil
	}
	ctx, cancel := context.WithTimeout(ctx, InsightsTimeout)
	defer cancel()
	ranked := slices.Clone(board)
	slices.SortStableFunc(ranked, func(x, y Observation) int { return compareScores(x.Score, y.Score, b.GreaterBetter) })
	var rows []wireObservation
	for _, o := range ranked[:min(len(ranked), 20)] {
		w := wireObservation{Model: o.Model, Params: o.Params, Status: o.Status, Seconds: sig3(o.Seconds), Error: o.Error}
		if !math.IsNaN(o.Score) && !math.IsInf(o.Score, 0) {
			s := o.Score
			w.Score = &s
		}
		rows = append(rows, w)
	}
	in := map[string]any{
		"task": b.Task, "metric": b.Metric, "greater_is_better": b.GreaterBetter,
		"facts": promptFacts(b.Facts, 0), "winner": winner, "leaderboard": rows,
	}
	if p != nil {
		in["plan_rationale"] = p.Rationale
	}
	body, err := json.Marshal(in)
	if err != nil {
		return text, fmt.Errorf("planner: insights: %w", err)
	}
	resp, err := client.Complete(ctx, llm.Request{
		Messages: []llm.Message{
			llm.System("You explain AutoML results to a data scientist in plain language. Write at most 150 words, no headings and no lists longer than three items: what won and why it likely won, what the data warnings mean for the result, and one or two things to try next. Only use the facts given; do not invent numbers."),
			llm.User(string(body)),
		},
		Mode:        llm.ModeText,
		MaxTokens:   600,
		Temperature: llm.Float(0),
	})
	if err != nil {
		return text, fmt.Errorf("planner: insights: %w", err)
	}
	out := strings.TrimSpace(resp.Text)
	if out == "" {
		return text, fmt.Errorf("planner: insights: %w", llm.ErrEmpty)
	}
	return unredact(out, &b.Facts), nil
}

// shownToken matches a redacted column name (c1, c2, ...) as a word.
var shownToken = regexp.MustCompile(`\bc[0-9]+\b`)

// unredact puts the real column names back into text written for the user.
func unredact(text string, f *Facts) string {
	if !f.Redacted {
		return text
	}
	return shownToken.ReplaceAllStringFunc(text, f.realName)
}

// warningMeaning explains each warning code.
var warningMeaning = map[string]string{
	dataset.WarnIdentifier:      "looks like a row key; it carries no signal that generalises and is dropped",
	dataset.WarnConstant:        "has a single value and is dropped",
	dataset.WarnAllMissing:      "is empty and is dropped",
	dataset.WarnMostlyMissing:   "is mostly missing; models see it with its missingness, and its effect is uncertain",
	dataset.WarnHighCardinality: "is a categorical with very many levels; rare levels are pooled, and it may overfit",
	dataset.WarnLeakage:         "nearly determines the target on its own: check it is known at prediction time, or the scores are too good to be true",
	dataset.WarnDuplicateRows:   "repeated rows can land in both training and validation folds, which makes scores optimistic",
	dataset.WarnTargetMissing:   "rows without a target were left out of training",
	dataset.WarnImbalance:       "the classes are imbalanced: accuracy can look good while the small classes are missed; a metric like balanced accuracy, F1 or ROC AUC says more",
	dataset.WarnRareClass:       "a class has fewer rows than folds, so its scores are unreliable; more rows of it would help",
}

// templateInsights writes the summary without an LLM.
func templateInsights(b *Brief, p *Plan, board []Observation, winner string) string {
	var s strings.Builder
	ranked := slices.Clone(board)
	slices.SortStableFunc(ranked, func(x, y Observation) int { return compareScores(x.Score, y.Score, b.GreaterBetter) })
	metric := b.Metric
	if metric == "" {
		metric = "score"
	}
	failed, families := 0, []string{}
	for _, o := range board {
		if o.Status != "" && o.Status != "ok" {
			failed++
		}
		if !slices.Contains(families, o.Model) {
			families = append(families, o.Model)
		}
	}
	if len(ranked) > 0 && !math.IsNaN(ranked[0].Score) {
		best := ranked[0]
		if winner == "" {
			winner = best.Model
		}
		fmt.Fprintf(&s, "%s won with a cross-validated %s of %.4g", winner, metric, best.Score)
		if best.Model != winner {
			fmt.Fprintf(&s, " (best single trial: %s, %.4g)", best.Model, best.Score)
		}
		for _, o := range ranked[1:] {
			if o.Model != best.Model && !math.IsNaN(o.Score) && o.Model != BaselineModel && !strings.Contains(o.Model, "ensemble") {
				fmt.Fprintf(&s, "; the best other family, %s, scored %.4g", o.Model, o.Score)
				break
			}
		}
		fmt.Fprintf(&s, ". %d trials of %d families ran", len(board), len(families))
		if failed > 0 {
			fmt.Fprintf(&s, ", %d did not finish (failed, timed out, pruned or skipped)", failed)
		}
		s.WriteString(".")
		if why := winnerWhy(winner); why != "" {
			s.WriteString(" " + why)
		}
	} else {
		s.WriteString("No trial finished with a score.")
	}

	var warns []string
	for _, w := range b.Facts.Warnings {
		code, rest, _ := strings.Cut(w, ":")
		code = strings.TrimSpace(strings.SplitN(code, " ", 2)[0])
		meaning, ok := warningMeaning[code]
		if !ok {
			continue
		}
		col := strings.TrimSpace(rest)
		if i := strings.Index(col, " ("); i >= 0 {
			col = col[:i]
		}
		if col != "" && col != b.Facts.Target {
			warns = append(warns, fmt.Sprintf("column %s %s", b.Facts.realName(col), meaning))
		} else {
			warns = append(warns, meaning)
		}
	}
	if len(warns) > 0 {
		s.WriteString("\nData: " + strings.Join(dedupe(warns), "; ") + ".")
	}

	var next []string
	if failed > len(board)/3 && len(board) > 0 {
		next = append(next, "a longer time budget, since many trials did not finish")
	}
	if p != nil && p.Tuning.TrialsPerFamily == 0 {
		next = append(next, "more rows or a fixed MaxTunedPerModel to tune hyperparameters (tuning was off)")
	}
	if b.Facts.Rows > 0 && b.Facts.Rows < 1000 {
		next = append(next, "more data: with under 1,000 rows the scores vary a lot between splits")
	}
	if len(next) == 0 {
		next = append(next, "a longer budget for more tuned trials, or feature engineering on the strongest columns")
	}
	s.WriteString("\nNext: try " + strings.Join(next, "; or ") + ".")
	return s.String()
}

// winnerWhy says why a family tends to win.
func winnerWhy(name string) string {
	switch {
	case name == "gbdt":
		return "Gradient boosting usually wins on tabular data: it captures interactions and non-linear effects and handles missing values and categoricals natively."
	case name == "random_forest" || name == "extra_trees":
		return "Bagged trees win when the signal is noisy or the data small: averaging many deep trees keeps the variance down."
	case strings.Contains(name, "ensemble") || strings.Contains(name, "stack"):
		return "An ensemble won: the families make different errors, and blending them averages those out."
	case name == "logistic" || name == "ridge" || name == "linear":
		return "A linear model won, which suggests the target depends mostly additively on the features, or that the data are too few for more flexible models."
	case name == BaselineModel:
		return "Only the baseline won: the features may carry little signal for this target, or the budget was too short."
	}
	return ""
}
