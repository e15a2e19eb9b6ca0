package forest

import (
	"fmt"
	"math"
	"strconv"

	"github.com/automl-agent/automl/models"
)

// Kind selects the tree-ensemble algorithm.
type Kind uint8

// Algorithms.
const (
	// RandomForest grows trees on bootstrap samples, choosing the best
	// threshold among MaxFeatures random features at each node (Breiman 2001).
	RandomForest Kind = iota + 1
	// ExtraTrees grows trees on all rows, drawing one random threshold per
	// candidate feature and keeping the best of those (Geurts et al. 2006).
	ExtraTrees
	// CART grows a single tree on all rows and all features.
	CART
)

// String returns the registry name of k.
func (k Kind) String() string {
	switch k {
	case RandomForest:
		return "random_forest"
	case ExtraTrees:
		return "extra_trees"
	case CART:
		return "cart"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Special MaxFeatures values; a value in (0, 1] is a fraction of the
// features.
const (
	// MaxFeaturesDefault (0) means Sqrt for classification forests and
	// All otherwise, as scikit-learn does.
	MaxFeaturesDefault = 0
	// MaxFeaturesSqrt means ceil-free sqrt: max(1, floor(sqrt(features))).
	MaxFeaturesSqrt = -1
	// MaxFeaturesLog2 means max(1, floor(log2(features))).
	MaxFeaturesLog2 = -2
)

// Config holds the hyperparameters of a Forest. The zero value of each field
// means its default, as documented per field.
type Config struct {
	// Kind is the algorithm; 0 means RandomForest.
	Kind Kind
	// Trees is the number of trees (param "n_estimators"); 0 means 100.
	// CART always grows one tree.
	Trees int
	// MaxFeatures is the number of features tried per node (param
	// "max_features": "sqrt", "log2", "all" or a fraction in (0, 1]):
	// a fraction of the features, MaxFeaturesSqrt, MaxFeaturesLog2, or
	// MaxFeaturesDefault. CART ignores it and tries all features.
	MaxFeatures float64
	// MaxDepth limits the depth of every tree (param "max_depth"); 0 means
	// unlimited.
	MaxDepth int
	// MinSamplesLeaf is the least number of (distinct, in-bag) rows in a
	// leaf (param "min_samples_leaf"); 0 means 1.
	MinSamplesLeaf int
	// MinSamplesSplit is the least number of rows a node needs to be split
	// (param "min_samples_split"); 0 means 2.
	MinSamplesSplit int
	// MinImpurityDecrease is the least weighted impurity decrease, as a
	// fraction of the total weight, that a split must bring (param
	// "min_impurity_decrease", as in scikit-learn); 0 means any split.
	MinImpurityDecrease float64
	// NoBootstrap grows a RandomForest's trees on all rows instead of
	// bootstrap samples (param "bootstrap": false). ExtraTrees and CART never
	// bootstrap.
	NoBootstrap bool
	// OOB makes Fit compute out-of-bag predictions for the training rows
	// (param "oob"), see Forest.OOBPrediction. Only bootstrap forests have
	// them.
	OOB bool
	// MaxSamples is the bootstrap sample size as a fraction of the rows
	// (param "max_samples"); 0 means 1.
	MaxSamples float64
	// Seed seeds the per-tree random streams (param "seed").
	Seed uint64
	// Jobs is the number of goroutines growing trees and predicting (param
	// "n_jobs"); 0 means GOMAXPROCS. Results do not depend on it.
	Jobs int
	// MaxBins is the number of histogram bins per numeric feature when Fit
	// bins the data itself (param "max_bins", 2..255); 0 means 255. It is
	// ignored when Data.Bins is set.
	MaxBins int
}

// paramNames lists the parameters every kind accepts.
var paramNames = []string{
	"n_estimators", "max_features", "max_depth", "min_samples_leaf",
	"min_samples_split", "min_impurity_decrease", "bootstrap", "max_samples",
	"seed", "n_jobs", "max_bins", "oob",
}

// ConfigFromParams reads p into a Config of the given kind. Absent
// parameters take their defaults; unknown names and bad values are errors
// wrapping models.ErrParam.
func ConfigFromParams(kind Kind, p models.Params) (Config, error) {
	c := Config{Kind: kind}
	if err := p.Unknown(paramNames...); err != nil {
		return c, err
	}
	var err error
	get := func(f func() error) {
		if err == nil {
			err = f()
		}
	}
	get(func() (e error) { c.Trees, e = p.Int("n_estimators", 0); return })
	get(func() (e error) { c.MaxDepth, e = p.Int("max_depth", 0); return })
	get(func() (e error) { c.MinSamplesLeaf, e = p.Int("min_samples_leaf", 0); return })
	get(func() (e error) { c.MinSamplesSplit, e = p.Int("min_samples_split", 0); return })
	get(func() (e error) { c.MinImpurityDecrease, e = p.Float("min_impurity_decrease", 0); return })
	get(func() (e error) { c.MaxSamples, e = p.Float("max_samples", 0); return })
	get(func() (e error) { c.Jobs, e = p.Int("n_jobs", 0); return })
	get(func() (e error) { c.MaxBins, e = p.Int("max_bins", 0); return })
	get(func() error {
		s, e := p.Int("seed", 0)
		c.Seed = uint64(s)
		return e
	})
	get(func() error {
		b, e := p.Bool("bootstrap", true)
		c.NoBootstrap = !b
		return e
	})
	get(func() (e error) { c.OOB, e = p.Bool("oob", false); return })
	get(func() (e error) { c.MaxFeatures, e = parseMaxFeatures(p["max_features"]); return })
	if err != nil {
		return c, err
	}
	return c, c.validate()
}

// parseMaxFeatures reads "sqrt", "log2", "all", a numeric string or a number.
func parseMaxFeatures(v any) (float64, error) {
	switch x := v.(type) {
	case nil:
		return MaxFeaturesDefault, nil
	case string:
		switch x {
		case "", "auto":
			return MaxFeaturesDefault, nil
		case "sqrt":
			return MaxFeaturesSqrt, nil
		case "log2":
			return MaxFeaturesLog2, nil
		case "all", "none":
			return 1, nil
		}
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			return 0, fmt.Errorf("%w: max_features = %q, want sqrt, log2, all or a fraction", models.ErrParam, x)
		}
		return f, nil
	case float64:
		return x, nil
	case float32:
		return float64(x), nil
	case int:
		return float64(x), nil
	}
	return 0, fmt.Errorf("%w: max_features = %v (%T), want sqrt, log2, all or a fraction", models.ErrParam, v, v)
}

// validate checks ranges (zero values allowed: they mean defaults).
func (c Config) validate() error {
	bad := func(name string, v any, want string) error {
		return fmt.Errorf("%w: %s = %v, want %s", models.ErrParam, name, v, want)
	}
	switch {
	case c.Kind < RandomForest || c.Kind > CART:
		return bad("kind", c.Kind, "random_forest, extra_trees or cart")
	case c.Trees < 0 || c.Trees > 100_000:
		return bad("n_estimators", c.Trees, "1..100000")
	case c.MaxFeatures != MaxFeaturesSqrt && c.MaxFeatures != MaxFeaturesLog2 &&
		!(c.MaxFeatures >= 0 && c.MaxFeatures <= 1):
		return bad("max_features", c.MaxFeatures, "sqrt, log2 or a fraction in (0, 1]")
	case c.MaxDepth < 0:
		return bad("max_depth", c.MaxDepth, ">= 0 (0 = unlimited)")
	case c.MinSamplesLeaf < 0:
		return bad("min_samples_leaf", c.MinSamplesLeaf, ">= 1")
	case c.MinSamplesSplit < 0 || c.MinSamplesSplit == 1:
		return bad("min_samples_split", c.MinSamplesSplit, ">= 2")
	case !(c.MinImpurityDecrease >= 0) || math.IsInf(c.MinImpurityDecrease, 0):
		return bad("min_impurity_decrease", c.MinImpurityDecrease, ">= 0")
	case !(c.MaxSamples >= 0 && c.MaxSamples <= 1):
		return bad("max_samples", c.MaxSamples, "a fraction in (0, 1]")
	case c.Jobs < 0:
		return bad("n_jobs", c.Jobs, ">= 0 (0 = GOMAXPROCS)")
	case c.MaxBins < 0 || c.MaxBins == 1 || c.MaxBins > models.MaxBins:
		return bad("max_bins", c.MaxBins, "2..255")
	}
	return nil
}

// withDefaults fills zero fields for a fit with numClasses classes.
func (c Config) withDefaults() Config {
	if c.Kind == 0 {
		c.Kind = RandomForest
	}
	if c.Trees == 0 {
		c.Trees = 100
	}
	if c.Kind == CART {
		c.Trees = 1
		c.MaxFeatures = 1
	}
	if c.MinSamplesLeaf == 0 {
		c.MinSamplesLeaf = 1
	}
	if c.MinSamplesSplit == 0 {
		c.MinSamplesSplit = 2
	}
	if c.MaxSamples == 0 {
		c.MaxSamples = 1
	}
	return c
}

// bootstrap reports whether trees grow on bootstrap samples.
func (c Config) bootstrap() bool { return c.Kind == RandomForest && !c.NoBootstrap }

// tries returns how many features a node tries out of f.
func (c Config) tries(f, numClasses int) int {
	mf := c.MaxFeatures
	if mf == MaxFeaturesDefault {
		if numClasses > 0 && c.Kind != CART {
			mf = MaxFeaturesSqrt
		} else {
			mf = 1
		}
	}
	var k int
	switch mf {
	case MaxFeaturesSqrt:
		k = int(math.Sqrt(float64(f)))
	case MaxFeaturesLog2:
		k = int(math.Log2(float64(f)))
	default:
		k = int(mf * float64(f))
	}
	return max(1, min(k, f))
}
