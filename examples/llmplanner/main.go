// Command llmplanner shows what the LLM planner would decide for a bundled
// table (R's infert: will a woman's case be infertile?), and what the
// heuristic decides when no LLM is configured.
//
// With a key in the environment (OPENROUTER_API_KEY, OPENAI_API_KEY,
// ANTHROPIC_API_KEY or GEMINI_API_KEY; or AUTOML_LLM_BASE_URL for a local
// server, with AUTOML_LLM_MODEL) it asks the model for a plan, sending only
// aggregated facts about the table (column names too, unless -redact), and
// prints the plan with the trace: which planner's plan is used, every
// fallback and why, tokens spent. Without one it prints the heuristic plan
// and exits 0, so it runs offline.
//
//	go run ./examples/llmplanner
//	OPENROUTER_API_KEY=... go run ./examples/llmplanner -redact
package main

import (
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/llm"
	"github.com/automl-agent/automl/models"
	_ "github.com/automl-agent/automl/models/baseline"
	_ "github.com/automl-agent/automl/models/bayes"
	_ "github.com/automl-agent/automl/models/forest"
	_ "github.com/automl-agent/automl/models/gbdt"
	_ "github.com/automl-agent/automl/models/knn"
	_ "github.com/automl-agent/automl/models/linear"
	"github.com/automl-agent/automl/planner"
)

// infert.csv is R's datasets::infert (see DATA.md).
//
//go:embed infert.csv
var infertCSV string

func main() {
	redact := flag.Bool("redact", false, "send c1, c2, ... instead of column names")
	budget := flag.Duration("budget", time.Minute, "the Fit budget the plan is for")
	cache := flag.String("cache", defaultCache(), "directory caching LLM plans (\"\" keeps them in memory)")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *redact, *budget, *cache); err != nil {
		log.Fatal(err)
	}
}

// defaultCache is the user's cache directory for plans, or "".
func defaultCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "automl", "plans")
}

func run(ctx context.Context, w io.Writer, redact bool, budget time.Duration, cacheDir string) error {
	frame, err := dataset.ReadCSV(ctx, strings.NewReader(infertCSV), dataset.CSVOptions{})
	if err != nil {
		return err
	}
	defer frame.Release()
	const target = "case"
	prof, err := dataset.Analyze(frame, target)
	if err != nil {
		return err
	}
	b := &planner.Brief{
		Profile:       prof,
		Facts:         planner.FactsOf(prof, target, planner.FactsOptions{RedactNames: redact}),
		Task:          prof.Task,
		Metric:        "roc_auc",
		GreaterBetter: true,
		Budget:        budget,
		Cores:         2,
		Models:        candidates(prof),
	}

	var p planner.Planner = planner.Heuristic{}
	cfg, err := llm.FromEnv()
	switch {
	case errors.Is(err, llm.ErrNotConfigured):
		facts, err := json.Marshal(b.Facts)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, "No LLM configured (set OPENROUTER_API_KEY, OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY or AUTOML_LLM_BASE_URL).")
		fmt.Fprintf(w, "With one, the LLM planner would send these facts, %d candidate models and the plan below as a starting point:\n%s\n", len(b.Models), facts)
		fmt.Fprintln(w, "The heuristic's plan:")
	case err != nil:
		return err
	default:
		c, err := llm.New(cfg)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, "Asking", c, "for a plan.")
		p = &planner.LLM{Client: c, Cache: planner.NewCache(cacheDir)}
	}

	plan, tr := planner.PlanWithFallback(ctx, p, b)
	for _, f := range tr.Fallbacks {
		fmt.Fprintln(w, "planner: fell back to heuristic:", f)
	}
	out, err := json.MarshalIndent(plan, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintln(w, string(out))
	fmt.Fprintf(w, "planner %s, %d repair rounds, cached %v, %d LLM calls, %d tokens, %v\n",
		tr.Planner, tr.Repairs, tr.Cached, tr.Usage.Calls, tr.Usage.TotalTokens, tr.Duration.Round(time.Millisecond))
	return nil
}

// candidates describes the default registry's models that fit the task,
// cheapest first, with time estimates for 5-fold trials on this table.
func candidates(prof *dataset.Profile) []planner.ModelInfo {
	classes := len(prof.Classes)
	reg := models.Default()
	var specs []models.Spec
	for _, n := range reg.Names() {
		if s, err := reg.Spec(n); err == nil && s.Supports(classes) {
			specs = append(specs, s)
		}
	}
	slices.SortStableFunc(specs, func(a, b models.Spec) int { return cmp.Compare(max(a.Cost, 1), max(b.Cost, 1)) })
	sh := models.Shape{Rows: prof.Rows * 4 / 5, Features: prof.Meta.Features, Classes: classes, Predict: prof.Rows / 5, Threads: 1}
	var out []planner.ModelInfo
	for _, s := range specs {
		out = append(out, planner.NewModelInfo(s, sh, 5))
	}
	return out
}
