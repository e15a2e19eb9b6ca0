package gbdt

import (
	"fmt"
	"math"

	"github.com/automl-agent/automl/models"
)

// Parameter names accepted by New (models.Params keys).
var paramNames = []string{
	"objective", "num_rounds", "learning_rate", "max_leaves", "max_depth",
	"min_data_in_leaf", "min_child_weight", "lambda_l2", "lambda_l1", "min_split_gain",
	"bagging_fraction", "feature_fraction", "max_bins", "early_stopping_rounds",
	"cat_smooth", "cat_l2", "max_cat_to_onehot", "max_cat_threshold", "min_data_per_group",
	"huber_delta", "seed", "threads", "validation_fraction", "max_rounds", "early_stopping_min_rows",
	"time_limit",
}

// Defaults of the early-stopping parameters (see New).
const (
	defaultRounds        = 100
	defaultEarlyStop     = 50
	defaultMaxRounds     = 2000
	defaultESMinRows     = 10000
	defaultValidFraction = 0.1
)

// config holds the resolved hyperparameters. The defaults are documented
// on New.
type config struct {
	objective       string
	rounds          int
	lr              float64
	maxLeaves       int
	maxDepth        int
	minDataInLeaf   int
	minChildWeight  float64
	l2, l1          float64
	minGain         float64
	bagging         float64
	featureFraction float64
	maxBins         int
	earlyStop       int
	maxRounds       int
	timeLimit       float64 // seconds of boosting; 0 = none
	esMinRows       int
	validFraction   float64
	catSmooth       float64
	catL2           float64
	maxCatOneHot    int
	maxCatThreshold int
	minDataPerGroup int
	huberDelta      float64
	seed            uint64
	threads         int
}

