//go:build race

package automl_test

const raceEnabled = true
