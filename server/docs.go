package server

import (
	_ "embed"
	"net/http"
)

// docsHTML renders /openapi.json with plain JavaScript: no CDN, no
// framework, so it works offline.
//
//go:embed docs/index.html
var docsHTML []byte

func (s *Server) docs(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'")
	w.Write(docsHTML)
}
