package forest

import (
	"github.com/automl-agent/automl/hyperopt"
	"github.com/automl-agent/automl/models"
)

func init() {
	reg := models.Default()
	ensemble := hyperopt.Space{
		{Name: "max_features", Kind: hyperopt.Categorical, Choices: []any{"sqrt", "log2", 0.3, 0.5, 0.7, 1.0}},
		{Name: "min_samples_leaf", Kind: hyperopt.Int, Low: 1, High: 30, Log: true},
		{Name: "max_depth", Kind: hyperopt.Categorical, Choices: []any{0, 8, 12, 20}},
		{Name: "n_estimators", Kind: hyperopt.Int, Low: 50, High: 300, Log: true},
	}
	reg.MustRegister(models.Spec{
		Name:  RandomForest.String(),
		New:   func(p models.Params) (models.Model, error) { return NewRandomForest(p) },
		Tasks: models.Regression | models.Classification,
		Input: models.InputNative,
		Space: append(ensemble, hyperopt.Param{Name: "bootstrap", Kind: hyperopt.Categorical, Choices: []any{true, false}}),
		Portfolio: []models.Params{
			{},
			{"max_features": 0.5, "min_samples_leaf": 2},
			{"max_features": "log2", "min_samples_leaf": 5, "n_estimators": 200},
			{"max_features": 1.0, "min_samples_leaf": 3, "max_samples": 0.7},
		},
		Seconds: seconds(RandomForest),
		Threads: "n_jobs",
		Binned:  true,
		Seed:    "seed",
		Cost:    50, // measured: 100 trees ~ 30x (classification) to 55-75x (regression) one CART
	})
	reg.MustRegister(models.Spec{
		Name:  ExtraTrees.String(),
		New:   func(p models.Params) (models.Model, error) { return NewExtraTrees(p) },
		Tasks: models.Regression | models.Classification,
		Input: models.InputNative,
		Space: ensemble,
		Portfolio: []models.Params{
			{},
			{"max_features": 0.7, "min_samples_leaf": 2},
			{"max_features": 1.0, "min_samples_leaf": 5, "n_estimators": 200},
		},
		Seconds: seconds(ExtraTrees),
		Threads: "n_jobs",
		Binned:  true,
		Seed:    "seed",
		Cost:    60, // measured: 100 trees ~ 45x (classification) to 80-90x (regression) one CART
	})
	reg.MustRegister(models.Spec{
		Name:  CART.String(),
		New:   func(p models.Params) (models.Model, error) { return NewCART(p) },
		Tasks: models.Regression | models.Classification,
		Input: models.InputNative,
		Space: hyperopt.Space{
			{Name: "max_depth", Kind: hyperopt.Int, Low: 2, High: 20},
			{Name: "min_samples_leaf", Kind: hyperopt.Int, Low: 1, High: 50, Log: true},
			{Name: "min_impurity_decrease", Kind: hyperopt.Float, Low: 1e-6, High: 1e-2, Log: true},
		},
		Portfolio: []models.Params{
			{},
			{"max_depth": 6, "min_samples_leaf": 5},
			{"max_depth": 10, "min_samples_leaf": 2, "min_impurity_decrease": 1e-4},
		},
		Seconds: seconds(CART),
		Binned:  true,
		Seed:    "seed",
		Cost:    1,
	})
}
