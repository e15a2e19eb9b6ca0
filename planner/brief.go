package planner

import "github.com/automl-agent/automl/models"

// NewModelInfo describes spec s for a Brief: its space and portfolio, its
// time per portfolio entry (folds fits of shape sh, by the spec's cost
// function before calibration; the first entry alone when folds <= 0
// counts one fit), an Estimate for any configuration and a Check that asks
// the spec's factory. A search that knows its splits better may fill
// Seconds itself.
func NewModelInfo(s models.Spec, sh models.Shape, folds int) ModelInfo {
	folds = max(folds, 1)
	est := func(p models.Params) float64 { return float64(folds) * s.EstimateSeconds(sh, p) }
	m := ModelInfo{Name: s.Name, Input: "native", Space: s.Space, Portfolio: s.Portfolio, Estimate: est}
	if s.Input == models.InputDense {
		m.Input = "dense"
	}
	port := s.Portfolio
	if len(port) == 0 {
		port = []models.Params{{}}
	}
	for _, p := range port {
		m.Seconds = append(m.Seconds, est(p))
	}
	if s.New != nil {
		m.Check = func(p models.Params) (err error) {
			defer func() {
				if r := recover(); r != nil {
					err = models.ErrParam
				}
			}()
			_, err = s.New(p)
			return err
		}
	}
	return m
}
