package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/automl-agent/automl"
	"github.com/automl-agent/automl/planner"
	"github.com/automl-agent/automl/server/web"
)

// Options configures a Server. Only DataDir is required; every other zero
// field means the default its comment gives.
type Options struct {
	// DataDir holds the database (automl.db) and the uploaded datasets and
	// model files. It is created if missing. Required.
	DataDir string
	// Token, when set, must be sent as "Authorization: Bearer <Token>" on
	// every request except GET /health, the dashboard's static files, GET
	// /docs and GET /openapi.json. Empty means no authentication.
	Token string
	// CORSOrigins lists the origins (such as "http://localhost:5173")
	// allowed to call the API from a browser; "*" allows any. Nil means
	// none: only same-origin pages (the embedded dashboard) can.
	CORSOrigins []string
	// MaxUpload caps a request body in bytes; 0 means 512 MiB.
	MaxUpload int64
	// MaxPredictRows caps the rows of one predict request; 0 means 10,000.
	MaxPredictRows int
	// Jobs is how many jobs run at once; 0 means 1.
	Jobs int
	// MaxQueued is how many jobs may wait for a runner; more are refused
	// with queue_full. 0 means 16.
	MaxQueued int
	// DefaultBudget is the time budget of a run that gives none; 0 means
	// one minute. MaxBudget is the largest budget a run may ask for; 0
	// means one hour.
	DefaultBudget time.Duration
	MaxBudget     time.Duration
	// Parallelism is automl.Options.Parallelism for every job; 0 means
	// GOMAXPROCS.
	Parallelism int
	// MaxPredictions is how many predictions run at once; more wait (until
	// their request times out). 0 means 2*GOMAXPROCS.
	MaxPredictions int
	// RequestTimeout bounds each request except the event streams and
	// downloads; 0 means one minute, a negative value none.
	RequestTimeout time.Duration
	// ModelCache is how many loaded predictors are kept in memory; 0
	// means 8.
	ModelCache int
	// LLMPlanner plans the runs that ask for planner "llm" (usually a
	// *planner.LLM); nil means such runs are refused.
	LLMPlanner planner.Planner
	// Executor fits every job's trials (automl.Options.Executor), e.g. on
	// Temporal workers (the temporal module's NewExecutor); nil means in
	// this process.
	Executor automl.TrialExecutor
	// Logger receives one line per request and the errors; nil means
	// discard.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.MaxUpload <= 0 {
		o.MaxUpload = 512 << 20
	}
	if o.MaxPredictRows <= 0 {
		o.MaxPredictRows = 10_000
	}
	if o.Jobs <= 0 {
		o.Jobs = 1
	}
	if o.MaxQueued <= 0 {
		o.MaxQueued = 16
	}
	if o.DefaultBudget <= 0 {
		o.DefaultBudget = time.Minute
	}
	if o.MaxBudget <= 0 {
		o.MaxBudget = time.Hour
	}
	if o.MaxPredictions <= 0 {
		o.MaxPredictions = 2 * runtime.GOMAXPROCS(0)
	}
	if o.RequestTimeout == 0 {
		o.RequestTimeout = time.Minute
	}
	if o.ModelCache <= 0 {
		o.ModelCache = 8
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Server is the automl service. Make one with New, serve its Handler, and
// Close it when done. Its methods are safe for concurrent use.
type Server struct {
	o       Options
	log     *slog.Logger
	store   *store
	dirs    dirs
	handler http.Handler
	mux     *http.ServeMux
	jobs    *runner
	models  *modelCache
	predict chan struct{} // semaphore of running predictions

	// closing is closed when Close begins; requests hold inflight (read
	// locked) while they run, so Close can wait for them.
	closing   chan struct{}
	inflight  sync.RWMutex
	closeOnce sync.Once
	closeErr  error
}

// dirs are the directories under DataDir.
type dirs struct {
	root, datasets, models, tmp string
}

// New opens (or creates) the store in o.DataDir, marks the jobs that were
// queued or running when the last server stopped as interrupted, and
// starts o.Jobs job runners. The caller must Close the Server.
func New(o Options) (*Server, error) {
	if o.DataDir == "" {
		return nil, fmt.Errorf("%w: DataDir is required", ErrOptions)
	}
	if o.MaxBudget > 0 && o.DefaultBudget > o.MaxBudget {
		return nil, fmt.Errorf("%w: DefaultBudget %v exceeds MaxBudget %v", ErrOptions, o.DefaultBudget, o.MaxBudget)
	}
	o = o.withDefaults()
	root, err := filepath.Abs(o.DataDir)
	if err != nil {
		return nil, fmt.Errorf("%w: DataDir: %w", ErrOptions, err)
	}
	d := dirs{root: root, datasets: filepath.Join(root, "datasets"), models: filepath.Join(root, "models"), tmp: filepath.Join(root, "tmp")}
	for _, p := range []string{d.root, d.datasets, d.models, d.tmp} {
		if err := os.MkdirAll(p, 0o750); err != nil {
			return nil, fmt.Errorf("server: data dir: %w", err)
		}
	}
	ctx := context.Background()
	st, err := openStore(ctx, filepath.Join(root, "automl.db"))
	if err != nil {
		return nil, fmt.Errorf("server: store: %w", err)
	}
	if n, err := st.interruptLive(ctx); err != nil {
		st.close()
		return nil, fmt.Errorf("server: store: %w", err)
	} else if n > 0 {
		o.Logger.Warn("jobs interrupted by the last shutdown", "jobs", n)
	}
	s := &Server{
		o:       o,
		log:     o.Logger,
		store:   st,
		dirs:    d,
		models:  newModelCache(o.ModelCache),
		predict: make(chan struct{}, o.MaxPredictions),
		closing: make(chan struct{}),
	}
	s.jobs = newRunner(s)
	s.mux = s.routes()
	s.handler = s.middleware(s.mux)
	return s, nil
}

// Handler returns the service's http.Handler: the JSON API and the
// dashboard at "/". It can be mounted under a prefix of another router
// with http.StripPrefix("/ml", s.Handler()).
func (s *Server) Handler() http.Handler { return s.handler }

// closeWait bounds how long Close waits for requests in flight.
const closeWait = 10 * time.Second

// Close stops the server: new requests get unavailable (503); running
// jobs are cancelled and end as interrupted, as do queued ones; event
// streams end; Close waits for the jobs and (up to 10 s) for the requests
// in flight, then closes the store. Close is idempotent. Close the
// http.Server that serves the Handler after it (its Shutdown waits for
// the event streams Close ends).
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.jobs.close()
		locked := make(chan struct{})
		go func() {
			s.inflight.Lock()
			close(locked)
		}()
		select {
		case <-locked:
		case <-time.After(closeWait):
			s.log.Warn("closing with requests still in flight")
		}
		s.closeErr = s.store.close()
	})
	return s.closeErr
}

