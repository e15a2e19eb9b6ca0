// Package testtable holds the synthetic table and the small helpers that
// the tests of several packages share (the root package, server and the
// temporal module), so that they train on the same data and compare
// leaderboards the same way. It is imported by tests only.
package testtable

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/evaluate"
)

// CSV writes n rows of a synthetic table: numeric x1..x3 (x3 with
// missing values), a categorical "color", and a target. kind is "binary",
// "multiclass" or "regression".
func CSV(n int, kind string, seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 7))
	var b strings.Builder
	b.WriteString("x1,x2,x3,color,target\n")
	colors := []string{"red", "green", "blue", "grey"}
	for range n {
		x1, x2, x3 := rng.NormFloat64(), rng.NormFloat64(), rng.Float64()*4
		c := rng.IntN(len(colors))
		signal := 1.5*x1 - x2 + []float64{1, -1, 0.5, 0}[c] + 0.3*x3
		x3s := fmt.Sprintf("%.4f", x3)
		if rng.IntN(10) == 0 {
			x3s = ""
		}
		var t string
		switch kind {
		case "binary":
			if signal+0.5*rng.NormFloat64() > 0.3 {
				t = "yes"
			} else {
				t = "no"
			}
		case "multiclass":
			switch v := signal + 0.5*rng.NormFloat64(); {
			case v < -0.5:
				t = "low"
			case v < 1.2:
				t = "mid"
			default:
				t = "high"
			}
		default:
			t = fmt.Sprintf("%.4f", 3*signal+x1*x2+0.3*rng.NormFloat64())
		}
		fmt.Fprintf(&b, "%.4f,%.4f,%s,%s,%s\n", x1, x2, x3s, colors[c], t)
	}
	return b.String()
}

// Read parses CSV text into a Frame, failing the test on error.
func Read(t testing.TB, text string) *dataset.Frame {
	t.Helper()
	f, err := dataset.ReadCSV(context.Background(), strings.NewReader(text), dataset.CSVOptions{})
	require.NoError(t, err)
	return f
}

// LeaderboardJSON returns the leaderboard's JSON with the wall-clock
// fields zeroed: they measure time, the rest must not vary.
func LeaderboardJSON(t testing.TB, lb *evaluate.Leaderboard) string {
	t.Helper()
	b, err := json.Marshal(lb.WithoutTimings())
	require.NoError(t, err)
	return string(b)
}

// SyncBuffer is a bytes.Buffer safe for concurrent writes (a logger's, a
// child process's output).
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
