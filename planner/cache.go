package planner

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Cache keeps validated LLM plans by a hash of what produced them: the
// prompt (brief facts, candidates with their spaces, portfolios and
// estimates, fixed settings), the reply schema, the prompt version and the
// model. It lives in memory and, when Dir is set, also in Dir as one JSON
// file per plan, so that a rerun on the same data makes no call. Failures
// and fallbacks are never cached. A Cache is safe for concurrent use; the
// zero value caches in memory only; a nil *Cache caches nothing.
type Cache struct {
	dir string
	mu  sync.Mutex
	m   map[string][]byte
}

// NewCache returns a cache in memory and, when dir is not "", in dir
// (created on the first write).
func NewCache(dir string) *Cache { return &Cache{dir: dir, m: map[string][]byte{}} }

// Len returns the number of plans held in memory.
func (c *Cache) Len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// cacheKey hashes the parts that decide a plan.
func cacheKey(version int, model string, parts ...string) string {
	h := sha256.New()
	fmt.Fprintf(h, "planner/v%d\x00%s\x00", version, model)
	for _, p := range parts {
		fmt.Fprintf(h, "%d\x00%s", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// get returns a fresh copy of the plan under key.
func (c *Cache) get(key string) (*Plan, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	data, ok := c.m[key]
	c.mu.Unlock()
	if !ok && c.dir != "" {
		b, err := os.ReadFile(filepath.Join(c.dir, key+".json"))
		if err != nil {
			return nil, false
		}
		data = b
	}
	var p Plan
	if err := json.Unmarshal(data, &p); err != nil || p.Version != Version {
		return nil, false
	}
	if !ok {
		c.store(key, data)
	}
	return &p, true
}

func (c *Cache) store(key string, data []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string][]byte{}
	}
	c.m[key] = data
}

// put stores p under key; a directory that cannot be written is skipped
// (the memory copy still serves).
func (c *Cache) put(key string, p *Plan) {
	if c == nil || p == nil {
		return
	}
	data, err := json.Marshal(p)
	if err != nil {
		return
	}
	c.store(key, data)
	if c.dir == "" {
		return
	}
	if os.MkdirAll(c.dir, 0o755) != nil {
		return
	}
	tmp, err := os.CreateTemp(c.dir, key+".*.tmp")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), filepath.Join(c.dir, key+".json")) != nil {
		os.Remove(tmp.Name())
	}
}
