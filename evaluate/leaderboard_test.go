package evaluate

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sampleBoard(m Metric) *Leaderboard {
	lb := NewLeaderboard(m)
	lb.Add(
		Row{ID: 3, Model: "knn", Score: 0.80, Std: 0.02, FitSeconds: 0.5, Params: map[string]any{"k": 15}},
		Row{ID: 1, Model: "gbdt", Score: 0.85, Std: 0.01, FoldScores: []float64{0.84, 0.86}, FitSeconds: 2,
			Params: map[string]any{"learning_rate": 0.05, "num_leaves": 31.0}},
		Row{ID: 2, Model: "rf", Status: StatusFailed, Score: math.NaN(), Std: math.NaN(), Error: "boom"},
		Row{ID: 4, Model: "logistic", Score: 0.85, FitSeconds: 0.1},
		Row{ID: 5, Model: "mlp", Status: StatusTimeout, Score: math.NaN()},
		Row{ID: 6, Model: "ensemble", Score: 0.87, Members: []Member{{ID: 1, Model: "gbdt", Weight: 0.6}, {ID: 4, Model: "logistic", Weight: 0.4}}},
		Row{ID: 7, Model: "nb", Score: math.NaN()},
	)
	return lb
}

func ids(lb *Leaderboard) []int {
	out := make([]int, len(lb.Rows))
	for i, r := range lb.Rows {
		out[i] = r.ID
	}
	return out
}

func TestLeaderboardSort(t *testing.T) {
	lb := sampleBoard(Accuracy{})
	best, ok := lb.Best()
	require.True(t, ok)
	assert.Equal(t, 6, best.ID)
	lb.Sort()
	assert.Equal(t, []int{6, 1, 4, 3, 7, 5, 2}, ids(lb), "score desc, ID tie-break, NaN ok, timeout, failed")

	lb = sampleBoard(LogLoss{})
	lb.Sort()
	assert.Equal(t, []int{3, 1, 4, 6, 7, 5, 2}, ids(lb), "a loss sorts ascending")
	best, ok = lb.Best()
	require.True(t, ok)
	assert.Equal(t, 3, best.ID)

	empty := NewLeaderboard(RMSE{})
	empty.Add(Row{ID: 1, Status: StatusFailed})
	_, ok = empty.Best()
	assert.False(t, ok)
	assert.Equal(t, StatusOK, sampleBoard(RMSE{}).Rows[0].Status, "Add fills an empty status")
}

func TestLeaderboardJSON(t *testing.T) {
	lb := sampleBoard(Accuracy{})
	lb.Rows[0].FoldScores = []float64{0.8, math.NaN()}
	b, err := json.Marshal(lb)
	require.NoError(t, err)
	s := string(b)
	assert.True(t, strings.HasPrefix(s, `{"version":1,"metric":"accuracy","greater":true,"rows":[`), s)
	assert.NotContains(t, s, "NaN")
	assert.Contains(t, s, `"fold_scores":[0.8,null]`)

	var back Leaderboard
	require.NoError(t, json.Unmarshal(b, &back))
	require.Len(t, back.Rows, len(lb.Rows))
	assert.Equal(t, 1, back.Version)
	assert.True(t, math.IsNaN(back.Rows[2].Score))
	assert.True(t, math.IsNaN(back.Rows[0].FoldScores[1]))
	assert.Equal(t, lb.Rows[5].Members, back.Rows[5].Members)
	assert.Equal(t, lb.Rows[1].Params, back.Rows[1].Params)
	assert.Equal(t, "boom", back.Rows[2].Error)

	// A missing score decodes as NaN, not 0.
	var r Row
	require.NoError(t, json.Unmarshal([]byte(`{"id":9,"model":"x","status":"failed"}`), &r))
	assert.True(t, math.IsNaN(r.Score))

	err = json.Unmarshal([]byte(`{"version":2,"rows":[]}`), &back)
	assert.ErrorIs(t, err, ErrInput)

	b, err = json.Marshal(Leaderboard{Metric: "rmse"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"version":1,"metric":"rmse","greater":false,"rows":[]}`, string(b))
}

func TestLeaderboardString(t *testing.T) {
	lb := sampleBoard(Accuracy{})
	lb.Sort()
	s := lb.String()
	lines := strings.Split(strings.TrimSpace(s), "\n")
	require.Len(t, lines, 2+len(lb.Rows))
	assert.Contains(t, lines[0], "accuracy (higher is better)")
	assert.Contains(t, lines[1], "rank")
	assert.Contains(t, lines[2], "ensemble")
	assert.Contains(t, lines[2], "gbdt#1×0.60 + logistic#4×0.40")
	assert.Contains(t, lines[3], "0.8500 ± 0.0100")
	assert.Contains(t, lines[3], "learning_rate=0.05 num_leaves=31")
	assert.Contains(t, lines[len(lines)-1], "boom")
	// Columns are aligned: "model" starts at the same offset on every line.
	col := strings.Index(lines[1], "model")
	assert.Equal(t, "ensemble", lines[2][col:col+len("ensemble")])
}

func TestWithoutTimings(t *testing.T) {
	lb := &Leaderboard{Metric: "rmse", Rows: []Row{{ID: 1, Model: "m", Score: 2, FitSeconds: 1, PredictSecondsPer1k: 2, EstimatedSeconds: 3, WallSeconds: 4}}}
	c := lb.WithoutTimings()
	assert.Equal(t, []Row{{ID: 1, Model: "m", Score: 2}}, c.Rows)
	assert.Equal(t, 4.0, lb.Rows[0].WallSeconds, "the original keeps its timings")
}
