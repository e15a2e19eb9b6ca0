package planner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/automl-agent/automl/hyperopt"
	"github.com/automl-agent/automl/llm"
	"github.com/automl-agent/automl/models"
)

// PromptVersion changes whenever the prompts or the reply schema change; it
// is part of the cache key.
const PromptVersion = 2

// Defaults of LLM.
const (
	DefaultShare     = 0.10             // share of Brief.Budget for planning
	DefaultMaxTime   = 60 * time.Second // cap on planning time (and the time with no budget)
	DefaultRepairs   = 2                // repair rounds after an invalid reply
	DefaultMaxTokens = 4096             // reply token cap
	DefaultRefine    = 8                // configurations asked for by Refine
	DefaultColumns   = 100              // columns described one by one in a prompt
)

// LLM is a Planner that asks a language model for the plan. It sends the
// Brief's Facts (never its Profile; Samples only if the caller put some in
// the Brief), the candidates with their spaces, portfolios and cost
// estimates, and Heuristic's plan as a starting point; it asks for a JSON
// plan whose schema is generated from the candidates (model names as enums,
// parameters as a list of {name, value}); it normalises and validates the
// reply and sends the numbered problems back for up to Repairs rounds, each
// a new call carrying the conversation so far. When the model fails, the
// time runs out or the plan stays invalid, Plan returns an error wrapping
// ErrFallback with the reason (PlanWithFallback then uses Heuristic).
//
// Planning takes at most Share of Brief.Budget, capped at MaxTime: a hung
// server ends in the fallback, not in an overrun. LLM is safe for
// concurrent use when Client and Cache are. The zero value needs a Client.
type LLM struct {
	// Client sends the chat; nil makes Plan fail with ErrFallback.
	Client llm.Client
	// Model names the model for the request and the cache key; "" uses the
	// client's (and the client's Model method, if any, for the key).
	Model string
	// Share is the share of Brief.Budget planning may take; 0 means
	// DefaultShare.
	Share float64
	// MaxTime caps planning time, and is the limit when the budget is 0;
	// 0 means DefaultMaxTime.
	MaxTime time.Duration
	// Repairs is the number of repair rounds; 0 means DefaultRepairs, < 0 none.
	Repairs int
	// MaxTokens caps each reply; 0 means DefaultMaxTokens.
	MaxTokens int
	// Temperature is sent as given; nil means 0 (reasoning models that
	// reject it need Temperature set to a negative value, which sends none).
	Temperature *float64
	// Cache keeps plans by a hash of the prompt (brief, candidates, prompt
	// version) and model; nil means no caching.
	Cache *Cache
	// MaxColumns caps the columns described one by one in the prompt (those
	// named in warnings first, then in order); the rest are counted by kind.
	// 0 means DefaultColumns.
	MaxColumns int
	// RefineCount is how many configurations Refine asks for; 0 means
	// DefaultRefine.
	RefineCount int
	// Logger receives a warning per dropped refinement and per repair
	// round; nil discards. Prompts are logged at debug level only.
	Logger *slog.Logger
}

// Plan asks the model for a plan; see LLM.
func (l *LLM) Plan(ctx context.Context, b *Brief) (*Plan, error) {
	p, _, err := l.planTrace(ctx, b)
	return p, err
}

func (l *LLM) logger() *slog.Logger {
	if l.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l.Logger
}

// timeLimit is the planning time for b.
func (l *LLM) timeLimit(b *Brief) time.Duration {
	share, maxT := l.Share, l.MaxTime
	if share <= 0 {
		share = DefaultShare
	}
	if maxT <= 0 {
		maxT = DefaultMaxTime
	}
	if b.Budget <= 0 {
		return maxT
	}
	return min(time.Duration(share*float64(b.Budget)), maxT)
}

// modelName is the model for the cache key.
func (l *LLM) modelName() string {
	if l.Model != "" {
		return l.Model
	}
	if m, ok := l.Client.(interface{ Model() string }); ok {
		return m.Model()
	}
	return ""
}

