package server

import (
	"time"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/dataset"
	"github.com/automl-agent/automl/evaluate"
	"github.com/automl-agent/automl/planner"
)

// This file holds the JSON bodies of every endpoint. Their field names
// are stable: fields may be added, never renamed or removed. Durations
// are seconds as JSON numbers and times are RFC 3339 strings in UTC.
//
// Authentication: when Options.Token is set, every request but GET
// /health must carry "Authorization: Bearer <token>". Requests that a
// browser cannot give a header (EventSource, download links) may instead
// pass the token as the query parameter access_token; it is accepted on
// GET requests only and never logged.

// Error codes of ErrorDetail.Code. They are stable; messages are not.
const (
	CodeBadRequest        = "bad_request"        // 400: a field is missing or invalid
	CodeInvalidJSON       = "invalid_json"       // 400: the body is not the JSON the endpoint takes
	CodeInvalidDataset    = "invalid_dataset"    // 400: an upload that cannot be read as a table
	CodeUnsupportedFormat = "unsupported_format" // 400: an upload whose file name has an unknown extension
	CodeInvalidColumns    = "invalid_columns"    // 400: predict records whose columns do not fit the model
	CodeTooManyRows       = "too_many_rows"      // 400: more predict rows than Options.MaxPredictRows
	CodeUnauthorized      = "unauthorized"       // 401: missing or wrong bearer token
	CodeNotFound          = "not_found"          // 404: no such route, dataset, job or model
	CodeMethodNotAllowed  = "method_not_allowed" // 405: the route exists for other methods
	CodeConflict          = "conflict"           // 409: the resource is in a state that forbids it (deleting a dataset a job is using, cancelling a finished job)
	CodeTooLarge          = "too_large"          // 413: the body is larger than Options.MaxUpload
	CodeQueueFull         = "queue_full"         // 429: the job queue holds Options.MaxQueued jobs
	CodeBusy              = "busy"               // 503: too many predictions at once; retry
	CodeTimeout           = "timeout"            // 503: the request took longer than Options.RequestTimeout
	CodeUnavailable       = "unavailable"        // 503: the store is unreachable or the server is closing
	CodeInternal          = "internal"           // 500: a bug; the message says nothing more
)

