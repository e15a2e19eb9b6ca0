package evaluate_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"

	"github.com/automl-agent/automl/evaluate"
	"github.com/automl-agent/automl/models"
)

func ExampleMetricByName() {
	m, err := evaluate.MetricByName("roc_auc")
	if err != nil {
		panic(err)
	}
	y := []float64{0, 0, 1, 1}
	proba := []float64{ // two classes, row-major
		0.9, 0.1,
		0.4, 0.6,
		0.65, 0.35,
		0.2, 0.8,
	}
	s, _ := m.Score(y, proba, 2, nil)
	fmt.Printf("%s = %.2f (higher is better: %v)\n", m.Name(), s, m.Greater())
	// Output: roc_auc = 0.75 (higher is better: true)
}

func ExampleTuneThreshold() {
	y := []float64{0, 0, 0, 1, 1, 0, 1, 1}
	p1 := []float64{0.05, 0.1, 0.2, 0.3, 0.35, 0.4, 0.45, 0.9}
	t, f1, err := evaluate.TuneThreshold(y, p1, nil, evaluate.F1{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("threshold %.3f gives F1 %.3f\n", t, f1)
	// Output: threshold 0.250 gives F1 0.889
}

func ExampleStratifiedKFold() {
	y := []float64{0, 0, 0, 0, 1, 1, 1, 1, 1, 1}
	splits, err := evaluate.StratifiedKFold(y, 2, 2, 42)
	if err != nil {
		panic(err)
	}
	for _, s := range splits {
		ones := 0
		for _, i := range s.Test {
			ones += int(y[i])
		}
		fmt.Printf("test %d rows, %d of class 1\n", len(s.Test), ones)
	}
	// Output:
	// test 5 rows, 3 of class 1
	// test 5 rows, 3 of class 1
}

// meanModel predicts the training mean: the simplest models.Model.
type meanModel struct{ mean float64 }

func (m *meanModel) Fit(_ context.Context, d *models.Data) error {
	m.mean = 0
	for _, y := range d.Y {
		m.mean += y
	}
	m.mean /= float64(len(d.Y))
	return nil
}

func (m *meanModel) Predict(dst []float64, X [][]float64) error {
	for i := range X[0] {
		dst[i] = m.mean
	}
	return nil
}

func ExampleCrossValidate() {
	d := &models.Data{
		X: [][]float64{{1, 2, 3, 4, 5, 6}},
		Y: []float64{1, 2, 3, 4, 5, 6},
	}
	splits, _ := evaluate.KFold(6, 3, 1)
	res, err := evaluate.CrossValidate(context.Background(), d, splits,
		func() (models.Model, error) { return &meanModel{}, nil }, evaluate.MAE{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d fold models, %d out-of-fold predictions, OOF MAE %.3f\n",
		len(res.Models), len(res.OOF), res.OOFScore)
	// Output: 3 fold models, 6 out-of-fold predictions, OOF MAE 2.000
}

func ExampleLeaderboard() {
	lb := evaluate.NewLeaderboard(evaluate.RMSE{})
	lb.Add(
		evaluate.Row{ID: 0, Model: "linear", Score: 3.2, Std: 0.1},
		evaluate.Row{ID: 1, Model: "gbdt", Score: 2.9, Std: 0.2},
		evaluate.Row{ID: 2, Model: "knn", Score: math.NaN(), Status: evaluate.StatusFailed, Error: "no rows"},
	)
	lb.Sort()
	best, _ := lb.Best()
	fmt.Println("best:", best.Model)
	b, _ := json.Marshal(lb.Rows[2])
	fmt.Println(string(b))
	// Output:
	// best: gbdt
	// {"id":2,"model":"knn","score":null,"std":0,"fit_seconds":0,"predict_seconds_per_1k":0,"status":"failed","error":"no rows"}
}
