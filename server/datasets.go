package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/automl-agent/automl/dataset"
)

// formats maps an upload's extension (lowercase, after any .gz) to the
// format name reported in Dataset.Format.
var formats = map[string]string{
	".csv": "csv", ".txt": "csv", ".tsv": "tsv",
	".parquet": "parquet", ".pq": "parquet",
	".arrow": "arrow", ".feather": "arrow", ".ipc": "arrow",
	".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
}

// uploadExt returns the extension a stored upload gets (such as ".csv" or
// ".csv.gz") and its format, from the client's file name; only the
// extension of the name is used, never the rest.
func uploadExt(name string) (ext, format string, err error) {
	lower := strings.ToLower(name)
	gz := strings.HasSuffix(lower, ".gz")
	lower = strings.TrimSuffix(lower, ".gz")
	ext = filepath.Ext(lower)
	format, ok := formats[ext]
	if !ok {
		return "", "", errorf(http.StatusBadRequest, CodeUnsupportedFormat,
			"unsupported file type %q: upload .csv, .tsv, .txt, .parquet, .pq, .arrow, .feather, .ipc, .jsonl, .ndjson or .json (optionally .gz)", displayName(name))
	}
	if gz {
		ext += ".gz"
	}
	return ext, format, nil
}

// displayName reduces a client's file name to a short base name for
// display: no directories, no control characters.
func displayName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if len(name) > 200 {
		name = name[:200]
	}
	return name
}

// receiveFile streams the multipart field "file" of r into a new file in
// dir named by id and the upload's extension, and returns that path, the
// client's file name and the format. Other fields are handed to field
// (which may be nil) with their values. The caller must remove the file.
func (s *Server) receiveFile(r *http.Request, dir, id string, field func(name, value string)) (path, name, format string, err error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return "", "", "", errorf(http.StatusBadRequest, CodeBadRequest, "want a multipart/form-data body with a file field")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return "", "", "", errorf(http.StatusBadRequest, CodeBadRequest, "bad multipart body")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if path != "" {
				os.Remove(path)
			}
			return "", "", "", uploadErr(err)
		}
		switch {
		case part.FormName() == "file" && path == "":
			name = displayName(part.FileName())
			ext, f, err := uploadExt(part.FileName())
			if err != nil {
				return "", "", "", err
			}
			format = f
			path = filepath.Join(dir, id+ext)
			if err := copyToFile(path, part); err != nil {
				os.Remove(path)
				return "", "", "", uploadErr(err)
			}
		case field != nil && part.FileName() == "":
			v, err := io.ReadAll(io.LimitReader(part, 4096))
			if err != nil {
				if path != "" {
					os.Remove(path)
				}
				return "", "", "", uploadErr(err)
			}
			field(part.FormName(), strings.TrimSpace(string(v)))
		}
		part.Close()
	}
	if path == "" {
		return "", "", "", errorf(http.StatusBadRequest, CodeBadRequest, "the form has no file field")
	}
	return path, name, format, nil
}

// uploadErr maps a body read error: too large stays itself (writeError
// answers too_large), anything else is a bad request.
func uploadErr(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return errorf(http.StatusBadRequest, CodeBadRequest, "the upload could not be read")
}

// copyToFile writes r to a new file at path.
func copyToFile(path string, r io.Reader) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// readTable reads the table at path, turning a reader error into an
// invalid_dataset error whose message names the upload, not the path.
func readTable(ctx context.Context, path, name, format string) (*dataset.Frame, error) {
	f, err := dataset.ReadFile(ctx, path)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		msg := strings.ReplaceAll(err.Error(), path, name)
		return nil, errorf(http.StatusBadRequest, CodeInvalidDataset, "%s cannot be read as %s: %s", name, format, msg)
	}
	if f.NumRows() == 0 || f.NumCols() == 0 {
		f.Release()
		return nil, errorf(http.StatusBadRequest, CodeInvalidDataset, "%s has no rows or no columns", name)
	}
	return f, nil
}