// ErrorResponse is the body of every error response:
// {"error": {"code": "not_found", "message": "no model abc"}}.
type ErrorResponse struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is a stable machine-readable Code (one of the Code
// constants) and a Message for people, which never holds server
// internals (paths, SQL, stack traces).
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Health is the body of GET /health (liveness) and GET /ready
// (readiness: the store answers). Status is "ok"; a failing /ready
// answers 503 with an ErrorResponse instead.
type Health struct {
	Status string `json:"status"`
	// Version is the API version, "1".
	Version string `json:"version"`
}

// Dataset describes an uploaded table (GET /datasets lists them).
type Dataset struct {
	ID string `json:"id"`
	// Name is the base name of the uploaded file, as the client sent it
	// (for display only; the stored file is named by ID).
	Name string `json:"name"`
	// Format is the reader used: csv, tsv, parquet, arrow or jsonl.
	Format string `json:"format"`
	// Size is the stored file's size in bytes.
	Size int64 `json:"size"`
	Rows int   `json:"rows"`
	Cols int   `json:"cols"`
	// Columns are the column names in file order.
	Columns []string `json:"columns"`
	// SuggestedTarget is the column the profile suggests predicting: the
	// last column unless it cannot be a target (an identifier, constant,
	// text or datetime column, or one the profile rejects as a target), in
	// which case the last column that can. "" when none.
	SuggestedTarget string `json:"suggested_target"`
	// SuggestedTask is the task inferred for SuggestedTarget.
	SuggestedTask dataset.Task `json:"suggested_task"`
	CreatedAt     time.Time    `json:"created_at"`
}

// DatasetList is the body of GET /datasets, newest first.
type DatasetList struct {
	Datasets []Dataset `json:"datasets"`
}

// DatasetDetail is the body of POST /analyze (status 201) and GET
// /datasets/{id}: the dataset and its profile for the suggested target.
// The profile holds the columns with their kinds, missing counts and
// statistics, the task and classes, and the warnings (identifiers,
// leakage, constant columns...).
type DatasetDetail struct {
	// DatasetID repeats Dataset.ID, the id to pass to POST /pipeline/run.
	DatasetID string           `json:"dataset_id"`
	Dataset   Dataset          `json:"dataset"`
	Profile   *dataset.Profile `json:"profile"`
}

// RunRequest is the body of POST /pipeline/run.
type RunRequest struct {
	// DatasetID names an uploaded dataset. Required.
	DatasetID string `json:"dataset_id"`
	// Target is the column to predict; "" means the dataset's
	// SuggestedTarget.
	Target string `json:"target,omitempty"`
	// Budget is the wall-clock time budget as a Go duration ("60s",
	// "5m"); "" means the server's default (Options.DefaultBudget). It
	// may not exceed Options.MaxBudget.
	Budget string `json:"budget,omitempty"`
	// Metric names the metric to optimise (see evaluate.MetricNames);
	// "" means the task's default.
	Metric string `json:"metric,omitempty"`
	// Seed seeds the search; the same seed, data and options give the
	// same leaderboard.
	Seed uint64 `json:"seed,omitempty"`
	// Planner picks who plans the run: "" or "heuristic" (rules),
	// "uniform" (every model family alike) or "llm" (Options.LLMPlanner;
	// a bad_request when the server has none). An LLM planner that fails
	// falls back to the heuristic; ModelDetail.Planning says so.
	Planner string `json:"planner,omitempty"`
	// Options are further search settings; nil means defaults.
	Options *RunOptions `json:"options,omitempty"`
}

// RunOptions is the subset of automl.Options a client may set. Each zero
// field means the library default (see automl.Options).
type RunOptions struct {
	MaxTrials         int      `json:"max_trials,omitempty"`
	Folds             int      `json:"folds,omitempty"`
	Repeats           int      `json:"repeats,omitempty"`
	MaxTunedPerModel  int      `json:"max_tuned_per_model,omitempty"`
	Task              string   `json:"task,omitempty"` // binary, multiclass, regression; "" infers
	Include           []string `json:"include,omitempty"`
	Exclude           []string `json:"exclude,omitempty"`
	Drop              []string `json:"drop,omitempty"`
	Weight            string   `json:"weight,omitempty"`
	Group             string   `json:"group,omitempty"`
	FinalFit          string   `json:"final_fit,omitempty"` // bag or refit
	DisableEnsemble   bool     `json:"disable_ensemble,omitempty"`
	DisableImportance bool     `json:"disable_importance,omitempty"`
}

// RunResponse is the body of POST /pipeline/run (status 202).
type RunResponse struct {
	JobID string `json:"job_id"`
	Job   Job    `json:"job"`
}

// JobState is where a job is in its life.
type JobState string

// Job states. Queued and running jobs are live; the others are final.
const (
	JobQueued    JobState = "queued"    // waiting for a free runner
	JobRunning   JobState = "running"   // the search is running
	JobDone      JobState = "done"      // finished; Job.ModelID names the model
	JobFailed    JobState = "failed"    // stopped by an error; Job.Message says which
	JobCancelled JobState = "cancelled" // stopped by POST /pipeline/cancel/{id}
	// JobInterrupted marks a job that was queued or running when the
	// server stopped (a crash, a restart, or Close).
	JobInterrupted JobState = "interrupted"
)

// Final reports whether s is a state a job never leaves.
func (s JobState) Final() bool {
	return s == JobDone || s == JobFailed || s == JobCancelled || s == JobInterrupted
}

// Job is the body of GET /pipeline/status/{id} and POST
// /pipeline/cancel/{id}, and an element of GET /pipeline/jobs.
type Job struct {
	ID        string     `json:"id"`
	DatasetID string     `json:"dataset_id"`
	Target    string     `json:"target"`
	State     JobState   `json:"state"`
	Request   RunRequest `json:"request"`
	// Metric is the metric the search optimises, and Greater whether
	// higher scores are better.
	Metric   string   `json:"metric"`
	Greater  bool     `json:"greater"`
	Progress Progress `json:"progress"`
	// Leaderboard holds the trials finished so far, best first (with the
	// ensemble rows once the job is done). Omitted from GET /pipeline/jobs.
	Leaderboard *evaluate.Leaderboard `json:"leaderboard,omitempty"`
	// ModelID names the model once the job is done.
	ModelID string `json:"model_id,omitempty"`
	// Message says why a job failed or was interrupted.
	Message    string     `json:"message,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

// Progress summarises a job's search so far.
type Progress struct {
	// Phase is the library's current phase: profile, preprocess, search,
	// ensemble, final, importance, done ("" before the job starts).
	Phase         string `json:"phase"`
	TrialsStarted int    `json:"trials_started"`
	// TrialsDone counts finished trials, failed ones included;
	// TrialsFailed counts those that failed or timed out.
	TrialsDone   int `json:"trials_done"`
	TrialsFailed int `json:"trials_failed"`
	// BestScore is the best trial score so far (nil before the first), of
	// the trial BestModel.
	BestScore *float64 `json:"best_score,omitempty"`
	BestModel string   `json:"best_model,omitempty"`
	// BudgetSeconds is the time budget, ElapsedSeconds the time since the
	// search started and RemainingSeconds what is left of the budget.
	BudgetSeconds    float64 `json:"budget_seconds"`
	ElapsedSeconds   float64 `json:"elapsed_seconds"`
	RemainingSeconds float64 `json:"remaining_seconds"`
}

// JobList is the body of GET /pipeline/jobs, newest first, without
// leaderboards.
type JobList struct {
	Jobs []Job `json:"jobs"`
}

// Event kinds of JobEvent.Kind besides the library's automl.EventKind
// values ("phase", "trial_started", "trial_finished", "new_best").
const (
	// EventState reports a change of Job.State; the last event of every
	// stream is one with a final state.
	EventState = "state"
)

// JobEvent is the data of one server-sent event of GET
// /pipeline/events/{id}. The SSE "id" field is Seq (send it back as
// Last-Event-ID to resume after it) and the SSE "event" field is Kind.
// The stream replays the job's events from the start (or after
// Last-Event-ID), follows it live, and ends after the event whose State
// is final. Comment lines (": keep-alive") are sent every 15 s.
type JobEvent struct {
	// Seq numbers the job's events from 1.
	Seq  int64     `json:"seq"`
	Time time.Time `json:"time"`
	// Kind is one of the automl.EventKind values or EventState.
	Kind string `json:"kind"`
	// State is the job's state after this event.
	State JobState `json:"state"`
	// Phase, Trial, Model, Params, Status, Score, Best and Error are the
	// library event's fields (see automl.Event); Score and Best are nil
	// when the event has none.
	Phase  string         `json:"phase,omitempty"`
	Trial  int            `json:"trial,omitempty"`
	Model  string         `json:"model,omitempty"`
	Params map[string]any `json:"params,omitempty"`
	Status string         `json:"status,omitempty"`
	Score  *float64       `json:"score,omitempty"`
	Best   *float64       `json:"best,omitempty"`
	Error  string         `json:"error,omitempty"`
	// Progress is the job's progress after this event.
	Progress Progress `json:"progress"`
	// ModelID is set on the final state event of a job that is done;
	// Message on one that failed or was interrupted.
	ModelID string `json:"model_id,omitempty"`
	Message string `json:"message,omitempty"`
}

// Model describes a trained predictor (GET /models lists them).
type Model struct {
	ID        string       `json:"id"`
	JobID     string       `json:"job_id"`
	DatasetID string       `json:"dataset_id"`
	Target    string       `json:"target"`
	Task      dataset.Task `json:"task"`
	// Metric and Score are the metric and the out-of-fold score of the
	// best leaderboard row (the one the predictor uses).
	Metric    string  `json:"metric"`
	Score     float64 `json:"score"`
	BestModel string  `json:"best_model"`
	// Classes are the class labels of a classifier; nil for regression.
	Classes []string `json:"classes,omitempty"`
	// Size is the predictor file's size in bytes.
	Size      int64     `json:"size"`
	CreatedAt time.Time `json:"created_at"`
}

// ModelInput is one column the predictor reads, for building a predict
// form: its kind, and an Example value from the training data (the most
// frequent value, or the mean of a numeric column; nil when unknown).
type ModelInput struct {
	Name    string       `json:"name"`
	Kind    dataset.Kind `json:"kind"`
	Example any          `json:"example,omitempty"`
}

// ModelList is the body of GET /models, newest first.
type ModelList struct {
	Models []Model `json:"models"`
}

// ModelDetail is the body of GET /models/{id}.
type ModelDetail struct {
	Model Model `json:"model"`
	// Inputs are the columns POST /predict reads, in training order.
	Inputs      []ModelInput              `json:"inputs"`
	Leaderboard *evaluate.Leaderboard     `json:"leaderboard"`
	Profile     *dataset.Profile          `json:"profile"`
	Importance  []automl.ColumnImportance `json:"importance,omitempty"`
	// Options are the automl.Options the run used, defaults filled in.
	Options automl.Options `json:"options"`
	// Plan is what the search tried, as the planner decided it; Planning
	// says which planner ran and why any other did not; Insights is a
	// plain-language summary of the run.
	Plan     *planner.Plan  `json:"plan,omitempty"`
	Planning *planner.Trace `json:"planning,omitempty"`
	Insights string         `json:"insights,omitempty"`
	// DurationSeconds is the wall time of the search.
	DurationSeconds float64 `json:"duration_seconds"`
}

// PredictRequest is the JSON body of POST /predict. (The endpoint also
// takes a multipart form with fields model_id and file, a table in any
// upload format.)
type PredictRequest struct {
	ModelID string `json:"model_id"`
	// Records are rows as objects from column name to value: numbers,
	// strings, booleans or null (missing). A column absent from a record
	// is missing there. A column the model does not know is an
	// invalid_columns error, and so is a record with none of its columns.
	Records []map[string]any `json:"records"`
}

// PredictResponse is the body of a successful POST /predict.
type PredictResponse struct {
	ModelID string       `json:"model_id"`
	Task    dataset.Task `json:"task"`
	// Predictions holds one value per record: the class label (a string)
	// for classification, the predicted number for regression.
	Predictions []any `json:"predictions"`
	// Classes are the class labels, and Probabilities[i][c] the
	// probability of Classes[c] for record i; both omitted for regression.
	Classes       []string    `json:"classes,omitempty"`
	Probabilities [][]float64 `json:"probabilities,omitempty"`
}
