package planner

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/dataset"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestPlanPromptGolden pins the prompt and schema text: a change here must
// bump PromptVersion (cached plans were made from the old prompt).
func TestPlanPromptGolden(t *testing.T) {
	fh, err := os.Open("../testdata/infert.csv")
	require.NoError(t, err)
	defer fh.Close()
	frame, err := dataset.ReadCSV(context.Background(), fh, dataset.CSVOptions{})
	require.NoError(t, err)
	defer frame.Release()
	prof, err := dataset.Analyze(frame, "case")
	require.NoError(t, err)
	b := &Brief{Facts: FactsOf(prof, "case", FactsOptions{}), Task: prof.Task, Metric: "roc_auc", GreaterBetter: true,
		Budget: time.Minute, Cores: 2, Models: fakeModels()}
	def := heur(t, b)
	sys, user, err := planPrompt(b, def, 0)
	require.NoError(t, err)
	schema, err := planSchema(b)
	require.NoError(t, err)
	got := fmt.Sprintf("prompt version %d\n--- system\n%s\n--- user\n%s\n--- schema\n%s\n", PromptVersion, sys, user, schema)
	path := filepath.Join("testdata", "plan_prompt.golden")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -run Golden -update to create it")
	assert.Equal(t, string(want), got, "prompt changed: bump PromptVersion and rerun with -update")
}

func TestPromptFactsCap(t *testing.T) {
	f := Facts{Rows: 10, MetaFeatures: map[string]float64{"features": 250}}
	for i := range 250 {
		kind := "numeric"
		if i%5 == 0 {
			kind = "categorical"
		}
		f.Columns = append(f.Columns, ColumnFacts{Name: fmt.Sprintf("v%d", i), Kind: kind})
	}
	f.Warnings = []string{"mostly_missing: v249", "duplicate_rows (3 rows)"}
	g := promptFacts(f, 0)
	require.Len(t, g.Columns, DefaultColumns)
	assert.Equal(t, "v249", g.Columns[len(g.Columns)-1].Name, "warned columns kept")
	assert.Equal(t, "v0", g.Columns[0].Name)
	assert.Equal(t, 150.0, g.MetaFeatures["omitted_numeric_columns"]+g.MetaFeatures["omitted_categorical_columns"])
	assert.NotContains(t, f.MetaFeatures, "omitted_numeric_columns", "the brief's facts are not modified")
	assert.Len(t, f.Columns, 250)
	assert.Equal(t, f, promptFacts(f, 300))
}
