// Package models defines the Model interface, its optional capabilities,
// the training Data a model sees (numbers only: no Arrow, no column names)
// and the Registry of model specs. The algorithms live in sub-packages that
// register themselves into Default from init.
package models
