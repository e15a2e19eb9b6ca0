package automl

import (
	"github.com/automl-agent/automl/models"

	// The model packages register themselves into models.Default().
	_ "github.com/automl-agent/automl/models/baseline"
	_ "github.com/automl-agent/automl/models/bayes"
	_ "github.com/automl-agent/automl/models/forest"
	_ "github.com/automl-agent/automl/models/gbdt"
	_ "github.com/automl-agent/automl/models/knn"
	_ "github.com/automl-agent/automl/models/linear"
)

// priorSpec is the baseline model's spec from the default registry, used
// when a custom registry has no "prior".
var priorSpec = func() models.Spec {
	s, err := models.Default().Spec(baselineModel)
	if err != nil {
		panic("automl: models/baseline did not register " + baselineModel)
	}
	return s
}()

// baselineSpec returns reg's "prior", or the default registry's when reg
// has none.
func baselineSpec(reg *models.Registry) models.Spec {
	if s, err := reg.Spec(baselineModel); err == nil {
		return s
	}
	return priorSpec
}
