package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"

	"github.com/automl-agent/automl"
)

// loaded is a model ready to predict: its predictor and the columns a
// record may name (the predictor's inputs, the training table's columns
// and the target).
type loaded struct {
	p             *automl.Predictor
	inputs, known map[string]bool
}

// newLoaded pairs p with the columns of its training profile.
func newLoaded(p *automl.Predictor, d *ModelDetail) *loaded {
	inputs, known := map[string]bool{}, map[string]bool{p.Target(): true}
	for _, c := range p.Columns() {
		inputs[c], known[c] = true, true
	}
	if d.Profile != nil {
		for _, c := range d.Profile.Columns {
			known[c.Name] = true
		}
	}
	return &loaded{p: p, inputs: inputs, known: known}
}

// modelCache keeps up to size loaded models, dropping the least recently
// used, so that a prediction touches neither the store nor the disk.
// Loads are serialised: they are rare and a predictor file can be large.
type modelCache struct {
	size int

	mu    sync.Mutex
	order []string // least recently used first
	preds map[string]*loaded

	load sync.Mutex
}

func newModelCache(size int) *modelCache {
	return &modelCache{size: size, preds: map[string]*loaded{}}
}

func (c *modelCache) get(id string) *loaded {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.preds[id]
	if p != nil {
		c.touch(id)
	}
	return p
}

// touch moves id to the most recently used end. c.mu must be held.
func (c *modelCache) touch(id string) {
	for i, o := range c.order {
		if o == id {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
	c.order = append(c.order, id)
}

func (c *modelCache) put(id string, p *loaded) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.preds[id] = p
	c.touch(id)
	for len(c.order) > c.size {
		delete(c.preds, c.order[0])
		c.order = c.order[1:]
	}
}

func (c *modelCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.preds, id)
	for i, o := range c.order {
		if o == id {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
}

// model returns model id, loaded: from the cache, else from the store
// and its file.
func (s *Server) model(ctx context.Context, id string) (*loaded, error) {
	if m := s.models.get(id); m != nil {
		return m, nil
	}
	s.models.load.Lock()
	defer s.models.load.Unlock()
	if m := s.models.get(id); m != nil {
		return m, nil
	}
	row, err := s.store.model(ctx, id)
	if errors.Is(err, errNotFound) {
		return nil, notFound("model", id)
	}
	if err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(s.dirs.models, filepath.Base(row.File)))
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", id, err)
	}
	defer f.Close()
	p, err := automl.Load(f)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", id, err)
	}
	m := newLoaded(p, &row.Detail)
	s.models.put(id, m)
	return m, nil
}

// lookupModel returns the model named by the {id} path value.
func (s *Server) lookupModel(r *http.Request) (modelRow, error) {
	id, err := pathID(r, "model")
	if err != nil {
		return modelRow{}, err
	}
	m, err := s.store.model(r.Context(), id)
	if errors.Is(err, errNotFound) {
		return m, notFound("model", id)
	}
	return m, err
}

func (s *Server) listModels(w http.ResponseWriter, r *http.Request) {
	ms, err := s.store.models(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ModelList{Models: ms})
}

func (s *Server) getModel(w http.ResponseWriter, r *http.Request) {
	m, err := s.lookupModel(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m.Detail)
}

// download handles GET /models/{id}/download: the predictor file, which
// automl.Load (and automl predict --model) reads.
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	m, err := s.lookupModel(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := os.Open(filepath.Join(s.dirs.models, filepath.Base(m.File)))
	if err != nil {
		s.writeError(w, r, fmt.Errorf("model file: %w", err))
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	name := fmt.Sprintf("%s-%s.automl", safeFileName(m.Detail.Model.Target), m.Detail.Model.ID)
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	http.ServeContent(w, r, name, fi.ModTime(), f)
}

// safeFileName keeps the letters, digits, '-' and '_' of s (at most 40).
func safeFileName(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s) && len(b) < 40; i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
			b = append(b, c)
		case c == ' ' || c == '.':
			b = append(b, '_')
		}
	}
	if len(b) == 0 {
		return "model"
	}
	return string(b)
}

func (s *Server) deleteModel(w http.ResponseWriter, r *http.Request) {
	m, err := s.lookupModel(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id := m.Detail.Model.ID
	file, err := s.store.deleteModel(r.Context(), id)
	if errors.Is(err, errNotFound) {
		err = notFound("model", id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.models.load.Lock() // not while a load of it is under way
	s.models.drop(id)
	s.models.load.Unlock()
	if err := os.Remove(filepath.Join(s.dirs.models, filepath.Base(file))); err != nil && !errors.Is(err, os.ErrNotExist) {
		s.log.WarnContext(r.Context(), "model file not removed", "model", id, "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
}