func parseConfig(p models.Params) (config, error) {
	if err := p.Unknown(paramNames...); err != nil {
		return config{}, err
	}
	var c config
	var err error
	errs := func(e error) {
		if err == nil && e != nil {
			err = e
		}
	}
	var e error
	c.objective, e = p.String("objective", "")
	errs(e)
	c.rounds, e = p.Int("num_rounds", defaultRounds)
	errs(e)
	c.lr, e = p.Float("learning_rate", 0.1)
	errs(e)
	c.maxLeaves, e = p.Int("max_leaves", 31)
	errs(e)
	c.maxDepth, e = p.Int("max_depth", 0)
	errs(e)
	c.minDataInLeaf, e = p.Int("min_data_in_leaf", 20)
	errs(e)
	c.minChildWeight, e = p.Float("min_child_weight", 1e-3)
	errs(e)
	c.l2, e = p.Float("lambda_l2", 1)
	errs(e)
	c.l1, e = p.Float("lambda_l1", 0)
	errs(e)
	c.minGain, e = p.Float("min_split_gain", 0)
	errs(e)
	c.bagging, e = p.Float("bagging_fraction", 1)
	errs(e)
	c.featureFraction, e = p.Float("feature_fraction", 1)
	errs(e)
	c.maxBins, e = p.Int("max_bins", 255)
	errs(e)
	c.earlyStop, e = p.Int("early_stopping_rounds", defaultEarlyStop)
	errs(e)
	c.validFraction, e = p.Float("validation_fraction", defaultValidFraction)
	errs(e)
	c.maxRounds, e = p.Int("max_rounds", defaultMaxRounds)
	errs(e)
	c.timeLimit, e = p.Float("time_limit", 0)
	errs(e)
	c.esMinRows, e = p.Int("early_stopping_min_rows", defaultESMinRows)
	errs(e)
	c.catSmooth, e = p.Float("cat_smooth", 10)
	errs(e)
	c.catL2, e = p.Float("cat_l2", 10)
	errs(e)
	c.maxCatOneHot, e = p.Int("max_cat_to_onehot", 4)
	errs(e)
	c.maxCatThreshold, e = p.Int("max_cat_threshold", 32)
	errs(e)
	c.minDataPerGroup, e = p.Int("min_data_per_group", 10)
	errs(e)
	c.huberDelta, e = p.Float("huber_delta", 1)
	errs(e)
	seed, e := p.Int("seed", 0)
	errs(e)
	c.seed = uint64(seed)
	c.threads, e = p.Int("threads", 0)
	errs(e)
	if err != nil {
		return config{}, err
	}
	bad := func(name string, v any, want string) error {
		return fmt.Errorf("%w: %s = %v, want %s", models.ErrParam, name, v, want)
	}
	switch {
	case c.rounds < 1:
		return c, bad("num_rounds", c.rounds, ">= 1")
	case !(c.lr > 0) || math.IsInf(c.lr, 0):
		return c, bad("learning_rate", c.lr, "> 0")
	case c.maxLeaves < 2 || c.maxLeaves > 1<<16:
		return c, bad("max_leaves", c.maxLeaves, "in [2, 65536]")
	case c.maxDepth < -1:
		return c, bad("max_depth", c.maxDepth, ">= -1 (0 or -1: unlimited)")
	case c.minDataInLeaf < 0:
		return c, bad("min_data_in_leaf", c.minDataInLeaf, ">= 0")
	case !(c.minChildWeight >= 0):
		return c, bad("min_child_weight", c.minChildWeight, ">= 0")
	case !(c.l2 >= 0) || math.IsInf(c.l2, 0):
		return c, bad("lambda_l2", c.l2, ">= 0")
	case !(c.l1 >= 0) || math.IsInf(c.l1, 0):
		return c, bad("lambda_l1", c.l1, ">= 0")
	case !(c.minGain >= 0):
		return c, bad("min_split_gain", c.minGain, ">= 0")
	case !(c.bagging > 0 && c.bagging <= 1):
		return c, bad("bagging_fraction", c.bagging, "in (0, 1]")
	case !(c.featureFraction > 0 && c.featureFraction <= 1):
		return c, bad("feature_fraction", c.featureFraction, "in (0, 1]")
	case c.maxBins < 2 || c.maxBins > models.MaxBins:
		return c, bad("max_bins", c.maxBins, "in [2, 255]")
	case c.earlyStop < 0:
		return c, bad("early_stopping_rounds", c.earlyStop, ">= 0")
	case c.maxRounds < 1:
		return c, bad("max_rounds", c.maxRounds, ">= 1")
	case !(c.timeLimit >= 0) || math.IsInf(c.timeLimit, 0):
		return c, bad("time_limit", c.timeLimit, "a finite number of seconds >= 0")
	case c.esMinRows < 0:
		return c, bad("early_stopping_min_rows", c.esMinRows, ">= 0")
	case !(c.validFraction > 0 && c.validFraction < 1):
		return c, bad("validation_fraction", c.validFraction, "in (0, 1)")
	case seed < 0:
		return c, bad("seed", seed, ">= 0")
	case !(c.catSmooth >= 0):
		return c, bad("cat_smooth", c.catSmooth, ">= 0")
	case !(c.catL2 >= 0):
		return c, bad("cat_l2", c.catL2, ">= 0")
	case c.maxCatOneHot < 0:
		return c, bad("max_cat_to_onehot", c.maxCatOneHot, ">= 0")
	case c.maxCatThreshold < 1:
		return c, bad("max_cat_threshold", c.maxCatThreshold, ">= 1")
	case c.minDataPerGroup < 0:
		return c, bad("min_data_per_group", c.minDataPerGroup, ">= 0")
	case !(c.huberDelta > 0):
		return c, bad("huber_delta", c.huberDelta, "> 0")
	case c.threads < 0:
		return c, bad("threads", c.threads, ">= 0")
	}
	if c.maxDepth < 0 {
		c.maxDepth = 0
	}
	switch c.objective {
	case "", "squared", "huber", "absolute", "binary", "multiclass":
	case "regression", "l2", "mse":
		c.objective = "squared"
	case "l1", "mae":
		c.objective = "absolute"
	case "logloss":
		c.objective = "binary"
	case "softmax":
		c.objective = "multiclass"
	default:
		return c, bad("objective", c.objective, "squared, huber, absolute, binary or multiclass")
	}
	return c, nil
}
