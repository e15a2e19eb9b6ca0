package server

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"time"
)

// The OpenAPI 3.1 document of GET /openapi.json. Paths are written out
// below by hand; the schemas of the bodies are derived from the api.go
// types by reflection (field names from their json tags, optional when
// omitempty), so they cannot drift from what the handlers encode.

// openAPIDoc is built once.
var (
	openAPIOnce sync.Once
	openAPIJSON []byte
)

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	openAPIOnce.Do(func() {
		openAPIJSON, _ = json.MarshalIndent(openAPISpec(), "", "  ")
	})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Write(openAPIJSON)
}

type obj = map[string]any

// schemaSet collects the component schemas of named types.
type schemaSet struct {
	defs obj
}

// ref returns the schema of t: a $ref for named structs (defining them in
// the components), inline schemas for the rest.
func (ss *schemaSet) ref(t reflect.Type) obj {
	switch t {
	case reflect.TypeFor[time.Time]():
		return obj{"type": "string", "format": "date-time"}
	case reflect.TypeFor[time.Duration]():
		return obj{"type": "integer", "description": "nanoseconds"}
	case reflect.TypeFor[json.RawMessage]():
		return obj{}
	case reflect.TypeFor[JobState]():
		return obj{"type": "string", "enum": []string{string(JobQueued), string(JobRunning), string(JobDone), string(JobFailed), string(JobCancelled), string(JobInterrupted)}}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return ss.ref(t.Elem())
	case reflect.Interface:
		return obj{}
	case reflect.Bool:
		return obj{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return obj{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return obj{"type": []string{"number", "null"}}
	case reflect.String:
		return obj{"type": "string"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return obj{"type": "string", "contentEncoding": "base64"}
		}
		return obj{"type": "array", "items": ss.ref(t.Elem())}
	case reflect.Map:
		return obj{"type": "object", "additionalProperties": ss.ref(t.Elem())}
	case reflect.Struct:
		name := schemaName(t)
		if _, ok := ss.defs[name]; !ok {
			ss.defs[name] = obj{} // placeholder against recursion
			ss.defs[name] = ss.structSchema(t)
		}
		return obj{"$ref": "#/components/schemas/" + name}
	}
	return obj{}
}

// schemaName is the component name of a named struct: the type name for
// this package's types, package.Type for others.
func schemaName(t reflect.Type) string {
	if t.PkgPath() == reflect.TypeFor[Job]().PkgPath() {
		return t.Name()
	}
	pkg := t.PkgPath()
	if i := strings.LastIndex(pkg, "/"); i >= 0 {
		pkg = pkg[i+1:]
	}
	return pkg + "." + t.Name()
}

// structSchema is the object schema of struct t from its json tags.
func (ss *schemaSet) structSchema(t reflect.Type) obj {
	props := obj{}
	var required []string
	var fields func(t reflect.Type)
	fields = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" {
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				fields(ft)
				continue
			}
			if name == "" {
				name = f.Name
			}
			props[name] = ss.ref(f.Type)
			if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") && f.Type.Kind() != reflect.Pointer {
				required = append(required, name)
			}
		}
	}
	fields(t)
	sch := obj{"type": "object", "properties": props}
	if len(required) > 0 {
		sch["required"] = required
	}
	return sch
}

