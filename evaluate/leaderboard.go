package evaluate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
)

// LeaderboardVersion is the version of the leaderboard JSON format written
// by Leaderboard.MarshalJSON.
const LeaderboardVersion = 1

// Row statuses.
const (
	StatusOK      = "ok"      // the trial finished and was scored
	StatusFailed  = "failed"  // the trial returned an error (see Row.Error)
	StatusSkipped = "skipped" // the trial was not run (budget, unsupported task)
	StatusTimeout = "timeout" // the trial ran out of time
	StatusPruned  = "pruned"  // the trial was stopped early: its first fold was clearly worse than the best
)

// Member is one base model inside an ensemble row.
type Member struct {
	ID     int     `json:"id"`
	Model  string  `json:"model"`
	Weight float64 `json:"weight"`
}

// Row is one trial on the leaderboard.
//
// Score is the validation score (mean of FoldScores under
// cross-validation) and Std the standard deviation of the fold scores; NaN
// means unknown, and is written to JSON as null. Members is set for
// ensemble rows. TieLoss is a secondary loss (lower is better, e.g. the
// pooled out-of-fold log loss) that ranks rows whose scores tie; NaN or 0
// means none. Selected marks the row the final predictor was built from;
// it ranks first. FitSeconds is the training time spent on the row (all
// folds); PredictSecondsPer1k is the prediction time per 1,000 rows of what
// the row would deploy (automl: all of the trial's kept models; for an
// ensemble, the sum over its members).
type Row struct {
	ID         int            `json:"id"`
	Model      string         `json:"model"`
	Params     map[string]any `json:"params,omitempty"`
	Score      float64        `json:"score"`
	Std        float64        `json:"std"`
	FoldScores []float64      `json:"fold_scores,omitempty"`
	FitSeconds float64        `json:"fit_seconds"`
	// EstimatedSeconds is the wall time the search expected of the trial
	// when it decided to run (or skip) it; WallSeconds is what it took
	// (every fold's fit and prediction, and scoring). Zero when unknown.
	EstimatedSeconds    float64  `json:"estimated_seconds,omitempty"`
	WallSeconds         float64  `json:"wall_seconds,omitempty"`
	PredictSecondsPer1k float64  `json:"predict_seconds_per_1k"`
	Status              string   `json:"status"`
	Error               string   `json:"error,omitempty"`
	Members             []Member `json:"members,omitempty"`
	Note                string   `json:"note,omitempty"`
	TieLoss             float64  `json:"tie_loss,omitempty"`
	Selected            bool     `json:"selected,omitempty"`
}

// Leaderboard is the ranked list of trials of one search, scored with the
// metric called Metric (Greater true when higher is better).
//
// Its JSON form is versioned and stable: {"version": 1, "metric": ...,
// "greater": ..., "rows": [...]} with the Row field names shown in its
// struct tags; non-finite numbers (NaN, ±Inf) are written as null and read
// back as NaN. The table printed by String is for people and may change.
//
// A Leaderboard is not safe for concurrent mutation; collect rows by index
// and Add them from one goroutine.
type Leaderboard struct {
	Version int    `json:"version"`
	Metric  string `json:"metric"`
	Greater bool   `json:"greater"`
	Rows    []Row  `json:"rows"`
}

// NewLeaderboard returns an empty leaderboard for metric m.
func NewLeaderboard(m Metric) *Leaderboard {
	return &Leaderboard{Version: LeaderboardVersion, Metric: m.Name(), Greater: m.Greater()}
}

// Add appends rows. A row with an empty Status gets StatusOK.
func (l *Leaderboard) Add(rows ...Row) {
	for _, r := range rows {
		if r.Status == "" {
			r.Status = StatusOK
		}
		l.Rows = append(l.Rows, r)
	}
}

// rowRank orders rows by status: scored ok rows, ok rows without a finite
// score, timeouts, skipped, then failed (or unknown) rows.
func rowRank(r Row) int {
	switch r.Status {
	case StatusOK:
		if math.IsNaN(r.Score) || math.IsInf(r.Score, 0) {
			return 1
		}
		return 0
	case StatusTimeout:
		return 2
	case StatusPruned:
		return 3
	case StatusSkipped:
		return 4
	}
	return 5
}