// isClosing reports whether Close has begun.
func (s *Server) isClosing() bool {
	select {
	case <-s.closing:
		return true
	default:
		return false
	}
}

// route is one registered API route.
type route struct {
	pattern string
	handler http.HandlerFunc
	// public routes need no token; stream routes get no request timeout.
	public, stream bool
}

// apiRoutes lists every API route; openapi.go documents each of them.
func (s *Server) apiRoutes() []route {
	return []route{
		{pattern: "GET /health", handler: s.health, public: true},
		{pattern: "GET /ready", handler: s.ready},
		{pattern: "POST /analyze", handler: s.analyze},
		{pattern: "GET /datasets", handler: s.listDatasets},
		{pattern: "GET /datasets/{id}", handler: s.getDataset},
		{pattern: "DELETE /datasets/{id}", handler: s.deleteDataset},
		{pattern: "POST /pipeline/run", handler: s.run},
		{pattern: "GET /pipeline/status/{id}", handler: s.status},
		{pattern: "GET /pipeline/events/{id}", handler: s.events, stream: true},
		{pattern: "POST /pipeline/cancel/{id}", handler: s.cancel},
		{pattern: "GET /pipeline/jobs", handler: s.listJobs},
		{pattern: "GET /models", handler: s.listModels},
		{pattern: "GET /models/{id}", handler: s.getModel},
		{pattern: "GET /models/{id}/download", handler: s.download, stream: true},
		{pattern: "DELETE /models/{id}", handler: s.deleteModel},
		{pattern: "POST /predict", handler: s.predictHandler},
		{pattern: "GET /openapi.json", handler: s.openAPI, public: true},
		{pattern: "GET /docs", handler: s.docs, public: true},
	}
}

// routes builds the mux: the API routes, each wrapped in its auth and
// timeout policy, the dashboard at "GET /", and a JSON 404/405 for the
// rest.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	for _, rt := range s.apiRoutes() {
		var h http.Handler = rt.handler
		if !rt.stream {
			h = s.withTimeout(h)
		}
		if !rt.public {
			h = s.requireToken(h)
		}
		mux.Handle(rt.pattern, h)
	}
	mux.Handle("GET /", s.static(web.FS()))
	mux.HandleFunc("/", s.noRoute)
	return mux
}