// conversation runs a chat with repairs: it sends msgs, hands each reply's
// JSON to accept, and when accept returns problems (or the reply is not
// JSON) appends the reply and the problems and asks again.
type conversation struct {
	l      *LLM
	schema *llm.Schema
	msgs   []llm.Message
	usage  llm.Usage
	rounds int
	tokens int
}

// ask sends the conversation and returns the JSON object of the reply.
// A reply that is not usable JSON comes back as a repairable problem
// (repair != ""); other failures as an error.
func (c *conversation) ask(ctx context.Context) (raw json.RawMessage, text string, repair string, err error) {
	req := llm.Request{Messages: c.msgs, Model: c.l.Model, Schema: c.schema, MaxTokens: c.tokens, Temperature: c.l.Temperature}
	if req.Temperature == nil {
		req.Temperature = llm.Float(0)
	} else if *req.Temperature < 0 {
		req.Temperature = nil
	}
	start := time.Now()
	resp, err := c.l.Client.Complete(ctx, req)
	c.usage.Calls++
	c.usage.Duration += time.Since(start)
	if resp != nil {
		c.usage.Attempts += max(resp.Attempts, 1)
		c.usage.PromptTokens += resp.Usage.PromptTokens
		c.usage.CompletionTokens += resp.Usage.CompletionTokens
		c.usage.TotalTokens += resp.Usage.TotalTokens
	}
	if err != nil {
		c.usage.Failures++
		if ctx.Err() != nil {
			return nil, "", "", fmt.Errorf("%w: planning time ran out: %w", ErrFallback, err)
		}
		switch {
		case resp != nil && errors.Is(err, llm.ErrTruncated):
			c.tokens = c.tokens * 3 / 2
			return nil, resp.Text, "Your reply was cut off before the JSON object closed. Send the whole plan again as compact JSON, with a one-sentence rationale.", nil
		case resp != nil && errors.Is(err, llm.ErrMalformed):
			return nil, resp.Text, fmt.Sprintf("Your reply is not one valid JSON object (%v). Send the whole plan again as one JSON object matching the schema, nothing else.", err), nil
		}
		return nil, "", "", fmt.Errorf("%w: %w", ErrFallback, err)
	}
	raw = resp.JSON
	if raw == nil {
		if raw, err = llm.ExtractJSON(resp.Text); err != nil {
			return nil, resp.Text, fmt.Sprintf("Your reply is not one valid JSON object (%v). Send the whole plan again as one JSON object matching the schema, nothing else.", err), nil
		}
	}
	return raw, resp.Text, "", nil
}

// addRepair appends the assistant's reply and the repair request.
func (c *conversation) addRepair(reply, problems string) {
	c.msgs = append(c.msgs, llm.Assistant(reply), llm.User(problems))
	c.rounds++
}