// compareRows orders rows best first: scored ok rows by score in the
// metric's direction, then the other ranks of rowRank; ties break by ID,
// then by model name.
func (l *Leaderboard) compareRows(a, b Row) int {
	if a.Selected != b.Selected {
		if a.Selected {
			return -1
		}
		return 1
	}
	ra, rb := rowRank(a), rowRank(b)
	if ra != rb {
		return ra - rb
	}
	if ra == 0 && a.Score != b.Score {
		if (a.Score > b.Score) == l.Greater {
			return -1
		}
		return 1
	}
	if ra == 0 && a.TieLoss != b.TieLoss && a.TieLoss > 0 && b.TieLoss > 0 {
		if a.TieLoss < b.TieLoss {
			return -1
		}
		return 1
	}
	if a.ID != b.ID {
		return a.ID - b.ID
	}
	return strings.Compare(a.Model, b.Model)
}

// Sort orders the rows best first, stably: the Selected row, then ok rows
// with a finite score by Score in the metric's direction, then ok rows
// without a finite score, timeouts, skipped and failed rows; ties break by
// lower TieLoss, lower ID, then model name.
func (l *Leaderboard) Sort() {
	slices.SortStableFunc(l.Rows, l.compareRows)
}

// Best returns the Selected row, or else the best ok row with a finite
// score, without reordering the rows; ok is false when there is none. Rows
// rank as in Sort.
func (l *Leaderboard) Best() (Row, bool) {
	var best Row
	found := false
	for _, r := range l.Rows {
		if r.Selected {
			return r, true
		}
		if rowRank(r) != 0 {
			continue
		}
		if !found || l.compareRows(r, best) < 0 {
			best, found = r, true
		}
	}
	return best, found
}

// WithoutTimings returns a copy of the leaderboard with every row's
// measured and estimated times zeroed: what a fixed seed reproduces, to
// compare two runs (at other parallelism, on other workers) for equality.
func (l *Leaderboard) WithoutTimings() *Leaderboard {
	c := *l
	c.Rows = slices.Clone(l.Rows)
	for i := range c.Rows {
		r := &c.Rows[i]
		r.FitSeconds, r.PredictSecondsPer1k = 0, 0
		r.EstimatedSeconds, r.WallSeconds = 0, 0
	}
	return &c
}

// String returns the rows as an aligned table in their current order
// (call Sort first for a ranking): rank, id, model, score ± std, fit
// seconds, predict seconds per 1000 rows, status, and parameters or the
// error. The layout is for people and may change; use JSON for machines.
func (l *Leaderboard) String() string { return l.Table(0) }

// Table is String limited to the first n rows (n <= 0 means all), with a
// closing line that counts the rows left out by status.
func (l *Leaderboard) Table(n int) string {
	rows := l.Rows
	if n > 0 && len(rows) > n {
		rows = rows[:n]
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "metric: %s (%s is better)\n", l.Metric, map[bool]string{true: "higher", false: "lower"}[l.Greater])
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "rank\tid\tmodel\tscore\tfit s\ttime s (est)\tpredict s/1k\tstatus\tdetails")
	for i, r := range rows {
		score := "-"
		if !math.IsNaN(r.Score) && r.Status == StatusOK {
			score = fmt.Sprintf("%.4f", r.Score)
			if r.Std > 0 {
				score += fmt.Sprintf(" ± %.4f", r.Std)
			}
		}
		details := paramsSummary(r.Params)
		if len(r.Members) > 0 {
			details = membersSummary(r.Members)
		}
		if r.Error != "" {
			details = r.Error
		}
		if r.Note != "" {
			details = strings.TrimSpace(details + " (" + r.Note + ")")
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", i+1, r.ID, r.Model, score,
			seconds(r.FitSeconds), estimated(r.WallSeconds, r.EstimatedSeconds), seconds(r.PredictSecondsPer1k), r.Status, oneLine(details, 80))
	}
	tw.Flush()
	if rest := l.Rows[len(rows):]; len(rest) > 0 {
		counts := map[string]int{}
		var statuses []string
		for _, r := range rest {
			if counts[r.Status] == 0 {
				statuses = append(statuses, r.Status)
			}
			counts[r.Status]++
		}
		parts := make([]string, len(statuses))
		for i, st := range statuses {
			parts[i] = fmt.Sprintf("%d %s", counts[st], st)
		}
		fmt.Fprintf(&b, "... %d more rows (%s)\n", len(rest), strings.Join(parts, ", "))
	}
	return b.String()
}

// estimated shows a measured time with the estimate beside it.
func estimated(actual, est float64) string {
	if !(est > 0) {
		return seconds(actual)
	}
	return seconds(actual) + " (" + seconds(est) + ")"
}

func seconds(s float64) string {
	if math.IsNaN(s) || s <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.3g", s)
}

func paramsSummary(p map[string]any) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		v := p[k]
		if f, ok := v.(float64); ok {
			parts[i] = fmt.Sprintf("%s=%.4g", k, f)
		} else {
			parts[i] = fmt.Sprintf("%s=%v", k, v)
		}
	}
	return strings.Join(parts, " ")
}

