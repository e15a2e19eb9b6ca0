package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"512MB": 512e6, "1GiB": 1 << 30, "1000": 1000, "64 KiB": 64 << 10, "1.5k": 1500, "2g": 2e9} {
		got, err := parseSize(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "MB", "-1MB", "12XB", "0", "1e9"} {
		_, err := parseSize(in)
		assert.Error(t, err, in)
	}
}

// TestServe starts `automl serve` on a free loopback port, checks it
// answers with the token, and stops it as SIGINT would (ctx cancelled).
func TestServe(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dir, "--token", "t0k", "--quiet"}, io.Discard, pw)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	require.NoError(t, err)
	go io.Copy(io.Discard, pr)
	_, rest, ok := strings.Cut(line, "http://")
	require.True(t, ok, line)
	base := "http://" + strings.Fields(rest)[0]
	base = strings.TrimSuffix(base, "/")

	resp, err := http.Get(base + "/health")
	require.NoError(t, err)
	var h struct{ Status string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&h))
	resp.Body.Close()
	assert.Equal(t, "ok", h.Status)

	resp, err = http.Get(base + "/datasets")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	req, _ := http.NewRequest(http.MethodGet, base+"/datasets", nil)
	req.Header.Set("Authorization", "Bearer t0k")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code)
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	_, err = os.Stat(filepath.Join(dir, "automl.db"))
	assert.NoError(t, err)
}

func TestServeBadFlags(t *testing.T) {
	var stderr strings.Builder
	assert.Equal(t, 2, run(t.Context(), []string{"serve", "--max-upload", "lots"}, io.Discard, &stderr))
	assert.Contains(t, stderr.String(), "max-upload")
}
