package bayes

import "github.com/automl-agent/automl/models"

// seconds estimates "gaussian_nb" (models.SecondsFunc): one pass over rows
// × features to fit, one per class to predict.
func seconds(s models.Shape, _ models.Params) float64 {
	k := float64(max(s.Classes, 1))
	f := float64(max(s.Features, 1))
	return 1e-3 + 3e-9*float64(s.Rows)*f + 5e-9*float64(s.Predict)*f*k
}
