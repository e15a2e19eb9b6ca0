package dataset_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/dataset"
)

func TestAnalyzeTasks(t *testing.T) {
	mem := checkedMem(t)
	cases := []struct {
		name    string
		build   func(b *dataset.Builder) *dataset.Builder
		task    dataset.Task
		classes []string
		counts  []int
	}{
		{"string binary", func(b *dataset.Builder) *dataset.Builder {
			return b.String("y", []string{"yes", "no", "yes", "yes"}, nil)
		}, dataset.TaskBinary, []string{"no", "yes"}, []int{1, 3}},
		{"bool binary", func(b *dataset.Builder) *dataset.Builder {
			return b.Bool("y", []bool{true, false, true, true}, nil)
		}, dataset.TaskBinary, []string{"false", "true"}, []int{1, 3}},
		{"small ints multiclass sorted numerically", func(b *dataset.Builder) *dataset.Builder {
			return b.Int64("y", []int64{10, 2, 3, 2}, nil)
		}, dataset.TaskMulticlass, []string{"2", "3", "10"}, []int{2, 1, 1}},
		{"large ints regression", func(b *dataset.Builder) *dataset.Builder {
			return b.Int64("y", []int64{326, 1000, 5000, 18000}, nil)
		}, dataset.TaskRegression, nil, nil},
		{"float regression", func(b *dataset.Builder) *dataset.Builder {
			return b.Float64("y", []float64{0.5, 1, 2, 3})
		}, dataset.TaskRegression, nil, nil},
		{"float 0/1 binary", func(b *dataset.Builder) *dataset.Builder {
			return b.Float64("y", []float64{0, 1, 1, math.NaN()})
		}, dataset.TaskBinary, []string{"0", "1"}, []int{1, 2}},
		{"many ints regression", func(b *dataset.Builder) *dataset.Builder {
			v := make([]int64, 40)
			for i := range v {
				v[i] = int64(i % 30)
			}
			return b.Int64("y", v, nil)
		}, dataset.TaskRegression, nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tc.build(dataset.NewBuilder(mem)).Build()
			require.NoError(t, err)
			defer f.Release()
			p, err := dataset.Analyze(f, "y")
			require.NoError(t, err)
			assert.Equal(t, tc.task, p.Task)
			assert.Equal(t, tc.classes, p.Classes)
			assert.Equal(t, tc.counts, p.ClassCounts)
		})
	}
}

