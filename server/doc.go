// Package server is the automl service: an embeddable http.Handler with a
// JSON API to upload and profile tables, run searches as background jobs
// with live progress, keep the models they produce and predict with them,
// plus the dashboard (package server/web) at "/".
//
//	srv, err := server.New(server.Options{DataDir: "automl-data"})
//	if err != nil { ... }
//	defer srv.Close()
//	mux.Handle("/ml/", http.StripPrefix("/ml", srv.Handler()))
//
// The command `automl serve` runs it on its own; examples/embed mounts it
// in an existing router.
//
// # API
//
// The request and response bodies are the types of api.go, whose JSON
// field names are stable; GET /openapi.json is the OpenAPI 3.1 document of
// every route (a test checks that it covers the mux) and GET /docs renders
// it. Errors are {"error": {"code", "message"}} with the Code constants;
// messages never carry paths, SQL or stack traces.
//
//	GET  /health, /ready                       liveness; the store answers
//	POST /analyze                              multipart "file": store, read, profile
//	GET  /datasets, /datasets/{id}; DELETE /datasets/{id}
//	POST /pipeline/run                         queue a job (202, or 429 queue_full)
//	GET  /pipeline/status/{id}                 state, progress, leaderboard so far, model_id
//	GET  /pipeline/events/{id}                 the same as server-sent events (Last-Event-ID resumes)
//	POST /pipeline/cancel/{id}; GET /pipeline/jobs
//	GET  /models, /models/{id}, /models/{id}/download; DELETE /models/{id}
//	POST /predict                              JSON records or a multipart file
//
// A run may ask for the heuristic planner (the default), the uniform one,
// or the LLM planner the server was given (Options.LLMPlanner); the model
// keeps the plan, the planning trace and the run's insights.
//
// # Jobs
//
// Options.Jobs runners take jobs from a queue of Options.MaxQueued. A job
// reads its dataset, runs automl.Fit with the request's budget and options
// and saves the predictor as a model. While a job is live its progress,
// leaderboard and events are kept in memory (automl.Options.OnEvent feeds
// them) and served from there; its row in the store is written when it is
// queued, when it starts, every two seconds while it runs (with the new
// events) and when it ends, so a stream of a finished job replays from the
// store and a crash loses at most two seconds of a job's history. Close
// cancels the running jobs, which end as "interrupted", as do the queued
// ones; New marks the jobs that a crashed process left queued or running
// as "interrupted" too. No job is ever left "running".
//
// # Storage
//
// Options.DataDir holds automl.db (SQLite through database/sql and the
// pure-Go driver modernc.org/sqlite, in WAL mode with a busy timeout and
// foreign keys on) and the directories datasets/, models/ and tmp/. Every
// id is 16 random hex digits made by the server, and a file is named by
// its id alone: no request value (an upload's file name, a path segment)
// ever becomes part of a path. Uploads are streamed to tmp/, read and
// profiled, then renamed into datasets/; model files are written to tmp/
// and renamed, so a crash never leaves half a file under its name.
//
// The schema is a versioned list of migrations in store.go, applied in
// order and recorded in the table schema_version. The SQL is portable:
// ANSI types, JSON documents in TEXT columns, times as RFC 3339 text, no
// AUTOINCREMENT, upserts as UPDATE then INSERT in one transaction. A
// PostgreSQL store on github.com/jackc/pgx/v5 (its database/sql driver
// "pgx") would need: the ? placeholders rewritten to $1, $2... (one small
// rebind function); the DSN and pragmas replaced by a connection string;
// one migration statement per Exec, or the multi-statement migration run
// through pgx's simple protocol; and TEXT kept (or JSONB for the
// documents). The queries themselves run unchanged.
//
// # Limits and safety
//
// Bodies are capped by Options.MaxUpload (http.MaxBytesReader: 413
// too_large), predict requests by Options.MaxPredictRows, the jobs by
// Options.Jobs and Options.MaxQueued, and every request but the event
// streams and downloads by Options.RequestTimeout. At most
// Options.MaxPredictions predictions run at once (2*GOMAXPROCS by
// default); the others wait their turn in order, which keeps the latency
// tail short when many clients predict at once. With Options.Token set,
// every route but /health, the dashboard's files, /docs and /openapi.json
// needs "Authorization: Bearer <token>" (or, on GET, ?access_token=).
// CORS headers go to the origins in Options.CORSOrigins only. Each request
// is logged (method, path, status, bytes, duration; never the query) to
// Options.Logger, and a panic in a handler is logged and answered with a
// 500 internal error.
package server
