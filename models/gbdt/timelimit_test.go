package gbdt

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/models"
)

// time_limit stops adding rounds once spent (here at once: one round),
// 0 runs every round, and a bad value is a param error.
func TestTimeLimit(t *testing.T) {
	d := synth(2000, 4, 0, false, 3)
	full := fit(t, d, models.Params{"num_rounds": 40})
	assert.Equal(t, 40, full.NumTrees())
	capped := fit(t, d, models.Params{"num_rounds": 40, "time_limit": 1e-9})
	assert.Equal(t, 1, capped.NumTrees())
	for _, bad := range []any{-1.0, "soon"} {
		_, err := New(models.Params{"time_limit": bad})
		require.ErrorIs(t, err, models.ErrParam, "%v", bad)
	}
}
