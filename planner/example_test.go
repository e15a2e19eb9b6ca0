package planner_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/hyperopt"
	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/planner"
)

// candidates are two small model descriptions, as the root builds them
// from the registry.
func candidates() []planner.ModelInfo {
	return []planner.ModelInfo{
		{Name: "logistic", Input: "dense",
			Space:     hyperopt.Space{{Name: "C", Kind: hyperopt.Float, Low: 1e-3, High: 1e3, Log: true}},
			Portfolio: []models.Params{{"C": 1.0}, {"C": 0.1}}, Seconds: []float64{0.2, 0.2}},
		{Name: "gbdt", Input: "native",
			Space:     hyperopt.Space{{Name: "learning_rate", Kind: hyperopt.Float, Low: 0.01, High: 0.3, Log: true}},
			Portfolio: []models.Params{{}, {"learning_rate": 0.05}}, Seconds: []float64{2, 4}},
	}
}

// The heuristic plan for a small table: five folds repeated five times, a
// bagged predictor, every portfolio entry in turn and no tuning below
// 2,000 rows.
func ExampleHeuristic() {
	f, err := os.Open("../testdata/infert.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	frame, err := dataset.ReadCSV(context.Background(), f, dataset.CSVOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer frame.Release()
	prof, err := dataset.Analyze(frame, "case")
	if err != nil {
		fmt.Println(err)
		return
	}
	b := &planner.Brief{
		Facts:  planner.FactsOf(prof, "case", planner.FactsOptions{}),
		Task:   prof.Task,
		Metric: "roc_auc", GreaterBetter: true,
		Budget: time.Minute, Cores: 2,
		Models: candidates(),
	}
	p, err := planner.Heuristic{}.Plan(context.Background(), b)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(b.Facts.Rows, "rows,", b.Facts.Classes, "classes, balance", b.Facts.ClassBalance)
	fmt.Printf("%+v\n", p.Validation)
	for _, t := range p.Trials {
		fmt.Println(t.Model, t.Params)
	}
	fmt.Println("tuned per family:", p.Tuning.TrialsPerFamily, "ensemble:", p.Ensemble.Method)
	fmt.Println("valid:", planner.Validate(p, b) == nil)
	// Output:
	// 248 rows, 2 classes, balance [0.665 0.335]
	// {Folds:5 Repeats:5 FinalFit:bag Holdout:0}
	// logistic map[C:1]
	// gbdt map[]
	// logistic map[C:0.1]
	// gbdt map[learning_rate:0.05]
	// tuned per family: 0 ensemble: greedy
	// valid: true
}

// A planner can be any function; PlanWithFallback checks its plan and
// falls back to the heuristic when it is invalid, saying why.
func ExamplePlannerFunc() {
	b := &planner.Brief{Facts: planner.Facts{Rows: 5000}, Task: dataset.TaskRegression, Metric: "rmse", Cores: 2, Models: candidates()}
	gbdtOnly := planner.PlannerFunc(func(ctx context.Context, b *planner.Brief) (*planner.Plan, error) {
		p, _ := planner.Heuristic{}.Plan(ctx, b)
		p.Planner = "gbdt-only"
		p.Trials = []planner.Config{{Model: "gbdt", Params: models.Params{"learning_rate": 0.5}}}
		return p, nil
	})
	p, tr := planner.PlanWithFallback(context.Background(), gbdtOnly, b)
	fmt.Println(tr.Planner, p.Trials, tr.Fallbacks, p.Notes)

	typo := planner.PlannerFunc(func(ctx context.Context, b *planner.Brief) (*planner.Plan, error) {
		return &planner.Plan{Trials: []planner.Config{{Model: "gdbt"}}}, nil
	})
	p, tr = planner.PlanWithFallback(context.Background(), typo, b)
	fmt.Println(tr.Planner, len(p.Trials))
	fmt.Println(tr.Fallbacks[0])
	// Output:
	// gbdt-only [{gbdt map[learning_rate:0.3]}] [] [trials[0] gbdt: learning_rate 0.5 clamped to 0.3]
	// heuristic 4
	// invalid plan: 1. trials[0]: model "gdbt" is not a candidate; choose from logistic, gbdt
}
