package automl

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/evaluate"
	"github.com/automl-agent/automl/internal/testtable"
	"github.com/automl-agent/automl/planner"
)

// temperRun is a binary run of n rows in 5 folds under metric m, with
// labels drawn from a logistic model of the score z.
func temperRun(t *testing.T, n int, m evaluate.Metric) (*run, []float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(4, 2))
	z := make([]float64, n)
	y := make([]float64, n)
	for i := range z {
		z[i] = 3 * rng.NormFloat64()
		if rng.Float64() < 1/(1+math.Exp(-z[i])) {
			y[i] = 1
		}
	}
	splits, err := evaluate.KFold(n, 5, 1)
	require.NoError(t, err)
	r := &run{metric: m, k: 2, oy: y, splits: splits, nfolds: 5}
	foldTargets(r)
	return r, z
}

// probaOf is the binary out-of-fold matrix of sigmoid(scale·z + shift).
func probaOf(z []float64, scale, shift float64) []float64 {
	out := make([]float64, 2*len(z))
	for i, v := range z {
		p := 1 / (1 + math.Exp(-(scale*v + shift)))
		out[2*i], out[2*i+1] = 1-p, p
	}
	return out
}

func scoredTrial(t *testing.T, r *run, id int, oof []float64) *trial {
	t.Helper()
	scores, err := r.foldScores(oof)
	require.NoError(t, err)
	tr := &trial{id: id, status: evaluate.StatusOK, oof: oof, foldScores: scores}
	tr.score, tr.std = meanStd(scores)
	return tr
}

// A model with the right ranking but probabilities 1.8 times too soft
// loses to a miscalibrated-but-sharper one out of fold; tempered, it is
// the better of the two, as the predictor will use it.
func TestTemperTrialsRanksTrialsAsTheyWillPredict(t *testing.T) {
	r, z := temperRun(t, 600, evaluate.LogLoss{})
	soft := scoredTrial(t, r, 1, probaOf(z, 0.55, 0))
	biased := scoredTrial(t, r, 2, probaOf(z, 1.0, 0.4))
	require.True(t, r.better(biased, soft), "untempered, the soft trial ranks lower: %.4f against %.4f", soft.score, biased.score)
	rawSoft := soft.score

	lb := evaluate.NewLeaderboard(r.metric)
	lb.Rows = []evaluate.Row{{ID: 1, Score: soft.score, Note: "(portfolio)"}, {ID: 2, Score: biased.score}}
	r.temperTrials(lb, []*trial{soft, biased})

	assert.InDelta(t, 0.55, soft.temp, 0.08, "the soft trial is sharpened about 1.8x")
	assert.True(t, r.better(soft, biased), "tempered: %.4f against %.4f", soft.score, biased.score)
	assert.Less(t, soft.score, rawSoft)
	assert.Equal(t, soft.score, lb.Rows[0].Score, "its leaderboard row shows the tempered score")
	assert.Contains(t, lb.Rows[0].Note, "(portfolio); probabilities tempered")
	assert.Contains(t, lb.Rows[0].Note, "untempered")
	// The tempered predictions are what it is scored and blended on.
	again, err := r.metric.Score(r.oy, soft.oof, 2, nil)
	require.NoError(t, err)
	pooled, err := r.metric.Score(r.oy, probaOf(z, 0.55, 0), 2, nil)
	require.NoError(t, err)
	assert.Less(t, again, pooled)

	// Tempering twice is a no-op.
	before := soft.score
	r.temperTrials(lb, []*trial{soft})
	assert.Equal(t, before, soft.score)
}

func TestTemperTrialsLeavesBinaryLabelMetricsAUCAndBigTables(t *testing.T) {
	for _, c := range []struct {
		name string
		m    evaluate.Metric
		n    int
	}{
		{"binary accuracy", evaluate.Accuracy{}, 600},
		{"roc_auc", evaluate.ROCAUC{}, 600},
		{"big table", evaluate.LogLoss{}, planner.RefitRows},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, z := temperRun(t, c.n, c.m)
			soft := scoredTrial(t, r, 1, probaOf(z, 0.55, 0))
			score := soft.score
			r.temperTrials(evaluate.NewLeaderboard(c.m), []*trial{soft})
			assert.Zero(t, soft.temp)
			assert.Equal(t, score, soft.score)
		})
	}
}

