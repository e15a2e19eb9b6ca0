package preprocess

import (
	"fmt"
	"slices"
)

// Kind names accepted in Options.Kinds and reported by Column.Kind.
const (
	KindNumeric     = "numeric"
	KindCategorical = "categorical"
	KindText        = "text"
	KindDatetime    = "datetime"
	KindDrop        = "drop"
)

// Options configures Fit. The zero value works; each field says what its
// zero value means. Fit copies the options it ran with into the Pipeline.
type Options struct {
	// MaxOneHot is the largest number of kept levels for which a
	// categorical column is one-hot encoded in the Dense view; columns with
	// more levels get a frequency and a target encoding. 0 means 10; a
	// negative value disables one-hot encoding.
	MaxOneHot int `json:"max_one_hot,omitempty"`
	// MaxCategories is the number of levels kept per categorical column
	// (the most frequent ones); the others merge into an "other" level.
	// 0 means 254, so that the codes 0..254 (with "other") fit a uint8 tree
	// bin next to models.MissingBin.
	MaxCategories int `json:"max_categories,omitempty"`
	// MinCategoryCount is how many training rows a level needs to be kept;
	// rarer levels merge into "other". 0 means 2 (a level seen once is
	// noise to every model); set 1 to keep every level.
	MinCategoryCount int `json:"min_category_count,omitempty"`
	// TextHashBuckets is the number of hashed token-count columns per text
	// column. 0 means 32.
	TextHashBuckets int `json:"text_hash_buckets,omitempty"`
	// Drop lists columns to ignore. Nil drops nothing; names not in the
	// frame are ignored.
	Drop []string `json:"drop,omitempty"`
	// Kinds optionally forces the kind of a column: one of KindNumeric,
	// KindCategorical, KindText, KindDatetime, KindDrop. A forced kind skips
	// the identifier check but constant and all-missing columns are still
	// dropped. Nil means every kind is inferred; names not in the frame are
	// ignored.
	Kinds map[string]string `json:"kinds,omitempty"`
	// Seed seeds the assignment of training rows to the 5 folds of the
	// out-of-fold target encoding. 0 is a valid seed.
	Seed uint64 `json:"seed,omitempty"`
	// Groups, if not nil, holds one group ID per row of the frame: the
	// rows of a group share a target-encoding fold, so no row's encoding
	// learns from the targets of its own group (as for a group never seen
	// at prediction time). Its length must be the frame's row count. It is
	// not saved with the pipeline.
	Groups []string `json:"-"`
}

const (
	defaultMaxOneHot     = 10
	defaultMaxCategories = 254
	defaultMinCount      = 2
	defaultBuckets       = 32
	maxBuckets           = 1 << 16
)

// withDefaults returns a copy of o with zero fields filled in, or an error
// naming the first bad field.
func (o Options) withDefaults() (Options, error) {
	if o.MaxOneHot == 0 {
		o.MaxOneHot = defaultMaxOneHot
	}
	if o.MaxCategories == 0 {
		o.MaxCategories = defaultMaxCategories
	}
	if o.MaxCategories < 0 {
		return o, fmt.Errorf("%w: MaxCategories = %d", ErrInvalid, o.MaxCategories)
	}
	if o.MinCategoryCount == 0 {
		o.MinCategoryCount = defaultMinCount
	}
	if o.MinCategoryCount < 0 {
		return o, fmt.Errorf("%w: MinCategoryCount = %d", ErrInvalid, o.MinCategoryCount)
	}
	if o.TextHashBuckets == 0 {
		o.TextHashBuckets = defaultBuckets
	}
	if o.TextHashBuckets < 0 || o.TextHashBuckets > maxBuckets {
		return o, fmt.Errorf("%w: TextHashBuckets = %d, want 1..%d", ErrInvalid, o.TextHashBuckets, maxBuckets)
	}
	for name, k := range o.Kinds {
		switch k {
		case KindNumeric, KindCategorical, KindText, KindDatetime, KindDrop:
		default:
			return o, fmt.Errorf("%w: Kinds[%q] = %q, want numeric, categorical, text, datetime or drop", ErrInvalid, name, k)
		}
	}
	o.Drop = slices.Clone(o.Drop)
	if o.Kinds != nil {
		m := make(map[string]string, len(o.Kinds))
		for k, v := range o.Kinds {
			m[k] = v
		}
		o.Kinds = m
	}
	return o, nil
}

// View selects the shape of the features Transform produces.
type View int

const (
	// Native is for models that handle missing values and categories
	// themselves (trees): numbers as they are with NaN for missing,
	// categorical columns as integer codes with Features.Categories set.
	Native View = iota
	// Dense is for models that need finite, scaled numbers (linear, KNN,
	// neural): imputed and standardized numbers with missing indicators,
	// one-hot or target-encoded categories, no NaN.
	Dense
)

// String returns "native" or "dense".
func (v View) String() string {
	switch v {
	case Native:
		return "native"
	case Dense:
		return "dense"
	}
	return fmt.Sprintf("View(%d)", int(v))
}
