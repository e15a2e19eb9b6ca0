// Package hyperopt holds hyperparameter search spaces, samplers and the
// parallel trial runner.
package hyperopt