func (l *LLM) planTrace(ctx context.Context, b *Brief) (_ *Plan, tr Trace, _ error) {
	start := time.Now()
	tr.Planner = "llm"
	fail := func(err error) (*Plan, Trace, error) {
		tr.Duration = time.Since(start)
		return nil, tr, err
	}
	if b == nil {
		return fail(fmt.Errorf("%w: no brief", ErrFallback))
	}
	if l.Client == nil {
		return fail(fmt.Errorf("%w: no LLM client", ErrFallback))
	}
	def, _ := Heuristic{}.Plan(ctx, b)
	system, user, err := planPrompt(b, def, l.MaxColumns)
	if err != nil {
		return fail(fmt.Errorf("%w: %w", ErrFallback, err))
	}
	schema, err := planSchema(b)
	if err != nil {
		return fail(fmt.Errorf("%w: %w", ErrFallback, err))
	}
	key := cacheKey(PromptVersion, l.modelName(), system, user, string(schema))
	if p, ok := l.Cache.get(key); ok {
		Normalize(p, b)
		if Validate(p, b) == nil {
			tr.Cached = true
			tr.Duration = time.Since(start)
			return p, tr, nil
		}
	}

	ctx, cancel := context.WithTimeout(ctx, l.timeLimit(b))
	defer cancel()
	var before llm.Usage
	rep, reports := l.Client.(llm.UsageReporter)
	if reports {
		before = rep.Usage()
	}
	c := &conversation{l: l, schema: &llm.Schema{Name: "plan", JSON: schema}, msgs: []llm.Message{llm.System(system), llm.User(user)}, tokens: l.MaxTokens}
	if c.tokens <= 0 {
		c.tokens = DefaultMaxTokens
	}
	defer func() {
		tr.Usage = c.usage
		if reports {
			tr.Usage = rep.Usage().Sub(before)
		}
	}()
	repairs := l.Repairs
	if repairs == 0 {
		repairs = DefaultRepairs
	}
	last := ""
	for round := 0; round <= max(repairs, 0); round++ {
		raw, text, problem, err := c.ask(ctx)
		if err != nil {
			tr.Repairs = c.rounds
			return fail(err)
		}
		if problem == "" {
			p, perr := decodePlan(raw, b)
			if perr == nil {
				Normalize(p, b)
				if verr := Validate(p, b); verr == nil {
					p.Planner = "llm"
					tr.Repairs = c.rounds
					tr.Duration = time.Since(start)
					l.Cache.put(key, p)
					return p, tr, nil
				} else {
					problem = repairText(verr, b)
				}
			} else {
				problem = fmt.Sprintf("Your reply does not decode as a plan: %v. Send the whole plan again as one JSON object matching the schema.", perr)
			}
		}
		last = problem
		l.logger().Warn("planner: LLM plan needs repair", "round", round+1, "problems", problem)
		c.addRepair(text, problem)
	}
	tr.Repairs = max(c.rounds-1, 0)
	return fail(fmt.Errorf("%w: the LLM's plan was still invalid after %d repair rounds: %s", ErrFallback, max(repairs, 0), firstLines(last, 3)))
}

// repairText turns validation problems into the repair request, with
// column names as the planner saw them.
func repairText(err error, b *Brief) string {
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return err.Error()
	}
	list := ve.Numbered()
	for _, c := range b.Facts.Columns {
		if c.Original != "" {
			list = strings.ReplaceAll(list, strconv.Quote(c.Original), strconv.Quote(c.Name))
		}
	}
	return "Your plan has these problems:\n" + list + "\nFix every one and send the whole corrected plan as one JSON object."
}

func firstLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = append(lines[:n], "...")
	}
	return strings.Join(lines, " ")
}

// The reply as the schema describes it.
type (
	wireParam struct {
		Name  string `json:"name"`
		Value any    `json:"value"`
	}
	wireConfig struct {
		Model  string      `json:"model"`
		Params []wireParam `json:"params"`
	}
	wireSpace struct {
		Model   string  `json:"model"`
		Param   string  `json:"param"`
		Low     float64 `json:"low"`
		High    float64 `json:"high"`
		Choices []any   `json:"choices"`
	}
	wireTuning struct {
		Families        []string    `json:"families"`
		Top             int         `json:"top"`
		TrialsPerFamily int         `json:"trials_per_family"`
		Spaces          []wireSpace `json:"spaces"`
	}
	wireColumns struct {
		Drop        []string `json:"drop"`
		Categorical []string `json:"categorical"`
		Text        []string `json:"text"`
	}
	wireShare struct {
		Model string  `json:"model"`
		Share float64 `json:"share"`
	}
	wirePlan struct {
		Trials     []wireConfig `json:"trials"`
		Shares     []wireShare  `json:"shares"`
		Tuning     wireTuning   `json:"tuning"`
		Validation Validation   `json:"validation"`
		Ensemble   Ensemble     `json:"ensemble"`
		Columns    wireColumns  `json:"columns"`
		Reserve    float64      `json:"reserve"`
		Rationale  string       `json:"rationale"`
	}
)

