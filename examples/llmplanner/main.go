// Command llmplanner shows what the LLM planner would decide for a bundled
// table (R's infert: will a woman's case be infertile?), and what the
// heuristic decides when no LLM is configured.
//
// With a key in the environment (OPENROUTER_API_KEY, OPENAI_API_KEY,
// ANTHROPIC_API_KEY or GEMINI_API_KEY; or AUTOML_LLM_BASE_URL for a local
// server, with AUTOML_LLM_MODEL) it asks the model for a plan, sending only
// aggregated facts about the table (column names too, unless -redact), and
// prints the plan with the trace: which planner's plan is used, every
// fallback and why, tokens spent; then it runs Fit with that planner (the
// LLM also refines the search after the portfolio round and writes the
// insights). Without one it does the same with the heuristic planner, so it
// runs offline.
//
//	go run ./examples/llmplanner
//	OPENROUTER_API_KEY=... go run ./examples/llmplanner -redact
package main

import (
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
	"strings"
	"time"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/llm"
	"github.com/automl-agent/automl/planner"
)

// infert.csv is R's datasets::infert (see DATA.md).
//
//go:embed infert.csv
var infertCSV string

func main() {
	redact := flag.Bool("redact", false, "send c1, c2, ... instead of column names")
	budget := flag.Duration("budget", 10*time.Second, "the Fit budget")
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
	opts := automl.Options{TimeBudget: budget, Seed: 1, Metric: "roc_auc", Facts: planner.FactsOptions{RedactNames: redact}}
	cfg, err := llm.FromEnv()
	switch {
	case errors.Is(err, llm.ErrNotConfigured):
		fmt.Fprintln(w, "No LLM configured (set OPENROUTER_API_KEY, OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY or AUTOML_LLM_BASE_URL).")
		fmt.Fprintln(w, "With one, the LLM planner would get the table's aggregated facts (no cell values), the candidate models and the heuristic's plan below as a starting point; here the heuristic plans.")
	case err != nil:
		return err
	default:
		c, err := llm.New(cfg)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, "Asking", c, "for a plan.")
		opts.Planner = &planner.LLM{Client: c, Cache: planner.NewCache(cacheDir)}
	}

	// The plan alone, without training.
	plan, tr, err := automl.New(opts).Plan(ctx, frame, target)
	if err != nil {
		return err
	}
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

	// The whole run with the same planner (a cached plan costs no call):
	// it trains what the plan says, refines after the portfolio round when
	// the planner is an LLM, and explains the result.
	res, err := automl.New(opts).Fit(ctx, frame, target)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, res.Leaderboard.Table(5))
	fmt.Fprintln(w, "insights:")
	fmt.Fprintln(w, res.Insights)
	return nil
}
