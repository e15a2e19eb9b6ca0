package gbdt

import (
	"math"

	"github.com/automl-agent/automl/models"
)

// Seconds is the "gbdt" spec's cost estimate (models.SecondsFunc): per
// tree, histogram building visits each sampled row and feature about
// 1 + log2(leaves)/2 times (the smaller child is built, the larger one
// subtracted); split finding scans the bins of every leaf; multiclass grows
// one tree per class and round. With early stopping on (enough rows), the
// rounds are a guess (40 / learning_rate, at most max_rounds); the search
// corrects it with the times of finished trials.
func Seconds(s models.Shape, p models.Params) float64 {
	c, err := parseConfig(p)
	if err != nil {
		c, _ = parseConfig(nil)
	}
	n := float64(max(s.Rows, 1))
	f := float64(max(s.Features, 1))
	rounds := float64(c.rounds)
	if c.earlyStop > 0 && s.Rows >= c.esMinRows {
		// Up to max_rounds, stopping when the validation loss stalls: a
		// guess that grows as the learning rate shrinks.
		rounds = min(float64(c.maxRounds), max(100, 40/c.lr))
	}
	leaves := float64(c.maxLeaves)
	if c.maxDepth > 0 {
		leaves = min(leaves, math.Exp2(float64(c.maxDepth)))
	}
	leaves = max(2, min(leaves, n/float64(max(c.minDataInLeaf, 1))))
	trees := 1.0
	if s.Classes > 2 {
		trees = float64(s.Classes)
	}
	rows := n * c.bagging
	feats := f * c.featureFraction
	hist := rows * feats * (1 + 0.5*models.Log2(leaves))
	scan := leaves * feats * 256
	update := n * (2 + models.Log2(leaves))
	perTree := 1.4e-9*hist + 2e-9*scan + 3e-9*update
	fit := rounds * trees * perTree / models.ParallelSpeedup(s.Threads)
	pred := float64(s.Predict) * rounds * trees * models.Log2(leaves) * 2e-9
	return 2e-3 + fit + pred
}