// suggestTarget profiles f and picks the column to predict: the last one
// that can be a target (not an identifier, constant, text or datetime
// column, and one the profile accepts as a target). It returns the profile
// for that target, or the target-less profile and "" when none fits.
func suggestTarget(f *dataset.Frame) (*dataset.Profile, error) {
	base, err := dataset.Analyze(f, "")
	if err != nil {
		return nil, err
	}
	tries := 0
	for j := len(base.Columns) - 1; j >= 0 && tries < 3; j-- {
		switch base.Columns[j].Kind {
		case dataset.KindIdentifier, dataset.KindConstant, dataset.KindText, dataset.KindDatetime:
			continue
		}
		tries++
		if p, err := dataset.Analyze(f, base.Columns[j].Name); err == nil {
			return p, nil
		}
	}
	return base, nil
}

// analyze handles POST /analyze: store the upload, read it, profile it.
func (s *Server) analyze(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, s.o.MaxUpload)
	id := newID()
	tmp, name, format, err := s.receiveFile(r, s.dirs.tmp, id, nil)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer os.Remove(tmp) // a no-op once renamed
	fi, err := os.Stat(tmp)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	frame, err := readTable(r.Context(), tmp, name, format)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	prof, err := suggestTarget(frame)
	names := frame.Names()
	frame.Release()
	if err != nil {
		s.writeError(w, r, errorf(http.StatusBadRequest, CodeInvalidDataset, "%s cannot be profiled", name))
		return
	}
	profJSON, err := json.Marshal(prof)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d := Dataset{
		ID: id, Name: name, Format: format, Size: fi.Size(), Rows: prof.Rows, Cols: prof.Cols,
		Columns: names, SuggestedTarget: prof.Target, SuggestedTask: prof.Task,
		CreatedAt: time.Now().UTC(),
	}
	file := filepath.Base(tmp)
	if err := os.Rename(tmp, filepath.Join(s.dirs.datasets, file)); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.store.insertDataset(r.Context(), datasetRow{Dataset: d, Profile: profJSON, File: file}); err != nil {
		os.Remove(filepath.Join(s.dirs.datasets, file))
		s.writeError(w, r, err)
		return
	}
	s.log.InfoContext(r.Context(), "dataset stored", "dataset", id, "rows", d.Rows, "cols", d.Cols, "format", format)
	writeJSON(w, http.StatusCreated, DatasetDetail{DatasetID: id, Dataset: d, Profile: prof})
}

func (s *Server) listDatasets(w http.ResponseWriter, r *http.Request) {
	ds, err := s.store.datasets(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, DatasetList{Datasets: ds})
}

// lookupDataset returns the dataset named by the {id} path value.
func (s *Server) lookupDataset(r *http.Request) (datasetRow, error) {
	id, err := pathID(r, "dataset")
	if err != nil {
		return datasetRow{}, err
	}
	d, err := s.store.dataset(r.Context(), id)
	if errors.Is(err, errNotFound) {
		return d, notFound("dataset", id)
	}
	return d, err
}

func (s *Server) getDataset(w http.ResponseWriter, r *http.Request) {
	d, err := s.lookupDataset(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var prof dataset.Profile
	if err := json.Unmarshal(d.Profile, &prof); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, DatasetDetail{DatasetID: d.Dataset.ID, Dataset: d.Dataset, Profile: &prof})
}

// deleteDataset deletes a dataset and its file, unless a live job uses
// it (conflict). Jobs and models made from it are kept.
func (s *Server) deleteDataset(w http.ResponseWriter, r *http.Request) {
	d, err := s.lookupDataset(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id := d.Dataset.ID
	if s.jobs.usesDataset(id) {
		s.writeError(w, r, errorf(http.StatusConflict, CodeConflict, "dataset %q is used by a queued or running job", id))
		return
	}
	file, err := s.store.deleteDataset(r.Context(), id)
	if errors.Is(err, errNotFound) {
		err = notFound("dataset", id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := os.Remove(filepath.Join(s.dirs.datasets, filepath.Base(file))); err != nil && !errors.Is(err, os.ErrNotExist) {
		s.log.WarnContext(r.Context(), "dataset file not removed", "dataset", id, "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
}