func membersSummary(ms []Member) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = fmt.Sprintf("%s#%d×%.2f", m.Model, m.ID, m.Weight)
	}
	return strings.Join(parts, " + ")
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}

// jsonFloat is a float64 that encodes NaN and ±Inf as null and decodes null
// as NaN.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(v)
}

func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = jsonFloat(math.NaN())
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = jsonFloat(v)
	return nil
}

// rowJSON is Row with null-safe floats.
type rowJSON struct {
	ID                  int            `json:"id"`
	Model               string         `json:"model"`
	Params              map[string]any `json:"params,omitempty"`
	Score               jsonFloat      `json:"score"`
	Std                 jsonFloat      `json:"std"`
	FoldScores          []jsonFloat    `json:"fold_scores,omitempty"`
	FitSeconds          jsonFloat      `json:"fit_seconds"`
	PredictSecondsPer1k jsonFloat      `json:"predict_seconds_per_1k"`
	Status              string         `json:"status"`
	Error               string         `json:"error,omitempty"`
	Members             []memberJSON   `json:"members,omitempty"`
	Note                string         `json:"note,omitempty"`
	TieLoss             jsonFloat      `json:"tie_loss,omitempty"`
	Selected            bool           `json:"selected,omitempty"`
}

type memberJSON struct {
	ID     int       `json:"id"`
	Model  string    `json:"model"`
	Weight jsonFloat `json:"weight"`
}

// MarshalJSON writes the row with non-finite numbers as null.
func (r Row) MarshalJSON() ([]byte, error) {
	j := rowJSON{
		ID: r.ID, Model: r.Model, Params: r.Params, Score: jsonFloat(r.Score), Std: jsonFloat(r.Std),
		FitSeconds: jsonFloat(r.FitSeconds), PredictSecondsPer1k: jsonFloat(r.PredictSecondsPer1k),
		Status: r.Status, Error: r.Error, Note: r.Note, TieLoss: jsonFloat(r.TieLoss), Selected: r.Selected,
	}
	if math.IsNaN(r.TieLoss) {
		j.TieLoss = 0
	}
	if r.FoldScores != nil {
		j.FoldScores = make([]jsonFloat, len(r.FoldScores))
		for i, s := range r.FoldScores {
			j.FoldScores[i] = jsonFloat(s)
		}
	}
	for _, m := range r.Members {
		j.Members = append(j.Members, memberJSON{ID: m.ID, Model: m.Model, Weight: jsonFloat(m.Weight)})
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads a row written by MarshalJSON; null numbers become NaN.
func (r *Row) UnmarshalJSON(b []byte) error {
	j := rowJSON{Score: jsonFloat(math.NaN()), Std: jsonFloat(math.NaN())}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = Row{
		ID: j.ID, Model: j.Model, Params: j.Params, Score: float64(j.Score), Std: float64(j.Std),
		FitSeconds: float64(j.FitSeconds), PredictSecondsPer1k: float64(j.PredictSecondsPer1k),
		Status: j.Status, Error: j.Error, Note: j.Note, TieLoss: float64(j.TieLoss), Selected: j.Selected,
	}
	if j.FoldScores != nil {
		r.FoldScores = make([]float64, len(j.FoldScores))
		for i, s := range j.FoldScores {
			r.FoldScores[i] = float64(s)
		}
	}
	for _, m := range j.Members {
		r.Members = append(r.Members, Member{ID: m.ID, Model: m.Model, Weight: float64(m.Weight)})
	}
	return nil
}

type leaderboardJSON struct {
	Version int    `json:"version"`
	Metric  string `json:"metric"`
	Greater bool   `json:"greater"`
	Rows    []Row  `json:"rows"`
}

// MarshalJSON writes the versioned JSON form; a zero Version is written as
// LeaderboardVersion and nil Rows as [].
func (l Leaderboard) MarshalJSON() ([]byte, error) {
	j := leaderboardJSON(l)
	if j.Version == 0 {
		j.Version = LeaderboardVersion
	}
	if j.Rows == nil {
		j.Rows = []Row{}
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads the versioned JSON form. A version newer than
// LeaderboardVersion is an error wrapping ErrInput.
func (l *Leaderboard) UnmarshalJSON(b []byte) error {
	var j leaderboardJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	if j.Version > LeaderboardVersion || j.Version < 0 {
		return fmt.Errorf("%w: leaderboard JSON version %d, this library reads up to %d", ErrInput, j.Version, LeaderboardVersion)
	}
	if j.Version == 0 {
		j.Version = LeaderboardVersion
	}
	*l = Leaderboard(j)
	return nil
}