// static serves the dashboard's files; a missing file is a JSON 404.
func (s *Server) static(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		if name == "" {
			name = "index.html"
		}
		if _, err := fs.Stat(fsys, name); err != nil || strings.HasSuffix(name, "/") {
			s.writeError(w, r, errorf(http.StatusNotFound, CodeNotFound, "no route %s %s", r.Method, r.URL.Path))
			return
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}

// noRoute answers requests no route matches: 405 when the path exists
// for other methods, 404 otherwise.
func (s *Server) noRoute(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
		if m == r.Method {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, p := s.mux.Handler(probe); p != "" && p != "/" && p != "GET /" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		s.writeError(w, r, errorf(http.StatusMethodNotAllowed, CodeMethodNotAllowed, "%s is not allowed here (allowed: %s)", r.Method, strings.Join(allow, ", ")))
		return
	}
	s.writeError(w, r, errorf(http.StatusNotFound, CodeNotFound, "no route %s %s", r.Method, r.URL.Path))
}

// --- middleware

// middleware wraps the mux in (outermost first) panic recovery and
// request logging, then CORS.
func (s *Server) middleware(h http.Handler) http.Handler {
	return s.recoverAndLog(s.cors(h))
}

// statusWriter records the status and size of a response. It passes
// Flush and the deadlines through (via Unwrap) for event streams.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// recoverAndLog logs one line per request (never the query string, which
// may hold a token) and turns a handler panic into a 500 internal error.
func (s *Server) recoverAndLog(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "panic in handler", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if sw.status == 0 {
					writeJSON(sw, http.StatusInternalServerError, ErrorResponse{Error: ErrorDetail{Code: CodeInternal, Message: "internal error"}})
				}
			}
			s.log.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
				"bytes", sw.bytes, "duration", time.Since(start), "remote", r.RemoteAddr)
		}()
		if s.isClosing() {
			s.writeError(sw, r, ErrClosed)
			return
		}
		s.inflight.RLock()
		defer s.inflight.RUnlock()
		if s.isClosing() {
			s.writeError(sw, r, ErrClosed)
			return
		}
		h.ServeHTTP(sw, r)
	})
}

// cors adds the CORS headers for an allowed Origin and answers preflight
// requests (OPTIONS with Access-Control-Request-Method) with 204.
func (s *Server) cors(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		allowed := origin != "" && (slices.Contains(s.o.CORSOrigins, origin) || slices.Contains(s.o.CORSOrigins, "*"))
		if origin != "" {
			w.Header().Add("Vary", "Origin")
		}
		if allowed {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Expose-Headers", "Content-Disposition")
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			if allowed {
				w.Header().Set("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
				w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID")
				w.Header().Set("Access-Control-Max-Age", "600")
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// requireToken checks the bearer token when Options.Token is set. GET
// requests may pass it as the access_token query parameter instead (for
// EventSource and download links, which cannot set headers).
func (s *Server) requireToken(h http.Handler) http.Handler {
	if s.o.Token == "" {
		return h
	}
	want := []byte(s.o.Token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok && r.Method == http.MethodGet {
			got, ok = r.URL.Query().Get("access_token"), r.URL.Query().Has("access_token")
		}
		if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="automl"`)
			s.writeError(w, r, errorf(http.StatusUnauthorized, CodeUnauthorized, "a valid bearer token is required"))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// withTimeout bounds the request's context by Options.RequestTimeout.
func (s *Server) withTimeout(h http.Handler) http.Handler {
	if s.o.RequestTimeout < 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.o.RequestTimeout)
		defer cancel()
		// Bound the body read as well, where the connection allows it.
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.o.RequestTimeout))
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// --- ids

// idPattern is the form of every server-made id: 16 lowercase hex digits.
var idPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)

// newID returns a random 64-bit id in hex.
func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// pathID returns the {id} path value if it has the form of an id, or a
// not-found error naming kind: no request value reaches the file system
// or the store unchecked.
func pathID(r *http.Request, kind string) (string, error) {
	id := r.PathValue("id")
	if !idPattern.MatchString(id) {
		return "", notFound(kind, id)
	}
	return id, nil
}

// --- health

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, Health{Status: "ok", Version: "1"})
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	if err := s.store.ping(r.Context()); err != nil {
		s.log.ErrorContext(r.Context(), "store unreachable", "err", err)
		s.writeError(w, r, errorf(http.StatusServiceUnavailable, CodeUnavailable, "the store is unreachable"))
		return
	}
	writeJSON(w, http.StatusOK, Health{Status: "ok", Version: "1"})
}