// openAPISpec returns the document.
func openAPISpec() obj {
	ss := &schemaSet{defs: obj{}}
	schema := func(v any) obj { return ss.ref(reflect.TypeOf(v)) }
	jsonBody := func(v any) obj {
		return obj{"content": obj{"application/json": obj{"schema": schema(v)}}}
	}
	errResp := func(desc string) obj {
		return obj{"description": desc, "content": obj{"application/json": obj{"schema": schema(ErrorResponse{})}}}
	}
	ok := func(desc string, v any) obj {
		r := jsonBody(v)
		r["description"] = desc
		return r
	}
	idParam := func(kind string) []obj {
		return []obj{{"name": "id", "in": "path", "required": true, "description": "the " + kind + " id (16 hex digits)",
			"schema": obj{"type": "string", "pattern": "^[0-9a-f]{16}$"}}}
	}
	common := func(rs obj, codes ...string) obj {
		for _, c := range codes {
			switch c {
			case "400":
				rs[c] = errResp("bad request: " + strings.Join([]string{CodeBadRequest, CodeInvalidJSON}, ", "))
			case "401":
				rs[c] = errResp("unauthorized: missing or wrong bearer token")
			case "404":
				rs[c] = errResp("not_found")
			case "409":
				rs[c] = errResp("conflict")
			case "413":
				rs[c] = errResp("too_large: the body exceeds the upload limit")
			case "429":
				rs[c] = errResp("queue_full")
			case "500":
				rs[c] = errResp("internal")
			case "503":
				rs[c] = errResp("unavailable, timeout or busy")
			}
		}
		return rs
	}
	upload := obj{"content": obj{"multipart/form-data": obj{"schema": obj{
		"type": "object", "required": []string{"file"},
		"properties": obj{"file": obj{"type": "string", "contentMediaType": "application/octet-stream",
			"description": "a table: .csv, .tsv, .txt, .parquet, .pq, .arrow, .feather, .ipc, .jsonl, .ndjson or .json, optionally .gz"}},
	}}}, "required": true}
	predictBody := obj{"required": true, "content": obj{
		"application/json": obj{"schema": schema(PredictRequest{})},
		"multipart/form-data": obj{"schema": obj{"type": "object", "required": []string{"model_id", "file"},
			"properties": obj{
				"model_id": obj{"type": "string"},
				"file":     obj{"type": "string", "contentMediaType": "application/octet-stream", "description": "a table with the model's input columns"},
			}}},
	}}
	paths := obj{
		"/health": obj{"get": obj{"operationId": "health", "tags": []string{"service"}, "summary": "Liveness", "security": []obj{},
			"responses": obj{"200": ok("the process is up", Health{})}}},
		"/ready": obj{"get": obj{"operationId": "ready", "tags": []string{"service"}, "summary": "Readiness: the store answers",
			"responses": common(obj{"200": ok("ready", Health{})}, "401", "503")}},
		"/analyze": obj{"post": obj{"operationId": "analyze", "tags": []string{"datasets"}, "summary": "Upload and profile a table",
			"description": "Stores the uploaded file, reads it and returns its profile for the suggested target (the last column that can be one).",
			"requestBody": upload,
			"responses": common(obj{"201": ok("stored and profiled", DatasetDetail{}),
				"400": errResp("bad_request, unsupported_format or invalid_dataset")}, "401", "413", "500", "503")}},
		"/datasets": obj{"get": obj{"operationId": "listDatasets", "tags": []string{"datasets"}, "summary": "List datasets, newest first",
			"responses": common(obj{"200": ok("the datasets", DatasetList{})}, "401", "500", "503")}},
		"/datasets/{id}": obj{
			"get": obj{"operationId": "getDataset", "tags": []string{"datasets"}, "summary": "A dataset and its profile", "parameters": idParam("dataset"),
				"responses": common(obj{"200": ok("the dataset", DatasetDetail{})}, "401", "404", "500", "503")},
			"delete": obj{"operationId": "deleteDataset", "tags": []string{"datasets"}, "summary": "Delete a dataset and its file", "parameters": idParam("dataset"),
				"responses": common(obj{"204": obj{"description": "deleted"}}, "401", "404", "409", "500", "503")},
		},
		"/pipeline/run": obj{"post": obj{"operationId": "run", "tags": []string{"pipeline"}, "summary": "Start a search as a background job",
			"requestBody": func() obj { b := jsonBody(RunRequest{}); b["required"] = true; return b }(),
			"responses":   common(obj{"202": ok("queued", RunResponse{})}, "400", "401", "404", "413", "429", "500", "503")}},
		"/pipeline/status/{id}": obj{"get": obj{"operationId": "status", "tags": []string{"pipeline"}, "summary": "A job's state, progress and leaderboard so far", "parameters": idParam("job"),
			"responses": common(obj{"200": ok("the job", Job{})}, "401", "404", "500", "503")}},
		"/pipeline/events/{id}": obj{"get": obj{"operationId": "events", "tags": []string{"pipeline"}, "summary": "A job's progress as server-sent events",
			"description": "text/event-stream: each event has id (JobEvent.seq), event (JobEvent.kind) and data (a JobEvent as JSON). Replays from the start or after Last-Event-ID, follows the job live, and ends after the event with a final state. Sends ': keep-alive' comments every 15 s.",
			"parameters":  append(idParam("job"), obj{"name": "Last-Event-ID", "in": "header", "required": false, "schema": obj{"type": "string"}, "description": "resume after this event id"}),
			"responses": common(obj{"200": obj{"description": "the event stream", "content": obj{"text/event-stream": obj{"schema": obj{"type": "string"},
				"x-event-schema": schema(JobEvent{})}}}}, "400", "401", "404", "500", "503")}},
		"/pipeline/cancel/{id}": obj{"post": obj{"operationId": "cancel", "tags": []string{"pipeline"}, "summary": "Cancel a queued or running job", "parameters": idParam("job"),
			"responses": common(obj{"200": ok("the job, cancelled or being cancelled", Job{})}, "401", "404", "409", "500", "503")}},
		"/pipeline/jobs": obj{"get": obj{"operationId": "listJobs", "tags": []string{"pipeline"}, "summary": "List jobs, newest first",
			"responses": common(obj{"200": ok("the jobs (without leaderboards)", JobList{})}, "401", "500", "503")}},
		"/models": obj{"get": obj{"operationId": "listModels", "tags": []string{"models"}, "summary": "List models, newest first",
			"responses": common(obj{"200": ok("the models", ModelList{})}, "401", "500", "503")}},
		"/models/{id}": obj{
			"get": obj{"operationId": "getModel", "tags": []string{"models"}, "summary": "A model: inputs, leaderboard, profile, importances", "parameters": idParam("model"),
				"responses": common(obj{"200": ok("the model", ModelDetail{})}, "401", "404", "500", "503")},
			"delete": obj{"operationId": "deleteModel", "tags": []string{"models"}, "summary": "Delete a model and its file", "parameters": idParam("model"),
				"responses": common(obj{"204": obj{"description": "deleted"}}, "401", "404", "500", "503")},
		},
		"/models/{id}/download": obj{"get": obj{"operationId": "downloadModel", "tags": []string{"models"}, "summary": "The predictor file (read by automl.Load)", "parameters": idParam("model"),
			"responses": common(obj{"200": obj{"description": "the file", "content": obj{"application/octet-stream": obj{"schema": obj{"type": "string", "contentMediaType": "application/octet-stream"}}}}}, "401", "404", "500")}},
		"/predict": obj{"post": obj{"operationId": "predict", "tags": []string{"predict"}, "summary": "Predict records (JSON) or a table (multipart)",
			"requestBody": predictBody,
			"responses": common(obj{"200": ok("one prediction per record", PredictResponse{}),
				"400": errResp("bad_request, invalid_json, invalid_columns, too_many_rows or invalid_dataset")}, "401", "404", "413", "500", "503")}},
		"/openapi.json": obj{"get": obj{"operationId": "openapi", "tags": []string{"service"}, "summary": "This document", "security": []obj{},
			"responses": obj{"200": obj{"description": "OpenAPI 3.1", "content": obj{"application/json": obj{"schema": obj{"type": "object"}}}}}}},
		"/docs": obj{"get": obj{"operationId": "docs", "tags": []string{"service"}, "summary": "This document as a web page", "security": []obj{},
			"responses": obj{"200": obj{"description": "HTML", "content": obj{"text/html": obj{"schema": obj{"type": "string"}}}}}}},
	}
	codes := []string{CodeBadRequest, CodeInvalidJSON, CodeInvalidDataset, CodeUnsupportedFormat, CodeInvalidColumns, CodeTooManyRows,
		CodeUnauthorized, CodeNotFound, CodeMethodNotAllowed, CodeConflict, CodeTooLarge, CodeQueueFull, CodeBusy, CodeTimeout, CodeUnavailable, CodeInternal}
	schema(ErrorResponse{})
	detail := ss.defs["ErrorDetail"].(obj)
	detail["properties"].(obj)["code"] = obj{"type": "string", "enum": codes}
	return obj{
		"openapi": "3.1.0",
		"info": obj{
			"title":   "automl service",
			"version": "1",
			"description": "Upload a table, profile it, run an AutoML search as a background job with live progress, " +
				"and predict with the models it produces. Errors are {\"error\": {\"code\", \"message\"}} with stable codes.",
		},
		"tags": []obj{
			{"name": "service"}, {"name": "datasets"}, {"name": "pipeline"}, {"name": "models"}, {"name": "predict"},
		},
		"paths": paths,
		"components": obj{
			"schemas": ss.defs,
			"securitySchemes": obj{
				"bearer":      obj{"type": "http", "scheme": "bearer", "description": "Options.Token / automl serve --token; not needed when the server has none"},
				"accessToken": obj{"type": "apiKey", "in": "query", "name": "access_token", "description": "the token as a query parameter, GET requests only (EventSource, download links)"},
			},
		},
		"security": []obj{{"bearer": []string{}}, {"accessToken": []string{}}},
	}
}
