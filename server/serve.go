package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Serve serves s.Handler on ln until ctx ends or the listener fails, then
// shuts down gracefully and closes s: Close first (running jobs end as
// interrupted, which ends their event streams, which an HTTP shutdown
// would otherwise wait for), then the HTTP server, waiting up to 10 s for
// the requests in flight. logger (nil: the Options' Logger) receives the
// HTTP server's own errors. It returns the listener's error, or Close's.
func (s *Server) Serve(ctx context.Context, ln net.Listener, logger *slog.Logger) error {
	if logger == nil {
		logger = s.log
	}
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		s.Close()
		return err
	case <-ctx.Done():
	}
	closeErr := s.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		hs.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return closeErr
}
