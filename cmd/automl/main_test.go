package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(t.Context(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestFitPredictCSV(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.automl")
	preds := filepath.Join(dir, "preds.csv")
	code, out, errs := runCLI(t, "fit", "--data", "../../testdata/infert.csv", "--target", "case",
		"--max-trials", "8", "--budget", "30s", "--seed", "1", "--out", model, "--drop", "stratum,pooled.stratum")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "rank")
	assert.Contains(t, out, "saved "+model)
	assert.Contains(t, errs, "phase search")

	code, _, errs = runCLI(t, "predict", "--model", model, "--data", "../../testdata/infert.csv", "--out", preds)
	require.Equal(t, 0, code, errs)
	f, err := os.Open(preds)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, []string{"prediction", "proba_0", "proba_1"}, rows[0])
	assert.Len(t, rows, 249) // header + 248 rows, in input order
}

func TestFitJSONRegressionWithMissingTarget(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.automl")
	// airquality's target Ozone has missing values: those rows are left out.
	code, out, errs := runCLI(t, "fit", "--data", "../../testdata/airquality.csv", "--target", "Ozone",
		"--max-trials", "6", "--budget", "30s", "--out", model, "--json")
	require.Equal(t, 0, code, errs)
	var res struct {
		Profile struct {
			Task string `json:"task"`
		} `json:"profile"`
		Leaderboard struct {
			Version int `json:"version"`
			Rows    []struct {
				Model  string `json:"model"`
				Status string `json:"status"`
			} `json:"rows"`
		} `json:"leaderboard"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, "regression", res.Profile.Task)
	assert.Equal(t, 1, res.Leaderboard.Version)
	assert.NotEmpty(t, res.Leaderboard.Rows)

	// Predict on rows without the target column at all.
	code, out, errs = runCLI(t, "predict", "--model", model, "--data", "../../testdata/airquality.csv")
	require.Equal(t, 0, code, errs)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	assert.Equal(t, "prediction", lines[0])
	assert.Len(t, lines, 154)
}

func TestProfile(t *testing.T) {
	code, out, errs := runCLI(t, "profile", "--data", "../../testdata/mtcars.csv", "--target", "mpg")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "regression")
	code, out, _ = runCLI(t, "profile", "--data", "../../testdata/esoph.csv", "--json")
	require.Equal(t, 0, code)
	assert.True(t, json.Valid([]byte(out)))
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.automl")
	require.NoError(t, os.WriteFile(junk, []byte("not a model"), 0o644))
	ragged := filepath.Join(dir, "ragged.csv")
	require.NoError(t, os.WriteFile(ragged, []byte("a,b\n1,2\n3\n"), 0o644))
	cases := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no command", nil, 2, ""},
		{"unknown command", []string{"train"}, 2, "unknown command"},
		{"bad flag", []string{"fit", "--nope"}, 2, "nope"},
		{"fit without target", []string{"fit", "--data", "x.csv"}, 2, "--target"},
		{"missing file", []string{"fit", "--data", filepath.Join(dir, "none.csv"), "--target", "y"}, 1, "none.csv"},
		{"ragged csv", []string{"profile", "--data", ragged}, 1, "line 3"},
		{"unknown target", []string{"fit", "--data", "../../testdata/mtcars.csv", "--target", "nope", "--max-trials", "2"}, 1, "nope"},
		{"unknown format", []string{"profile", "--data", "main.go"}, 1, "format"},
		{"corrupt model", []string{"predict", "--model", junk, "--data", "../../testdata/mtcars.csv"}, 1, "model file"},
		{"bad metric", []string{"fit", "--data", "../../testdata/mtcars.csv", "--target", "mpg", "--metric", "accuracy"}, 1, "accuracy"},
		{"bad memory cap", []string{"fit", "--data", "../../testdata/mtcars.csv", "--target", "mpg", "--max-memory", "lots"}, 2, "--max-memory"},
		{"memory cap under the data", []string{"fit", "--data", "../../testdata/mtcars.csv", "--target", "mpg", "--max-memory", "1KB", "--max-trials", "2"}, 1, "MaxMemory"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, errs := runCLI(t, c.args...)
			assert.Equal(t, c.code, code)
			if c.msg != "" {
				lines := strings.Split(strings.TrimSpace(errs), "\n")
				last := lines[len(lines)-1]
				assert.Contains(t, last, c.msg, "the error is one line, last on stderr")
				assert.True(t, strings.HasPrefix(last, "automl: ") && !strings.HasPrefix(last, "automl: automl:"), last)
			}
		})
	}
}

func TestFitPrintsProfileWarnings(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "rare.csv")
	var b strings.Builder
	b.WriteString("x,constant,y\n")
	for i := range 40 {
		label := "common"
		if i == 7 {
			label = "rare"
		}
		b.WriteString(strings.Repeat("1", 1+i%3) + ",k," + label + "\n")
	}
	require.NoError(t, os.WriteFile(data, []byte(b.String()), 0o600))
	code, _, errs := runCLI(t, "fit", "--data", data, "--target", "y", "--max-trials", "3",
		"--out", filepath.Join(dir, "m.automl"))
	require.Equal(t, 0, code, errs)
	assert.Contains(t, errs, `warning: column "y": class "rare" has 1 row, fewer than the 5 cross-validation folds`)
	assert.Contains(t, errs, `warning: column "constant": a single value`)
}

func TestHelpListsFlags(t *testing.T) {
	for _, cmd := range []string{"profile", "fit", "predict"} {
		code, out, errs := runCLI(t, cmd, "-h")
		assert.Equal(t, 0, code, errs)
		assert.Contains(t, out, "usage: automl "+cmd)
		assert.Contains(t, out, "-data")
	}
	_, out, _ := runCLI(t, "fit", "--help")
	assert.Contains(t, out, "-max-predict-per-1k")
	assert.Contains(t, out, "-group")
	assert.Contains(t, out, "-max-memory")
}

func TestFitBudgetCoversReadingAndSaving(t *testing.T) {
	got, err := fitBudget(60*time.Second, 3*time.Second)
	require.NoError(t, err)
	assert.Equal(t, 60*time.Second-3*time.Second-1800*time.Millisecond, got, "3% kept for saving")
	got, err = fitBudget(5*time.Second, 0)
	require.NoError(t, err)
	assert.Equal(t, 4800*time.Millisecond, got, "at least 0.2 s kept")
	got, err = fitBudget(time.Hour, 0)
	require.NoError(t, err)
	assert.Equal(t, time.Hour-5*time.Second, got, "at most 5 s kept")
	got, err = fitBudget(0, time.Minute)
	require.NoError(t, err)
	assert.Zero(t, got, "no budget, no limit")
	_, err = fitBudget(10*time.Second, 10*time.Second)
	assert.ErrorContains(t, err, "nothing is left to fit")
}
