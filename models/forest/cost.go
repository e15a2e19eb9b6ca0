package forest

import (
	"math"

	"github.com/automl-agent/automl/models"
)

// seconds returns the models.SecondsFunc of one kind: per tree, each
// (sampled) row is visited once per tried feature at each level, the
// depth about 1.3 log2(rows per tree / rows per leaf) (trees are not
// balanced), and every node scans the bins of its tried features
// (checked against measured times with bench/cost and the leaderboard's
// estimate column).
func seconds(kind Kind) models.SecondsFunc {
	return func(s models.Shape, p models.Params) float64 {
		c, err := ConfigFromParams(kind, p)
		if err != nil {
			c = Config{Kind: kind}
		}
		if c.MinSamplesLeaf == 0 && s.Classes == 0 && s.Rows > largeRegression {
			c.MinSamplesLeaf = 5
		}
		c = c.withDefaults()
		n := float64(max(s.Rows, 1))
		f := max(s.Features, 1)
		tries := float64(c.tries(f, s.Classes))
		rows := n * c.MaxSamples
		if c.bootstrap() {
			rows *= 0.632 // distinct rows of a bootstrap sample
		}
		leafRows := float64(c.MinSamplesLeaf)
		depth := 1.3 * models.Log2(rows/leafRows)
		if c.MaxDepth > 0 {
			depth = min(depth, float64(c.MaxDepth))
		}
		nodes := min(2*rows/leafRows, math.Exp2(depth+1))
		// Measured with bench/cost (20 features, 5,000 and 40,000 rows),
		// relative to the GBDT's constants.
		perRow := 1.2e-8
		switch kind {
		case ExtraTrees:
			perRow = 6e-9 // one random threshold per feature, no histogram scan
		case CART:
			perRow = 4e-9
		}
		// Each split scans the bins of every tried feature. Classification
		// trees reach pure leaves long before the row limit, so their rows
		// are visited at fewer levels and their nodes hardly cost a scan
		// (measured on the speed kit's 160,000-row tables: the scan term
		// over-estimated a classification forest fifteen times).
		scan := 0.75e-9 * 256
		if s.Classes > 0 {
			perRow *= 0.5
			scan *= 0.05
		}
		perTree := perRow*rows*tries*depth + scan*nodes*tries
		trees := float64(c.Trees)
		fit := trees * perTree / models.ParallelSpeedup(s.Threads)
		pred := float64(s.Predict) * trees * depth * 5e-9 / models.ParallelSpeedup(s.Threads)
		return 2e-3 + fit + pred
	}
}
