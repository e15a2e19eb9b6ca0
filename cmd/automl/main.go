// Command automl profiles tabular data, fits the best model it can find in
// a time budget, and predicts with a saved model.
//
//	automl profile --data FILE [--target COL] [--json]
//	automl fit --data FILE --target COL [--budget 60s] [--seed N] [--metric NAME]
//	           [--parallelism N] [--out model.automl] [--json]
//	automl predict --model FILE --data FILE [--out preds.csv]
//	automl serve [--addr 127.0.0.1:8080] [--data-dir DIR] [--token T]
//	             [--cors-origin URL] [--max-upload 512MB] [--jobs 1]
//
// FILE may be .csv, .tsv, .parquet, .arrow/.feather/.ipc or .jsonl. fit
// shows progress on stderr, prints the leaderboard and saves the predictor
// (default model.automl). predict writes CSV in the input's row order: a
// column "prediction" and, for classification, one column "proba_<class>"
// per class; without --out it writes to stdout. The target column may be
// absent from predict's input. serve runs the HTTP service and its
// dashboard (package server) until SIGINT or SIGTERM.
//
// Bad input gives a non-zero exit status and a one-line error on stderr.
package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/llm"
	"github.com/automl-agent/automl/planner"
)

const usage = `usage:
  automl profile --data FILE [--target COL] [--json]
  automl fit --data FILE --target COL [--budget 60s] [--seed N] [--metric NAME]
             [--parallelism N] [--out model.automl] [--json]
             [--max-trials N] [--folds N] [--repeats N] [--max-tuned N] [--group COL]
             [--drop COL,COL] [--include M,M] [--exclude M,M] [--final-fit bag|refit]
             [--max-predict-per-1k 50ms] [--stack-features] [--weight COL] [--task T]
             [--planner heuristic|llm|uniform] [--llm-provider P] [--llm-model M] [--show-plan]
             [--max-memory 2GiB] [--top N] [--verbose]
  automl predict --model FILE --data FILE [--out preds.csv]
  automl serve [--addr 127.0.0.1:8080] [--data-dir DIR] [--token T] [--cors-origin URL]
               [--max-upload 512MB] [--jobs 1] [--llm]
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	go func() {
		// After the first Ctrl-C (the run saves its best model so far), a
		// second one exits at once.
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage marks a command-line mistake (exit status 2).
var errUsage = errors.New("usage")

// run executes one command and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "profile":
		err = profileCmd(ctx, args[1:], stdout)
	case "fit":
		err = fitCmd(ctx, args[1:], stdout, stderr)
	case "predict":
		err = predictCmd(ctx, args[1:], stdout)
	case "serve":
		err = serveCmd(ctx, args[1:], stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = fmt.Errorf("%w: unknown command %q", errUsage, args[0])
	}
	if err == nil {
		return 0
	}
	if he := (*helpError)(nil); errors.As(err, &he) {
		fmt.Fprintf(stdout, "usage: automl %s [flags]\n\nflags:\n%s", he.name, he.flags)
		return 0
	}
	msg := oneLine(err.Error())
	if !strings.HasPrefix(msg, "automl: ") {
		msg = "automl: " + msg
	}
	fmt.Fprintln(stderr, msg)
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

// oneLine folds an error message onto one line.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// helpError carries a command's flag list, asked for with -h or --help.
type helpError struct{ name, flags string }

func (e *helpError) Error() string { return "help requested for " + e.name }

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		var b strings.Builder
		fs.SetOutput(&b)
		fs.PrintDefaults()
		return &helpError{name: fs.Name(), flags: b.String()}
	} else if err != nil {
		return fmt.Errorf("%w: %s: %v", errUsage, fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: %s: unexpected argument %q", errUsage, fs.Name(), fs.Arg(0))
	}
	return nil
}

func profileCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("profile")
	data := fs.String("data", "", "data file")
	target := fs.String("target", "", "target column")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *data == "" {
		return fmt.Errorf("%w: profile needs --data FILE", errUsage)
	}
	f, err := dataset.ReadFile(ctx, *data)
	if err != nil {
		return err
	}
	defer f.Release()
	prof, err := dataset.Analyze(f, *target)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, prof)
	}
	_, err = fmt.Fprintln(stdout, prof)
	return err
}

func fitCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	fs := newFlags("fit")
	data := fs.String("data", "", "training data file")
	target := fs.String("target", "", "target column")
	budget := fs.Duration("budget", time.Minute, "time budget of the whole command: reading, fitting and saving")
	seed := fs.Uint64("seed", 0, "random seed")
	metric := fs.String("metric", "", "metric name")
	par := fs.Int("parallelism", 0, "trials at once (0 = all cores)")
	out := fs.String("out", "model.automl", "where to save the predictor")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	maxTrials := fs.Int("max-trials", 0, "cap on trials (0 = none)")
	folds := fs.Int("folds", 0, "cross-validation folds (0 = auto)")
	repeats := fs.Int("repeats", 0, "cross-validation repeats (0 = auto)")
	maxTuned := fs.Int("max-tuned", 0, "cap on tuned trials per model family (0 = auto, -1 = none)")
	maxPredict := fs.Duration("max-predict-per-1k", 0, "cap on the predictor's prediction time per 1,000 rows (0 = none)")
	drop := fs.String("drop", "", "comma-separated columns to ignore")
	group := fs.String("group", "", "column of group IDs: folds never split a group")
	finalFit := fs.String("final-fit", "", "bag (average the fold models) or refit (one model on all rows); empty = auto")
	include := fs.String("include", "", "comma-separated models to try")
	exclude := fs.String("exclude", "", "comma-separated models to skip")
	stackFeatures := fs.Bool("stack-features", false, "let the stacker read the original features too")
	verbose := fs.Bool("verbose", false, "debug logs on stderr")
	top := fs.Int("top", 25, "leaderboard rows to print (0 = all)")
	weight := fs.String("weight", "", "column of non-negative sample weights")
	task := fs.String("task", "", "binary, multiclass or regression (empty = inferred)")
	plannerName := fs.String("planner", "heuristic", "heuristic, llm or uniform")
	llmProvider := fs.String("llm-provider", "", "openrouter, openai, anthropic, gemini, ollama, llamacpp, vllm or local (empty = from the environment)")
	llmModel := fs.String("llm-model", "", "the LLM's model name (empty = the provider's default or AUTOML_LLM_MODEL)")
	showPlan := fs.Bool("show-plan", false, "print the plan as JSON and exit without training")
	maxMemory := fs.String("max-memory", "", "memory cap of the search, e.g. 2GiB or 512MB (empty = 3/4 of the machine's)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *data == "" || *target == "" {
		return fmt.Errorf("%w: fit needs --data FILE and --target COL", errUsage)
	}
	if *budget < 0 || (*budget == 0 && *maxTrials <= 0) {
		return fmt.Errorf("%w: --budget must be positive (0 only with --max-trials, for no time limit)", errUsage)
	}
	var memCap int64
	if *maxMemory != "" {
		var err error
		if memCap, err = parseSize(*maxMemory); err != nil {
			return fmt.Errorf("%w: fit: --max-memory: %v", errUsage, err)
		}
	}
	pl, err := choosePlanner(*plannerName, *llmProvider, *llmModel)
	if err != nil {
		if errors.Is(err, errUsage) {
			return err
		}
		fmt.Fprintf(stderr, "planner: fell back to heuristic: %s\n", oneLine(err.Error()))
	}
	f, err := dataset.ReadFile(ctx, *data)
	if err != nil {
		return err
	}
	defer f.Release()

	fitTime, err := fitBudget(*budget, time.Since(start))
	if err != nil {
		return err
	}
	progress := &progress{w: stderr}
	opts := automl.Options{
		TimeBudget: fitTime, Seed: *seed, Metric: *metric, Parallelism: *par,
		MaxTrials: *maxTrials, Folds: *folds, Repeats: *repeats, MaxTunedPerModel: *maxTuned,
		Drop: split(*drop), Include: split(*include), Exclude: split(*exclude), Group: *group,
		StackFeatures: *stackFeatures, FinalFit: automl.FinalFit(*finalFit), MaxPredictPer1k: *maxPredict,
		Weight: *weight, Task: dataset.Task(*task), Planner: pl, MaxMemory: memCap,
		OnEvent: progress.event,
	}
	if *verbose {
		opts.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if *showPlan {
		plan, tr, err := automl.New(opts).Plan(ctx, f, *target)
		if err != nil {
			return err
		}
		printPlanning(stderr, tr)
		return writeJSON(stdout, plan)
	}
	res, err := automl.New(opts).Fit(ctx, f, *target)
	if err != nil && res == nil {
		return err
	}
	if err != nil {
		fmt.Fprintf(stderr, "automl: %s; saving the best model so far\n", oneLine(err.Error()))
	}
	if err := save(res.Predictor, *out); err != nil {
		return err
	}
	for _, w := range res.Profile.Warnings {
		if w.Column != "" {
			fmt.Fprintf(stderr, "warning: column %q: %s\n", w.Column, w.Message)
		} else {
			fmt.Fprintf(stderr, "warning: %s\n", w.Message)
		}
	}
	printPlanning(stderr, res.Planning)
	if *asJSON {
		return writeJSON(stdout, res)
	}
	fmt.Fprintln(stdout, res.Leaderboard.Table(*top))
	if len(res.Importance) > 0 {
		fmt.Fprintln(stdout, "permutation importance (out of fold, drop in "+res.Leaderboard.Metric+"):")
		for _, imp := range res.Importance {
			fmt.Fprintf(stdout, "  %-24s %9.4f ± %.4f\n", imp.Column, imp.Mean, imp.Std)
		}
	}
	if res.Insights != "" {
		fmt.Fprintln(stdout, "insights:")
		fmt.Fprintln(stdout, res.Insights)
	}
	fmt.Fprintf(stdout, "saved %s: %s; fit took %.1fs\n", *out, res.Predictor, res.Duration.Seconds())
	return nil
}

// fitBudget is what is left of the command's budget for Fit once reading
// took elapsed: the budget counts from the command's start and must also
// cover saving the predictor, so saveReserve is kept back. A zero budget
// (no time limit) stays zero.
func fitBudget(budget, elapsed time.Duration) (time.Duration, error) {
	if budget == 0 {
		return 0, nil
	}
	left := budget - elapsed - saveReserve(budget)
	if left <= 0 {
		return 0, fmt.Errorf("reading the data took %.1fs of the %s budget: nothing is left to fit", elapsed.Seconds(), budget)
	}
	return left, nil
}

// saveReserve is the time kept back from a budget to save the predictor:
// 3%, between 0.2 s and 5 s. A bagged predictor of a few hundred MB takes
// a second or two to write: a 26-class blend with a random forest on
// 16,000 rows (300 MB) took 1.8 s here, and with 2% kept back its 60 s
// run returned after 61.1 s (the forest's leaves have since shrunk the
// same predictor to 127 MB).
func saveReserve(budget time.Duration) time.Duration {
	return min(max(budget*3/100, 200*time.Millisecond), 5*time.Second)
}

// choosePlanner returns the planner named on the command line; for "llm"
// the client comes from the environment (llm.FromEnv) with the flags over
// it. An LLM that cannot be configured gives the heuristic and the
// reason as the error.
func choosePlanner(name, provider, model string) (planner.Planner, error) {
	switch name {
	case "", "heuristic":
		return nil, nil
	case "uniform":
		return planner.Uniform{}, nil
	case "llm":
	default:
		return nil, fmt.Errorf("%w: --planner %q: want heuristic, llm or uniform", errUsage, name)
	}
	if provider != "" {
		if _, err := llm.ParseProvider(provider); err != nil {
			return nil, fmt.Errorf("%w: --llm-provider: %w", errUsage, err)
		}
		os.Setenv("AUTOML_LLM_PROVIDER", provider)
	}
	cfg, err := llm.FromEnv()
	if err != nil {
		return nil, err
	}
	if model != "" {
		cfg.Model = model
	}
	c, err := llm.New(cfg)
	if err != nil {
		return nil, err
	}
	return &planner.LLM{Client: c}, nil
}

// printPlanning says on w which planner ran and why any other did not.
func printPlanning(w io.Writer, tr planner.Trace) {
	fmt.Fprintf(w, "planner: %s", tr.Planner)
	if tr.Usage.Calls > 0 {
		fmt.Fprintf(w, " (%d LLM calls, %d tokens, %.1fs)", tr.Usage.Calls, tr.Usage.TotalTokens, tr.Duration.Seconds())
	}
	fmt.Fprintln(w)
	for _, f := range tr.Fallbacks {
		fmt.Fprintf(w, "planner: fell back to heuristic: %s\n", oneLine(f))
	}
}

// save writes the predictor to a temporary file and renames it into
// place, so a failure never leaves half a model behind.
func save(p *automl.Predictor, path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".automl-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := p.Save(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func predictCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("predict")
	model := fs.String("model", "", "saved predictor")
	data := fs.String("data", "", "data file")
	out := fs.String("out", "", "output CSV (default stdout)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *model == "" || *data == "" {
		return fmt.Errorf("%w: predict needs --model FILE and --data FILE", errUsage)
	}
	mf, err := os.Open(*model)
	if err != nil {
		return err
	}
	p, err := automl.Load(mf)
	mf.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", *model, err)
	}
	f, err := dataset.ReadFile(ctx, *data)
	if err != nil {
		return err
	}
	defer f.Release()
	preds, err := p.Predict(ctx, f)
	if err != nil {
		return err
	}
	w := stdout
	var file *os.File
	if *out != "" {
		file, err = os.Create(*out)
		if err != nil {
			return err
		}
		defer file.Close()
		w = file
	}
	if err := writePredictions(w, preds); err != nil {
		return err
	}
	if file != nil {
		return file.Close()
	}
	return nil
}

// writePredictions writes one CSV row per input row: the prediction, then
// one probability column per class.
func writePredictions(w io.Writer, p *automl.Predictions) error {
	cw := csv.NewWriter(w)
	header := []string{"prediction"}
	for _, c := range p.Classes {
		header = append(header, "proba_"+c)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	k := len(p.Classes)
	rec := make([]string, len(header))
	for i := range p.Values {
		if k == 0 {
			rec[0] = strconv.FormatFloat(p.Values[i], 'g', -1, 64)
		} else {
			rec[0] = p.Labels[i]
			for c := range k {
				rec[1+c] = strconv.FormatFloat(p.Proba[i*k+c], 'g', 6, 64)
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// progress prints one line per finished trial and phase to stderr.
type progress struct {
	w    io.Writer
	best float64
	have bool
}

func (p *progress) event(e automl.Event) {
	ts := fmt.Sprintf("[%6.1fs]", e.Elapsed.Seconds())
	switch e.Kind {
	case automl.EventPhase:
		fmt.Fprintf(p.w, "%s phase %s\n", ts, e.Phase)
	case automl.EventTrialFinished:
		switch e.Status {
		case "ok":
			fmt.Fprintf(p.w, "%s trial %3d %-14s %-9s score %.5f\n", ts, e.Trial, e.Model, e.Phase, e.Score)
		default:
			fmt.Fprintf(p.w, "%s trial %3d %-14s %-9s %s: %s\n", ts, e.Trial, e.Model, e.Phase, e.Status, oneLine(e.Err))
		}
	case automl.EventNewBest:
		fmt.Fprintf(p.w, "%s new best: trial %d %s %.5f\n", ts, e.Trial, e.Model, e.Score)
	}
}
