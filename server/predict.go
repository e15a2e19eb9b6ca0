package server

import (
	"context"
	"errors"
	"math"
	"mime"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/dataset"
)

// predictHandler handles POST /predict: JSON records, or a multipart
// form with model_id and a table file.
func (s *Server) predictHandler(w http.ResponseWriter, r *http.Request) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var resp *PredictResponse
	var err error
	if ct == "multipart/form-data" {
		resp, err = s.predictFile(w, r)
	} else {
		resp, err = s.predictJSON(w, r)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) predictJSON(w http.ResponseWriter, r *http.Request) (*PredictResponse, error) {
	var req PredictRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		return nil, err
	}
	if req.ModelID == "" {
		return nil, errorf(http.StatusBadRequest, CodeBadRequest, "model_id is required")
	}
	if len(req.Records) == 0 {
		return nil, errorf(http.StatusBadRequest, CodeBadRequest, "records is empty")
	}
	if len(req.Records) > s.o.MaxPredictRows {
		return nil, errorf(http.StatusBadRequest, CodeTooManyRows, "%d records exceed the limit of %d per request", len(req.Records), s.o.MaxPredictRows)
	}
	m, err := s.modelFor(r.Context(), req.ModelID)
	if err != nil {
		return nil, err
	}
	p := m.p
	if err := checkRecords(req.Records, m); err != nil {
		return nil, err
	}
	release, err := s.acquirePredict(r.Context())
	if err != nil {
		return nil, err
	}
	defer release()
	pr, err := p.PredictRecords(r.Context(), req.Records)
	if err != nil {
		return nil, predictErr(r.Context(), err)
	}
	return predictResponse(req.ModelID, p, pr), nil
}

func (s *Server) predictFile(w http.ResponseWriter, r *http.Request) (*PredictResponse, error) {
	r.Body = http.MaxBytesReader(w, r.Body, s.o.MaxUpload)
	var modelID string
	path, name, format, err := s.receiveFile(r, s.dirs.tmp, newID(), func(k, v string) {
		if k == "model_id" {
			modelID = v
		}
	})
	if err != nil {
		return nil, err
	}
	defer os.Remove(path)
	if modelID == "" {
		return nil, errorf(http.StatusBadRequest, CodeBadRequest, "model_id is required (a form field before the file)")
	}
	m, err := s.modelFor(r.Context(), modelID)
	if err != nil {
		return nil, err
	}
	p := m.p
	f, err := dataset.ReadFile(r.Context(), path, dataset.ReadOptions{MaxRows: s.o.MaxPredictRows + 1})
	if err != nil {
		if r.Context().Err() != nil {
			return nil, r.Context().Err()
		}
		return nil, errorf(http.StatusBadRequest, CodeInvalidDataset, "%s cannot be read as %s: %s", name, format, strings.ReplaceAll(err.Error(), path, name))
	}
	defer f.Release()
	if f.NumRows() == 0 {
		return nil, errorf(http.StatusBadRequest, CodeInvalidDataset, "%s has no rows", name)
	}
	if f.NumRows() > s.o.MaxPredictRows {
		return nil, errorf(http.StatusBadRequest, CodeTooManyRows, "%s has more than %d rows, the limit per request", name, s.o.MaxPredictRows)
	}
	var missing []string
	for _, c := range p.Columns() {
		if f.ColumnIndex(c) < 0 {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, errorf(http.StatusBadRequest, CodeInvalidColumns, "%s lacks the model's columns %s (it reads %s)",
			name, quoteList(missing), quoteList(p.Columns()))
	}
	release, err := s.acquirePredict(r.Context())
	if err != nil {
		return nil, err
	}
	defer release()
	pr, err := p.Predict(r.Context(), f)
	if err != nil {
		return nil, predictErr(r.Context(), err)
	}
	return predictResponse(modelID, p, pr), nil
}

// modelFor returns a model by an id from a request body.
func (s *Server) modelFor(ctx context.Context, id string) (*loaded, error) {
	if !idPattern.MatchString(id) {
		return nil, notFound("model", id)
	}
	return s.model(ctx, id)
}

// acquirePredict waits for a prediction slot (Options.MaxPredictions of
// them) until ctx ends, which is a busy error.
func (s *Server) acquirePredict(ctx context.Context) (release func(), err error) {
	select {
	case s.predict <- struct{}{}:
		return func() { <-s.predict }, nil
	case <-ctx.Done():
		return nil, errorf(http.StatusServiceUnavailable, CodeBusy, "too many predictions at once; retry")
	}
}

// predictErr maps a predictor error: its ErrPredict messages are about
// the request's values and are shown.
func predictErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, automl.ErrPredict) {
		return errorf(http.StatusBadRequest, CodeBadRequest, "%s", firstLine(strings.TrimPrefix(err.Error(), "automl: cannot predict: ")))
	}
	return err
}

// checkRecords refuses records with a column the model does not know
// (neither an input of the predictor nor a column of its training data)
// and records with none of the predictor's inputs.
func checkRecords(records []map[string]any, m *loaded) error {
	var unknown []string
	for i, rec := range records {
		has := false
		for k := range rec {
			switch {
			case !m.known[k]:
				if !slices.Contains(unknown, k) {
					unknown = append(unknown, k)
				}
			case m.inputs[k]:
				has = true
			}
		}
		if len(unknown) > 0 {
			sort.Strings(unknown)
			return errorf(http.StatusBadRequest, CodeInvalidColumns, "record %d: unknown columns %s (the model reads %s)", i, quoteList(unknown), quoteList(m.p.Columns()))
		}
		if !has {
			return errorf(http.StatusBadRequest, CodeInvalidColumns, "record %d has none of the model's columns %s", i, quoteList(m.p.Columns()))
		}
	}
	return nil
}

// quoteList formats names as "a", "b", "c" (at most 20, then "...").
func quoteList(names []string) string {
	var b strings.Builder
	for i, n := range names {
		if i == 20 {
			b.WriteString(", ...")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`"` + n + `"`)
	}
	return b.String()
}

// predictResponse shapes predictions for JSON: labels or numbers (null
// for a NaN), and probability rows for classification.
func predictResponse(id string, p *automl.Predictor, pr *automl.Predictions) *PredictResponse {
	out := &PredictResponse{ModelID: id, Task: p.Task()}
	n := len(pr.Values)
	out.Predictions = make([]any, n)
	for i := range n {
		switch {
		case pr.Labels != nil:
			out.Predictions[i] = pr.Labels[i]
		case math.IsNaN(pr.Values[i]) || math.IsInf(pr.Values[i], 0):
			out.Predictions[i] = nil
		default:
			out.Predictions[i] = pr.Values[i]
		}
	}
	if k := len(pr.Classes); k > 0 && len(pr.Proba) == n*k {
		out.Classes = pr.Classes
		out.Probabilities = make([][]float64, n)
		for i := range n {
			out.Probabilities[i] = pr.Proba[i*k : (i+1)*k]
		}
	}
	return out
}