// Under a label metric on three classes, a trial whose probabilities are
// too soft is tempered as under log loss: its labels, and so its score and
// rank, stay as they are, while its tie-break log loss (what the blend and
// probable compare) is the tempered one.
func TestTemperTrialsUnderLabelMetricsOnThreeClasses(t *testing.T) {
	const n, k = 600, 3
	rng := rand.New(rand.NewPCG(4, 3))
	logits := make([]float64, n*k)
	y := make([]float64, n)
	for i := range n {
		for c := range k {
			logits[i*k+c] = 2.5 * rng.NormFloat64()
		}
		y[i] = float64(draw(rng, softmaxRow(logits[i*k:(i+1)*k], 1)))
	}
	soft := make([]float64, n*k)
	for i := range n {
		copy(soft[i*k:], softmaxRow(logits[i*k:(i+1)*k], 2))
	}
	splits, err := evaluate.KFold(n, 5, 1)
	require.NoError(t, err)
	for _, m := range []evaluate.Metric{evaluate.Accuracy{}, evaluate.F1Macro{}} {
		t.Run(m.Name(), func(t *testing.T) {
			r := &run{metric: m, k: k, oy: y, splits: splits, nfolds: 5}
			foldTargets(r)
			require.True(t, r.tempersTrials())
			tr := scoredTrial(t, r, 1, slices.Clone(soft))
			tr.tie = r.tieBreak(tr.oof)
			score, tie := tr.score, tr.tie
			lb := evaluate.NewLeaderboard(m)
			lb.Rows = []evaluate.Row{{ID: 1, Score: score, Note: "(portfolio)"}}
			r.temperTrials(lb, []*trial{tr})

			assert.InDelta(t, 0.5, tr.temp, 0.08, "the trial is sharpened about 2x")
			assert.Equal(t, score, tr.score, "a temperature keeps every row's label")
			assert.Less(t, tr.tie, tie-0.05, "its log loss is the tempered one: %.4f against %.4f", tr.tie, tie)
			assert.Equal(t, "(portfolio); probabilities tempered (T="+strconv.FormatFloat(tr.temp, 'g', 3, 64)+")", lb.Rows[0].Note)
		})
	}
}

// softmaxRow returns softmax(z/temp).
func softmaxRow(z []float64, temp float64) []float64 {
	out := make([]float64, len(z))
	top := slices.Max(z)
	var sum float64
	for c, v := range z {
		out[c] = math.Exp((v - top) / temp)
		sum += out[c]
	}
	for c := range out {
		out[c] /= sum
	}
	return out
}

// draw returns a class drawn from the probabilities p.
func draw(rng *rand.Rand, p []float64) int {
	u := rng.Float64()
	for c, v := range p {
		if u -= v; u < 0 {
			return c
		}
	}
	return len(p) - 1
}

// A Fit under log loss keeps each member's temperature in the predictor,
// the saved file carries it, and the final temperature never sharpens a
// member past minTemperature overall.
func TestMemberTemperatureIsSavedAndBounded(t *testing.T) {
	train := testtable.Read(t, testtable.CSV(300, "multiclass", 7))
	defer train.Release()
	test := testtable.Read(t, testtable.CSV(100, "multiclass", 8))
	defer test.Release()
	res, err := New(Options{Include: []string{"random_forest", "knn"}, MaxTrials: 6, Seed: 1, Metric: "log_loss", DisableImportance: true}).Fit(t.Context(), train, "target")
	require.NoError(t, err)
	p := res.Predictor
	tempered := 0
	for _, m := range p.members {
		if m.temp > 0 {
			tempered++
			if p.temperature > 0 {
				assert.GreaterOrEqual(t, m.temp*p.temperature, minTemperature-1e-12)
			}
		}
	}
	require.Positive(t, tempered, "a forest's or k-NN's probabilities are too soft here: %s", p)
	noted := 0
	for _, row := range res.Leaderboard.Rows {
		if bytes.Contains([]byte(row.Note), []byte("probabilities tempered")) {
			noted++
		}
	}
	assert.Positive(t, noted)

	preds, err := p.Predict(t.Context(), test)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, p.Save(&buf))
	back, err := Load(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	for i, m := range back.members {
		assert.Equal(t, p.members[i].temp, m.temp)
	}
	again, err := back.Predict(t.Context(), test)
	require.NoError(t, err)
	assert.Equal(t, preds, again)
}
