package gbdt_test

import (
	"context"
	"fmt"

	"github.com/automl-agent/automl/models"
	"github.com/automl-agent/automl/models/gbdt"
)

func Example() {
	// y = 1 when x0 > 5, whatever x1 is.
	var x0, x1, y []float64
	for i := range 200 {
		x0 = append(x0, float64(i%10))
		x1 = append(x1, float64(i%7))
		if i%10 > 5 {
			y = append(y, 1)
		} else {
			y = append(y, 0)
		}
	}
	m, err := gbdt.New(models.Params{"num_rounds": 20, "min_data_in_leaf": 5})
	if err != nil {
		panic(err)
	}
	d := &models.Data{X: [][]float64{x0, x1}, Y: y, NumClasses: 2}
	if err := m.Fit(context.Background(), d); err != nil {
		panic(err)
	}
	probs := make([]float64, 2*2)
	if err := m.Predict(probs, [][]float64{{2, 8}, {0, 0}}); err != nil {
		panic(err)
	}
	fmt.Printf("P(y=1 | x0=2) = %.2f\nP(y=1 | x0=8) = %.2f\n", probs[1], probs[3])
	imp := m.Importances()
	fmt.Println("x0 matters more:", imp[0] > imp[1])
	// Output:
	// P(y=1 | x0=2) = 0.06
	// P(y=1 | x0=8) = 0.91
	// x0 matters more: true
}
