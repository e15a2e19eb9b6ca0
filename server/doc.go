// Package server is the automl service: an embeddable http.Handler with a
// JSON API to upload and profile tables, run searches as background jobs
// with live progress, keep the models they produce, and predict with
// them; jobs, datasets and models persist in a SQLite database and a data
// directory. The dashboard (package server/web) is served at "/".
//
// The request and response bodies are the types in api.go; GET
// /openapi.json documents every route.
package server
