package ensemble

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/evaluate"
)

func TestGreedyFromKeepsTheInitialEnsemble(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	s, y := binaryTask(r, 400, 2)
	// Member 0 is good, 1 and 2 are weak: plain greedy gives the weak
	// ones little or no weight.
	oof := [][]float64{binaryMember(r, s, 1, 0.3), binaryMember(r, s, 0.2, 2), binaryMember(r, s, 0.2, 2)}
	plain, err := Greedy(oof, y, nil, 2, evaluate.LogLoss{}, 10)
	require.NoError(t, err)
	nilInit, err := GreedyFrom(oof, y, nil, 2, evaluate.LogLoss{}, 10, nil)
	require.NoError(t, err)
	assert.Equal(t, plain, nilInit, "no initial members is Greedy")

	e, err := GreedyFrom(oof, y, nil, 2, evaluate.LogLoss{}, 10, []int{0, 0, 2})
	require.NoError(t, err)
	sum := 0.0
	for _, w := range e.Weights {
		sum += w
	}
	assert.InDelta(t, 1, sum, 1e-12)
	assert.Positive(t, e.Weights[2], "the cut back never drops an initial member")
	assert.Greater(t, e.Weights[0], e.Weights[2], "member 0 entered twice and is the better one")
	assert.Less(t, e.Weights[2], 1.0/3+1e-12, "later rounds add the good member, not the weak one")
	// Its score is the blend's, recomputed.
	blend := make([]float64, len(oof[0]))
	require.NoError(t, e.Combine(blend, oof))
	ll, err := evaluate.LogLoss{}.Score(y, blend, 2, nil)
	require.NoError(t, err)
	assert.InDelta(t, ll, e.Score, 1e-9)

	// Zero rounds means DefaultRounds after the initial members.
	d, err := GreedyFrom(oof, y, nil, 2, evaluate.LogLoss{}, 0, []int{1})
	require.NoError(t, err)
	assert.Positive(t, d.Weights[1])

	_, err = GreedyFrom(oof, y, nil, 2, evaluate.LogLoss{}, 5, []int{0, 3})
	assert.ErrorIs(t, err, ErrInput, "an initial member out of range")
	_, err = GreedyFrom(oof, y, nil, 2, evaluate.LogLoss{}, 5, []int{-1})
	assert.ErrorIs(t, err, ErrInput)
}
