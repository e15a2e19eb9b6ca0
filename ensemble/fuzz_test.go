package ensemble

import (
	"testing"
)

// FuzzUnmarshal checks that decoding arbitrary bytes never panics, and
// that whatever decodes can predict without panicking.
func FuzzUnmarshal(f *testing.F) {
	f.Add([]byte(`{"version":1,"score":0.5,"lambda":0.01,"num_classes":2,"members":1,"x_cols":0,"mean":[0],"scale":[1],"model":{"k":2,"p":1,"coef":[1,-1],"intercept":[0,0]}}`))
	f.Add([]byte(`{"version":1,"num_classes":0,"members":2,"x_cols":1,"mean":[0,0,0],"scale":[1,1,1],"model":{"k":0,"p":3,"coef":[1,2,3],"intercept":[0]}}`))
	f.Add([]byte(`{"weights":[0.5,0.5],"score":1}`))
	f.Add([]byte(`{"t":2}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Stacker
		if s.UnmarshalBinary(b) == nil {
			k := width(s.numClasses)
			preds := make([][]float64, s.members)
			for j := range preds {
				preds[j] = make([]float64, 2*k)
				for i := range preds[j] {
					preds[j][i] = 1 / float64(k)
				}
			}
			X := make([][]float64, s.xCols)
			for j := range X {
				X[j] = []float64{1, 2}
			}
			_ = s.Predict(make([]float64, 2*k), preds, X)
		}
		var w Weighted
		if w.UnmarshalBinary(b) == nil {
			preds := make([][]float64, len(w.Weights))
			for j := range preds {
				preds[j] = []float64{1, 2}
			}
			_ = w.Combine(make([]float64, 2), preds)
		}
		var tp Temperature
		if tp.UnmarshalBinary(b) == nil {
			_ = tp.Apply(make([]float64, 2), []float64{0.3, 0.7}, 2)
		}
	})
}
