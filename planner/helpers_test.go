package planner

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/hyperopt"
	"github.com/automl-agent/automl/models"
	_ "github.com/automl-agent/automl/models/baseline"
	_ "github.com/automl-agent/automl/models/bayes"
	_ "github.com/automl-agent/automl/models/forest"
	_ "github.com/automl-agent/automl/models/gbdt"
	_ "github.com/automl-agent/automl/models/knn"
	_ "github.com/automl-agent/automl/models/linear"
)

// registryModels describes the default registry's models for a task
// (classes 0 = regression), cheapest first, as the root passes them.
func registryModels(t testing.TB, rows, features, classes int) []ModelInfo {
	t.Helper()
	reg := models.Default()
	var specs []models.Spec
	for _, n := range reg.Names() {
		s, err := reg.Spec(n)
		require.NoError(t, err)
		if s.Supports(classes) {
			specs = append(specs, s)
		}
	}
	slices.SortStableFunc(specs, func(a, b models.Spec) int { return cmp.Compare(max(a.Cost, 1), max(b.Cost, 1)) })
	sh := models.Shape{Rows: rows * 4 / 5, Features: features, Classes: classes, Predict: rows / 5, Threads: 1}
	var out []ModelInfo
	for _, s := range specs {
		out = append(out, NewModelInfo(s, sh, 5))
	}
	return out
}

// fakeModels are two small candidates with spaces, for table tests.
func fakeModels() []ModelInfo {
	return []ModelInfo{
		{Name: "prior", Portfolio: []models.Params{{}}, Seconds: []float64{0}},
		{Name: "logistic", Input: "dense", Space: hyperopt.Space{{Name: "C", Kind: hyperopt.Float, Low: 1e-3, High: 1e3, Log: true}},
			Portfolio: []models.Params{{"C": 1.0}, {"C": 0.1}}, Seconds: []float64{1, 1}},
		{Name: "gbdt", Space: hyperopt.Space{
			{Name: "learning_rate", Kind: hyperopt.Float, Low: 0.01, High: 0.3, Log: true},
			{Name: "max_leaves", Kind: hyperopt.Int, Low: 4, High: 256, Log: true},
			{Name: "max_depth", Kind: hyperopt.Categorical, Choices: []any{0, 4, 6, 8, 12}},
		}, Portfolio: []models.Params{{}, {"learning_rate": 0.05, "num_rounds": 500}}, Seconds: []float64{4, 8}},
	}
}

// briefOf builds the brief the root would for rows × cols facts.
func briefOf(rows int, classes int, budget time.Duration, ms []ModelInfo) *Brief {
	b := &Brief{Task: dataset.TaskRegression, Metric: "rmse", Budget: budget, Cores: 2, Models: ms}
	if classes > 0 {
		b.Task, b.Metric, b.GreaterBetter = dataset.TaskBinary, "roc_auc", true
		b.Facts.Classes = classes
		for range classes {
			b.Facts.ClassBalance = append(b.Facts.ClassBalance, 1/float64(classes))
		}
	}
	b.Facts.Rows = rows
	for i := range 8 {
		b.Facts.Columns = append(b.Facts.Columns, ColumnFacts{Name: fmt.Sprintf("x%d", i), Kind: "numeric"})
	}
	return b
}

// heur plans b with the zero Heuristic.
func heur(t testing.TB, b *Brief) *Plan {
	t.Helper()
	p, err := Heuristic{}.Plan(context.Background(), b)
	require.NoError(t, err)
	return p
}

// Sentinels planted in cells by sentinelFrame.
const (
	sentinelCat   = "ZQXSENTINELCAT"
	sentinelClass = "ZQXSENTINELCLASS"
	sentinelText  = "ZQXSENTINELTEXT"
)

// sentinelFrame is a real table whose categorical values, class labels and
// text cells carry sentinel strings.
func sentinelFrame(t testing.TB, rows int) *dataset.Frame {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	var s strings.Builder
	s.WriteString("num,cat,note,const,label\n")
	for i := range rows {
		x := rng.Float64() * 10
		cat := fmt.Sprintf("%s%d", sentinelCat, rng.IntN(4))
		note := fmt.Sprintf("%s words here number %d and more %d", sentinelText, i, rng.IntN(1000))
		label := sentinelClass + "A"
		if x+rng.NormFloat64() > 5 {
			label = sentinelClass + "B"
		}
		fmt.Fprintf(&s, "%.3f,%s,%s,%sCONST,%s\n", x, cat, note, sentinelCat, label)
	}
	f, err := dataset.ReadCSV(context.Background(), strings.NewReader(s.String()), dataset.CSVOptions{})
	require.NoError(t, err)
	t.Cleanup(f.Release)
	return f
}
