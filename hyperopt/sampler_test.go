package hyperopt

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRandom(t *testing.T) {
	r := Random{Space: toySpace}
	got, err := r.Next(rand.New(rand.NewPCG(5, 6)), 0, nil)
	require.NoError(t, err)
	assert.Equal(t, toySpace.Sample(rand.New(rand.NewPCG(5, 6))), got)

	for _, bad := range []Space{
		{{Name: "", Kind: Float}},
		{{Name: "a", Kind: Float, Low: 2, High: 1}},
		{{Name: "a", Kind: Categorical}},
		{{Name: "a", Kind: Float, Low: 0, High: 1, Log: true}},
		{{Name: "a", Kind: Float, Low: math.NaN(), High: 1}},
		{{Name: "a", Kind: Float, Cond: &Cond{Param: "b"}}},
		{{Name: "a", Kind: Float}, {Name: "a", Kind: Int}},
		{{Name: "a", Kind: Kind(9)}},
	} {
		_, err := Random{Space: bad}.Next(rand.New(rand.NewPCG(1, 1)), 0, nil)
		assert.ErrorIs(t, err, ErrSpace, "%+v", bad)
	}
}

func TestPortfolio(t *testing.T) {
	p := Portfolio{Configs: []map[string]any{{"a": 1}, {"a": 2}}}
	rng := rand.New(rand.NewPCG(1, 1))
	cfg, err := p.Next(rng, 1, nil)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"a": 2}, cfg)
	cfg["a"] = 99
	assert.Equal(t, 2, p.Configs[1]["a"], "proposals are copies")
	_, err = p.Next(rng, 2, nil)
	assert.ErrorIs(t, err, ErrExhausted)
	_, err = p.Next(rng, -1, nil)
	assert.ErrorIs(t, err, ErrExhausted)

	p.Then = SamplerFunc(func(_ *rand.Rand, trial int, _ []Observation) (map[string]any, error) {
		return map[string]any{"then": trial}, nil
	})
	cfg, err = p.Next(rng, 5, nil)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"then": 5}, cfg)
}

func TestObservationFailed(t *testing.T) {
	assert.False(t, Observation{Loss: 1}.Failed())
	assert.True(t, Observation{Loss: math.NaN()}.Failed())
	assert.True(t, Observation{Loss: math.Inf(1)}.Failed())
	assert.True(t, Observation{Loss: math.Inf(-1)}.Failed())
	assert.True(t, Observation{Loss: 1, Err: errOdd}.Failed())
}

func TestDefaultSampler(t *testing.T) {
	s := DefaultSampler(toySpace)
	tpe, ok := s.(*TPE)
	require.True(t, ok)
	assert.Equal(t, 10, tpe.withDefaults().Startup)
	assert.Equal(t, 24, tpe.withDefaults().Candidates)
}
