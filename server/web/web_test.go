package web_test

import (
	"io/fs"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/server/web"
)

func TestFSHoldsTheDashboard(t *testing.T) {
	fsys := web.FS()
	for _, name := range []string{"index.html", "app.js", "app.css", "favicon.svg"} {
		b, err := fs.ReadFile(fsys, name)
		require.NoError(t, err, name)
		assert.NotEmpty(t, b, name)
	}
	// Only the static files: no Go sources, no test files.
	entries, err := fs.ReadDir(fsys, ".")
	require.NoError(t, err)
	for _, e := range entries {
		assert.NotRegexp(t, `\.go$`, e.Name())
	}
}

// The dashboard must work when the handler is mounted under a prefix, so
// no file may use an absolute path, and nothing may come from another
// host (the service often runs without internet).
func TestDashboardUsesRelativeURLsOnly(t *testing.T) {
	fsys := web.FS()
	absolute := regexp.MustCompile(`(?:src|href|action)\s*=\s*["']/|fetch\(\s*["']/|api\(\s*["']/|EventSource\(\s*["']/|url\(\s*["']?/`)
	external := regexp.MustCompile(`(?:src|href)\s*=\s*["']https?:|@import|url\(\s*["']?https?:|fetch\(\s*["']https?:`)
	for _, name := range []string{"index.html", "app.js", "app.css"} {
		b, err := fs.ReadFile(fsys, name)
		require.NoError(t, err)
		assert.Empty(t, absolute.FindAllString(string(b), -1), "%s uses an absolute URL", name)
		assert.Empty(t, external.FindAllString(string(b), -1), "%s loads from another host", name)
	}
}

func TestIndexLinksItsAssets(t *testing.T) {
	b, err := fs.ReadFile(web.FS(), "index.html")
	require.NoError(t, err)
	html := string(b)
	for _, ref := range []string{`href="app.css"`, `src="app.js"`, `href="favicon.svg"`, `name="viewport"`, `aria-live="polite"`} {
		assert.Contains(t, html, ref)
	}
}
