// Package web holds the dashboard of the automl service: plain HTML, CSS
// and JavaScript files embedded in the binary, so nothing (no Node, no
// CDN, no web fonts) is needed to build or serve them.
//
// The dashboard talks to the service's JSON API with relative URLs only
// (fetch("pipeline/run"), new EventSource("pipeline/events/ID")), so the
// handler that serves FS at "/" can itself be mounted under any prefix
// of another router with http.StripPrefix.
//
// # Files
//
//   - index.html: the single page (landing, upload, profile, run,
//     live progress, leaderboard, importances, predict, history)
//   - app.css: responsive styles for laptop and phone widths, light and
//     dark colour schemes, visible focus rings
//   - app.js: the client; it reads an optional bearer token from
//     localStorage and sends it as an Authorization header
//   - favicon.svg
package web

import (
	"embed"
	"io/fs"
)

//go:embed static
var static embed.FS

// FS returns the dashboard's files, read-only, with index.html at the
// root. It is safe for concurrent use; serve it with
// http.FileServerFS(web.FS()).
func FS() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		// fs.Sub fails only on an invalid path name, and "static" is valid:
		// reaching here means the embed directive itself was broken at
		// build time, which the package test catches.
		return static
	}
	return sub
}