// decodePlan reads a reply into a Plan, mapping shown column names back.
func decodePlan(raw json.RawMessage, b *Brief) (*Plan, error) {
	var w wirePlan
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, err
	}
	p := &Plan{
		Version:    Version,
		Planner:    "llm",
		Validation: w.Validation,
		Ensemble:   w.Ensemble,
		Reserve:    w.Reserve,
		Rationale:  w.Rationale,
		Tuning:     Tuning{Families: w.Tuning.Families, Top: w.Tuning.Top, TrialsPerFamily: w.Tuning.TrialsPerFamily},
	}
	for _, c := range w.Trials {
		p.Trials = append(p.Trials, fromWire(c))
	}
	for _, sh := range w.Shares {
		if p.Shares == nil {
			p.Shares = map[string]float64{}
		}
		p.Shares[sh.Model] = sh.Share
	}
	for _, s := range w.Tuning.Spaces {
		if p.Tuning.Spaces == nil {
			p.Tuning.Spaces = map[string]hyperopt.Space{}
		}
		param := hyperopt.Param{Name: s.Param, Kind: hyperopt.Float, Low: s.Low, High: s.High}
		if m, ok := b.model(s.Model); ok {
			if r, ok := spaceParam(m.Space, s.Param); ok {
				param.Kind = r.Kind
				if r.Kind == hyperopt.Categorical {
					param.Low, param.High, param.Choices = 0, 0, s.Choices
				}
			}
		}
		p.Tuning.Spaces[s.Model] = append(p.Tuning.Spaces[s.Model], param)
	}
	real := func(xs []string) []string {
		var out []string
		for _, x := range xs {
			out = append(out, b.Facts.realName(x))
		}
		return out
	}
	p.Columns = Columns{Drop: real(w.Columns.Drop), Categorical: real(w.Columns.Categorical), Text: real(w.Columns.Text)}
	return p, nil
}

func fromWire(c wireConfig) Config {
	cfg := Config{Model: c.Model}
	if len(c.Params) > 0 {
		cfg.Params = models.Params{}
		for _, p := range c.Params {
			cfg.Params[p.Name] = p.Value
		}
	}
	return cfg
}

func toWire(c Config) wireConfig {
	w := wireConfig{Model: c.Model, Params: []wireParam{}}
	for _, k := range c.Params.Keys() {
		w.Params = append(w.Params, wireParam{Name: k, Value: c.Params[k]})
	}
	return w
}

// planToWire shows a plan as the reply schema has it (shown column names).
func planToWire(p *Plan, b *Brief) wirePlan {
	w := wirePlan{
		Trials:     []wireConfig{},
		Tuning:     wireTuning{Families: orEmpty(p.Tuning.Families), Top: p.Tuning.Top, TrialsPerFamily: p.Tuning.TrialsPerFamily, Spaces: []wireSpace{}},
		Validation: p.Validation,
		Ensemble:   p.Ensemble,
		Reserve:    p.Reserve,
		Rationale:  p.Rationale,
	}
	for _, t := range p.Trials {
		w.Trials = append(w.Trials, toWire(t))
	}
	w.Shares = []wireShare{}
	for _, name := range sortedKeys(p.Shares) {
		w.Shares = append(w.Shares, wireShare{Model: name, Share: p.Shares[name]})
	}
	shown := func(xs []string) []string {
		out := []string{}
		for _, x := range xs {
			out = append(out, b.Facts.shownName(x))
		}
		return out
	}
	w.Columns = wireColumns{Drop: shown(p.Columns.Drop), Categorical: shown(p.Columns.Categorical), Text: shown(p.Columns.Text)}
	return w
}

