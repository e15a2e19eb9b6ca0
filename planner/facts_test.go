package planner

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/dataset"
)

func TestFactsOf(t *testing.T) {
	frame := sentinelFrame(t, 300)
	prof, err := dataset.Analyze(frame, "label")
	require.NoError(t, err)
	f := FactsOf(prof, "label", FactsOptions{})

	assert.Equal(t, 300, f.Rows)
	assert.Equal(t, "label", f.Target)
	assert.False(t, f.Redacted)
	require.Len(t, f.Columns, 4)
	byName := map[string]ColumnFacts{}
	for _, c := range f.Columns {
		byName[c.Name] = c
		assert.Empty(t, c.Top)
		assert.Empty(t, c.Original)
	}
	assert.Equal(t, "numeric", byName["num"].Kind)
	assert.Equal(t, "categorical", byName["cat"].Kind)
	assert.Equal(t, 4, byName["cat"].Cardinality)
	assert.Equal(t, "constant", byName["const"].Kind)
	assert.NotContains(t, byName, "label")

	assert.Equal(t, 2, f.Classes)
	require.Len(t, f.ClassBalance, 2)
	assert.GreaterOrEqual(t, f.ClassBalance[0], f.ClassBalance[1])
	assert.InDelta(t, 1, f.ClassBalance[0]+f.ClassBalance[1], 0.002)
	assert.Empty(t, f.ClassLabels)
	assert.Equal(t, 4.0, f.MetaFeatures["features"])
	assert.Contains(t, f.Warnings, "constant: const")

	data, err := json.Marshal(f)
	require.NoError(t, err)
	for _, s := range []string{sentinelCat, sentinelClass, sentinelText} {
		assert.NotContains(t, string(data), s)
	}

	// Opt-ins copy values.
	g := FactsOf(prof, "label", FactsOptions{TopValues: true, ClassLabels: true})
	require.Len(t, g.ClassLabels, 2)
	assert.True(t, strings.HasPrefix(g.ClassLabels[0], sentinelClass))
	data, err = json.Marshal(g)
	require.NoError(t, err)
	assert.Contains(t, string(data), sentinelCat)

	// Redaction: c1..c4, the target "target", warnings by shown name.
	r := FactsOf(prof, "label", FactsOptions{RedactNames: true})
	assert.True(t, r.Redacted)
	assert.Equal(t, "target", r.Target)
	for i, c := range r.Columns {
		assert.Equal(t, "c"+string(rune('1'+i)), c.Name)
		assert.Equal(t, f.Columns[i].Name, c.Original)
	}
	data, err = json.Marshal(r)
	require.NoError(t, err)
	for _, name := range []string{`"num"`, `"cat"`, `"note"`, `"const"`, "label"} {
		assert.NotContains(t, string(data), name)
	}
	assert.Contains(t, r.Warnings, "constant: c4")
	c, ok := r.Column("cat")
	assert.True(t, ok)
	assert.Equal(t, "c2", c.Name)
	assert.Equal(t, "cat", r.realName("c2"))
	assert.Equal(t, "c2", r.shownName("cat"))
	assert.True(t, r.realColumn("cat"))
	assert.False(t, r.realColumn("c2"))

	assert.Equal(t, Facts{}, FactsOf(nil, "", FactsOptions{}))
}

func TestFactsRegression(t *testing.T) {
	fh, err := os.Open("../testdata/airquality.csv")
	require.NoError(t, err)
	defer fh.Close()
	frame, err := dataset.ReadCSV(context.Background(), fh, dataset.CSVOptions{})
	require.NoError(t, err)
	defer frame.Release()
	prof, err := dataset.Analyze(frame, "Ozone")
	require.NoError(t, err)
	f := FactsOf(prof, "", FactsOptions{})
	assert.Equal(t, "Ozone", f.Target)
	assert.Zero(t, f.Classes)
	assert.Empty(t, f.ClassBalance)
	assert.Greater(t, f.TargetSkew, 0.5, "ozone is right-skewed")
	assert.Positive(t, f.MissingShare)
	found := false
	for _, w := range f.Warnings {
		found = found || strings.HasPrefix(w, "target_missing: Ozone (")
	}
	assert.True(t, found, f.Warnings)
}