func TestAnalyzeTargetErrors(t *testing.T) {
	mem := checkedMem(t)
	f, err := dataset.NewBuilder(mem).
		Float64("x", []float64{1, 2, 3}).
		String("one", []string{"a", "a", "a"}, nil).
		String("none", []string{"", "", ""}, []bool{false, false, false}).
		String("s", []string{"a", "b", "c"}, nil).
		Build()
	require.NoError(t, err)
	defer f.Release()
	cases := []struct {
		target string
		opts   dataset.AnalyzeOptions
		is     []error
		msg    string
	}{
		{"missing", dataset.AnalyzeOptions{}, []error{dataset.ErrTarget, dataset.ErrNoColumn}, `"missing"`},
		{"one", dataset.AnalyzeOptions{}, []error{dataset.ErrTarget}, "single value"},
		{"none", dataset.AnalyzeOptions{}, []error{dataset.ErrTarget}, "no non-null"},
		{"s", dataset.AnalyzeOptions{Task: dataset.TaskRegression}, []error{dataset.ErrTarget}, "numeric"},
		{"s", dataset.AnalyzeOptions{Task: dataset.TaskBinary}, []error{dataset.ErrTarget}, "2 classes"},
		{"x", dataset.AnalyzeOptions{Task: "clustering"}, []error{dataset.ErrInvalid}, "clustering"},
	}
	for _, tc := range cases {
		t.Run(tc.target+"/"+string(tc.opts.Task), func(t *testing.T) {
			_, err := tc.opts.Analyze(f, tc.target)
			require.Error(t, err)
			for _, is := range tc.is {
				assert.ErrorIs(t, err, is)
			}
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
	_, err = dataset.Analyze(nil, "x")
	assert.ErrorIs(t, err, dataset.ErrInvalid)
}

func TestAnalyzeProfile(t *testing.T) {
	mem := checkedMem(t)
	n := 100
	id := make([]int64, n)
	cat := make([]string, n)
	txt := make([]string, n)
	x := make([]float64, n)
	y := make([]string, n)
	leak := make([]string, n)
	cst := make([]bool, n)
	yValid := make([]bool, n)
	for i := range n {
		id[i] = int64(1000 + i)
		cat[i] = []string{"red", "green", "blue"}[i%3]
		txt[i] = "free text number " + string(rune('a'+i%26)) + string(rune('a'+i/26))
		x[i] = float64(i % 7)
		y[i] = []string{"pos", "neg"}[i%2]
		leak[i] = []string{"P", "N"}[i%2]
		cst[i] = true
		yValid[i] = i != 5
	}
	x[3] = math.NaN()
	f, err := dataset.NewBuilder(mem).
		Int64("row", id, nil).
		String("color", cat, nil).
		String("comment", txt, nil).
		Float64("x", x).
		Bool("flag", cst, nil).
		String("leak", leak, nil).
		String("y", y, yValid).
		Build()
	require.NoError(t, err)
	defer f.Release()
	p, err := dataset.AnalyzeOptions{MaxTop: 2}.Analyze(f, "y")
	require.NoError(t, err)
	assert.Equal(t, dataset.TaskBinary, p.Task)
	assert.Equal(t, []string{"neg", "pos"}, p.Classes)
	assert.Equal(t, []int{49, 50}, p.ClassCounts)
	kinds := map[string]dataset.Kind{}
	for _, c := range p.Columns {
		kinds[c.Name] = c.Kind
	}
	assert.Equal(t, map[string]dataset.Kind{
		"row": dataset.KindIdentifier, "color": dataset.KindCategorical, "comment": dataset.KindText,
		"x": dataset.KindNumeric, "flag": dataset.KindConstant, "leak": dataset.KindCategorical, "y": dataset.KindCategorical,
	}, kinds)
	xc, ok := p.Column("x")
	require.True(t, ok)
	assert.Equal(t, 1, xc.Missing)
	assert.InDelta(t, 0.01, xc.MissingRatio, 1e-12)
	assert.Equal(t, 7, xc.Distinct)
	assert.True(t, xc.LowCardinality)
	require.NotNil(t, xc.Mean)
	// Reference: mean and sample std of i%7 for i in 0..99 except i=3.
	var s, s2 float64
	for i := range n {
		if i != 3 {
			v := float64(i % 7)
			s += v
			s2 += v * v
		}
	}
	mean := s / 99
	assert.InDelta(t, mean, *xc.Mean, 1e-12)
	assert.InDelta(t, math.Sqrt((s2-99*mean*mean)/98), *xc.Std, 1e-12)
	assert.Equal(t, 0.0, *xc.Min)
	assert.Equal(t, 6.0, *xc.Max)
	cc, _ := p.Column("color")
	assert.Nil(t, cc.Mean)
	assert.Equal(t, []dataset.ValueCount{{Value: "red", Count: 34}, {Value: "blue", Count: 33}}, cc.Top)

	assert.True(t, p.HasWarning("row", dataset.WarnIdentifier))
	assert.True(t, p.HasWarning("flag", dataset.WarnConstant))
	assert.True(t, p.HasWarning("leak", dataset.WarnLeakage))
	assert.False(t, p.HasWarning("color", dataset.WarnLeakage))
	assert.True(t, p.HasWarning("y", dataset.WarnTargetMissing))
	assert.Equal(t, 1, p.Meta.TargetMissing)
	assert.Equal(t, 6, p.Meta.Features)
	assert.Equal(t, 1, p.Meta.NumericFeatures)
	assert.Equal(t, 1, p.Meta.TextFeatures)
	assert.Equal(t, 1, p.Meta.IdentifierFeatures)
	assert.Equal(t, 1, p.Meta.ConstantFeatures)
	assert.Equal(t, 2, p.Meta.CategoricalFeatures)
	assert.Equal(t, 1, p.Meta.RowsWithMissing)
	assert.InDelta(t, 1.0/600, p.Meta.MissingRatio, 1e-12)
	assert.InDelta(t, 50.0/49, p.Meta.ImbalanceRatio, 1e-12)
	assert.Equal(t, []string{"row", "color", "comment", "x", "flag", "leak"}, p.Features())

	// JSON must marshal (no NaN) and round-trip.
	data, err := json.Marshal(p)
	require.NoError(t, err)
	var back dataset.Profile
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, *p, back)
	assert.Contains(t, p.String(), "leakage")
}

func TestAnalyzeDuplicatesAndRegressionLeak(t *testing.T) {
	mem := checkedMem(t)
	f, err := dataset.NewBuilder(mem).
		Float64("a", []float64{1, 2, 1, 3, 1, 4}).
		String("b", []string{"x", "y", "x", "z", "w", "v"}, nil).
		Float64("copy", []float64{2, 4, 2, 6, 2, 8}).
		Float64("y", []float64{1, 2, 1, 3, 1, 4}).
		Build()
	require.NoError(t, err)
	defer f.Release()
	p, err := dataset.Analyze(f, "y")
	require.NoError(t, err)
	assert.Equal(t, dataset.TaskRegression, p.Task)
	assert.Equal(t, 1, p.Meta.DuplicateRows)
	assert.True(t, p.HasWarning("", dataset.WarnDuplicateRows))
	assert.True(t, p.HasWarning("copy", dataset.WarnLeakage))
	assert.True(t, p.HasWarning("a", dataset.WarnLeakage))
	assert.False(t, p.HasWarning("b", dataset.WarnLeakage))
}

func TestInferKind(t *testing.T) {
	mem := checkedMem(t)
	n := 50
	seq := make([]int64, n)
	small := make([]int64, n)
	uid := make([]string, n)
	for i := range n {
		seq[i] = int64(i + 1)
		small[i] = int64(i % 4)
		uid[i] = "k" + string(rune('A'+i%26)) + string(rune('A'+i/26))
	}
	f, err := dataset.NewBuilder(mem).
		Int64("n", seq, nil).
		Int64("userId", small, nil).
		Int64("small", small, nil).
		String("code", uid, nil).
		String("customer_id", uid, nil).
		Build()
	require.NoError(t, err)
	defer f.Release()
	want := []dataset.Kind{dataset.KindIdentifier, dataset.KindInteger, dataset.KindInteger, dataset.KindIdentifier, dataset.KindIdentifier}
	for j, name := range f.Names() {
		assert.Equal(t, want[j], dataset.InferKind(name, f.Column(j)), name)
	}
	assert.Equal(t, dataset.KindConstant, dataset.InferKind("x", nil))
}

// TestSharedDatasets reads every shared dataset and checks the task the
// profile infers. The files live outside the repository.
func TestSharedDatasets(t *testing.T) {
	const dir = "../../shared/datasets" // the shared folder beside the repository
	if testing.Short() {
		t.Skip("reads shared datasets")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("%s not present", dir)
	}
	cases := []struct {
		file, target string
		task         dataset.Task
		rows         int
	}{
		{"titanic.csv", "survived", dataset.TaskBinary, 891},
		{"penguins.csv", "species", dataset.TaskMulticlass, 344},
		{"tips.csv", "tip", dataset.TaskRegression, 244},
		{"iris.csv", "species", dataset.TaskMulticlass, 150},
		{"mpg.csv", "mpg", dataset.TaskRegression, 398},
		{"diamonds.csv", "price", dataset.TaskRegression, 53940},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			mem := checkedMem(t)
			f, err := dataset.ReadFile(t.Context(), filepath.Join(dir, tc.file), dataset.ReadOptions{Allocator: mem})
			require.NoError(t, err)
			defer f.Release()
			assert.Equal(t, tc.rows, f.NumRows())
			p, err := dataset.Analyze(f, tc.target)
			require.NoError(t, err)
			assert.Equal(t, tc.task, p.Task)
			_, err = json.Marshal(p)
			require.NoError(t, err)
			for _, w := range p.Warnings {
				if w.Code == dataset.WarnLeakage {
					assert.Equal(t, "titanic.csv/alive", tc.file+"/"+w.Column, "unexpected leakage warning")
				}
			}
			if tc.file == "titanic.csv" {
				assert.True(t, p.HasWarning("alive", dataset.WarnLeakage))
				assert.Equal(t, []string{"0", "1"}, p.Classes)
				assert.Equal(t, []int{549, 342}, p.ClassCounts)
			}
			if tc.file == "penguins.csv" {
				assert.Equal(t, []string{"Adelie", "Chinstrap", "Gentoo"}, p.Classes)
			}
		})
	}
}
