package server

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOpenAPIDocumentsEveryRoute parses GET /openapi.json and checks that
// every API route registered on the mux is documented with its method,
// path parameters and responses, and that every $ref resolves.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	srv := start(t, Options{DataDir: t.TempDir()})
	status, b, h := srv.c.do(http.MethodGet, "/openapi.json", nil, "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "application/json", h.Get("Content-Type"))
	var spec struct {
		OpenAPI string `json:"openapi"`
		Info    struct {
			Title, Version string
		} `json:"info"`
		Paths map[string]map[string]struct {
			OperationID string           `json:"operationId"`
			Summary     string           `json:"summary"`
			Parameters  []map[string]any `json:"parameters"`
			Responses   map[string]any   `json:"responses"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(b, &spec))
	assert.Equal(t, "3.1.0", spec.OpenAPI)
	assert.NotEmpty(t, spec.Info.Title)
	assert.NotEmpty(t, spec.Info.Version)

	routes := srv.s.apiRoutes()
	require.NotEmpty(t, routes)
	documented := 0
	ids := map[string]bool{}
	for _, item := range spec.Paths {
		documented += len(item)
	}
	assert.Equal(t, len(routes), documented, "the document has operations that are not routes, or misses some")
	param := regexp.MustCompile(`\{(\w+)\}`)
	for _, rt := range routes {
		method, path, ok := strings.Cut(rt.pattern, " ")
		require.True(t, ok, rt.pattern)
		// Each pattern resolves on the mux to itself.
		req, err := http.NewRequest(method, "http://x"+param.ReplaceAllString(path, "0123456789abcdef"), nil)
		require.NoError(t, err)
		_, got := srv.s.mux.Handler(req)
		assert.Equal(t, rt.pattern, got)

		op, ok := spec.Paths[path][strings.ToLower(method)]
		if !assert.True(t, ok, "%s is not documented", rt.pattern) {
			continue
		}
		assert.NotEmpty(t, op.Summary, rt.pattern)
		assert.NotEmpty(t, op.OperationID, rt.pattern)
		assert.False(t, ids[op.OperationID], "duplicate operationId %s", op.OperationID)
		ids[op.OperationID] = true
		assert.NotEmpty(t, op.Responses, rt.pattern)
		for _, m := range param.FindAllStringSubmatch(path, -1) {
			found := false
			for _, p := range op.Parameters {
				if p["name"] == m[1] && p["in"] == "path" && p["required"] == true {
					found = true
				}
			}
			assert.True(t, found, "%s: path parameter %s is not documented", rt.pattern, m[1])
		}
		// Every route but the public ones documents 401.
		if !rt.public {
			assert.Contains(t, op.Responses, "401", rt.pattern)
		}
	}

	// Every $ref points at a schema.
	var walk func(v any)
	refs := 0
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if r, ok := x["$ref"].(string); ok {
				refs++
				name, ok := strings.CutPrefix(r, "#/components/schemas/")
				assert.True(t, ok, r)
				assert.Contains(t, spec.Components.Schemas, name)
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	var raw any
	require.NoError(t, json.Unmarshal(b, &raw))
	walk(raw)
	assert.Greater(t, refs, 20)
	for _, name := range []string{"Job", "JobEvent", "DatasetDetail", "PredictRequest", "PredictResponse", "ErrorResponse", "dataset.Profile", "evaluate.Leaderboard"} {
		assert.Contains(t, spec.Components.Schemas, name)
	}

	// The docs page loads the document with a relative URL and nothing
	// from elsewhere.
	status, page, _ := srv.c.do(http.MethodGet, "/docs", nil, "")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, string(page), `fetch("openapi.json")`)
	assert.NotContains(t, string(page), "http://")
	assert.NotContains(t, string(page), "https://")
}