func orEmpty(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// Schema documents: every object closed, every property required, so
// llm.StrictSchema has nothing to add.
func obj(props map[string]any) map[string]any {
	req := sortedKeys(props)
	return map[string]any{"type": "object", "additionalProperties": false, "required": req, "properties": props}
}

func arr(items any) map[string]any { return map[string]any{"type": "array", "items": items} }

func enum(vals []string) map[string]any {
	if len(vals) == 0 {
		return map[string]any{"type": "string"}
	}
	return map[string]any{"type": "string", "enum": vals}
}

var (
	intType   = map[string]any{"type": "integer"}
	numType   = map[string]any{"type": "number"}
	strType   = map[string]any{"type": "string"}
	valueType = map[string]any{"anyOf": []any{map[string]any{"type": "number"}, map[string]any{"type": "string"}, map[string]any{"type": "boolean"}}}
)

// configSchema is the schema of one trial: a candidate and a list of
// {name, value} parameters named from the candidates' spaces and portfolios.
func configSchema(b *Brief) map[string]any {
	var names []string
	for _, m := range b.Models {
		if m.Name == BaselineModel {
			continue
		}
		for _, n := range knownParams(m) {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	slices.Sort(names)
	return obj(map[string]any{
		"model":  enum(b.candidates()),
		"params": arr(obj(map[string]any{"name": enum(names), "value": valueType})),
	})
}

// planSchema builds the reply schema from the candidates and columns.
func planSchema(b *Brief) (json.RawMessage, error) {
	var cols []string
	for _, c := range b.Facts.Columns {
		cols = append(cols, c.Name)
	}
	colList := arr(enum(cols))
	if len(cols) > 500 {
		colList = arr(strType)
	}
	s := obj(map[string]any{
		"trials": arr(configSchema(b)),
		"shares": arr(obj(map[string]any{"model": enum(b.candidates()), "share": numType})),
		"tuning": obj(map[string]any{
			"families":          arr(enum(b.candidates())),
			"top":               intType,
			"trials_per_family": intType,
			"spaces": arr(obj(map[string]any{
				"model": enum(b.candidates()), "param": strType,
				"low": numType, "high": numType, "choices": arr(valueType),
			})),
		}),
		"validation": obj(map[string]any{"folds": intType, "repeats": intType, "final_fit": enum([]string{"bag", "refit"}), "holdout": numType}),
		"ensemble": obj(map[string]any{
			"method": enum(ensembleMethods), "candidates": intType, "per_family": intType, "stack_members": intType,
		}),
		"columns":   obj(map[string]any{"drop": colList, "categorical": colList, "text": colList}),
		"reserve":   numType,
		"rationale": strType,
	})
	return json.Marshal(s)
}

// wireModel is a candidate as the prompt shows it.
type wireModel struct {
	Name        string          `json:"name"`
	Input       string          `json:"input,omitempty"`
	Params      []wireSpaceItem `json:"params"`
	OtherParams []string        `json:"other_params,omitempty"`
	Portfolio   []models.Params `json:"portfolio"`
	Seconds     []float64       `json:"seconds_per_trial,omitempty"`
}

type wireSpaceItem struct {
	Name    string  `json:"name"`
	Kind    string  `json:"kind"`
	Low     float64 `json:"low,omitempty"`
	High    float64 `json:"high,omitempty"`
	Log     bool    `json:"log,omitempty"`
	Choices []any   `json:"choices,omitempty"`
}

func kindName(k hyperopt.Kind) string {
	switch k {
	case hyperopt.Int:
		return "int"
	case hyperopt.Categorical:
		return "categorical"
	}
	return "float"
}

func promptModels(b *Brief) []wireModel {
	var out []wireModel
	for _, m := range b.Models {
		if m.Name == BaselineModel {
			continue
		}
		w := wireModel{Name: m.Name, Input: m.Input, Portfolio: m.Portfolio, Params: []wireSpaceItem{}}
		for _, p := range m.Space {
			w.Params = append(w.Params, wireSpaceItem{Name: p.Name, Kind: kindName(p.Kind), Low: p.Low, High: p.High, Log: p.Log, Choices: p.Choices})
		}
		for _, n := range knownParams(m) {
			if _, ok := spaceParam(m.Space, n); !ok {
				w.OtherParams = append(w.OtherParams, n)
			}
		}
		for _, s := range m.Seconds {
			w.Seconds = append(w.Seconds, sig3(s))
		}
		out = append(out, w)
	}
	return out
}

// sig3 rounds x to 3 significant digits (stable prompts and cache keys).
func sig3(x float64) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	e := math.Pow(10, math.Floor(math.Log10(math.Abs(x)))-2)
	return math.Round(x/e) * e
}

const planSystem = `You plan the model search of an AutoML library for tabular data.
You see aggregated facts about the training data (no raw values), the task, the metric, the time budget, and the candidate models with their hyperparameter spaces, known-good portfolio configurations and estimated seconds per trial on this data.
Decide: the portfolio trials in the order they run (a baseline always runs first and is not listed; trials run in order until the time is spent, so put the most promising first when time is short), tuning (TPE per family after the portfolio round: either list families, or set top to tune the best N families by portfolio score; trials_per_family 0 turns tuning off), cross-validation folds and repeats, the final fit ("bag" keeps the fold models, "refit" retrains on all rows), the ensemble ("greedy": a greedy weighted blend of the best trials, with a stacker also tried; "greedy_only": the blend without a stacker; "none": the best single trial; candidates, per_family and stack_members limit the trials considered), columns to drop or to read as categorical or text, shares (optional caps on each family's share of the search time, adding up to at most 1; an empty list caps nothing), a holdout (0 for cross-validation, or 0.05 to 0.5 of the rows held out once instead, for big tables) and the reserve (0 to 0.5: share of the budget kept after the search for the ensemble and final fit).
Rules: use only the listed models and parameter names; keep numeric values inside their ranges and categorical values among their choices; params is a list of {name, value} pairs (an empty list means the model's defaults); keep every setting listed under "fixed"; name columns exactly as given; the rationale is at most three sentences.
A default plan made by fixed rules is given: keep what is right about it and change what the facts justify.`

// promptFacts returns b's facts with at most maxCols columns described
// (0 means DefaultColumns): those named in warnings first, then in order.
// The others are summarised as counts by kind under
// MetaFeatures["omitted_<kind>_columns"].
func promptFacts(f Facts, maxCols int) Facts {
	if maxCols <= 0 {
		maxCols = DefaultColumns
	}
	if len(f.Columns) <= maxCols {
		return f
	}
	warned := func(c ColumnFacts) bool {
		for _, w := range f.Warnings {
			if _, rest, ok := strings.Cut(w, ": "); ok && (rest == c.Name || strings.HasPrefix(rest, c.Name+" (")) {
				return true
			}
		}
		return false
	}
	keep := make([]bool, len(f.Columns))
	n := 0
	for pass := range 2 {
		for i, c := range f.Columns {
			if n < maxCols && !keep[i] && (pass == 1 || warned(c)) {
				keep[i] = true
				n++
			}
		}
	}
	out := f
	out.Columns = nil
	out.MetaFeatures = make(map[string]float64, len(f.MetaFeatures)+4)
	for k, v := range f.MetaFeatures {
		out.MetaFeatures[k] = v
	}
	for i, c := range f.Columns {
		if keep[i] {
			out.Columns = append(out.Columns, c)
		} else {
			out.MetaFeatures["omitted_"+c.Kind+"_columns"]++
		}
	}
	return out
}

// planPrompt returns the system and user messages for b.
func planPrompt(b *Brief, def *Plan, maxCols int) (string, string, error) {
	in := map[string]any{
		"task":              b.Task,
		"metric":            b.Metric,
		"greater_is_better": b.GreaterBetter,
		"budget_seconds":    math.Round(b.Budget.Seconds()*10) / 10,
		"cores":             b.Cores,
		"trials_at_once":    concurrency(b),
		"facts":             promptFacts(b.Facts, maxCols),
		"fixed":             b.Fixed,
		"models":            promptModels(b),
		"default_plan":      planToWire(def, b),
	}
	if len(b.Samples) > 0 {
		in["sample_rows"] = b.Samples
	}
	body, err := json.Marshal(in)
	if err != nil {
		return "", "", err
	}
	user := "Plan the search for this data. Reply with the plan as one JSON object.\n\n" + string(body)
	return planSystem, user, nil
}
