package remote

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Blob store errors.
var (
	// ErrNotFound reports a key that the store does not hold.
	ErrNotFound = errors.New("remote: blob not found")
	// ErrKey reports a key that is not a content hash (Key).
	ErrKey = errors.New("remote: bad blob key")
)

// Store holds immutable, content-addressed blobs: the data plane of a
// remote automl.TrialExecutor. The coordinator writes each fold's training data
// once and workers fetch it by key; a worker writes results too big for
// its transport and the coordinator reads them back.
//
// Keys are Key of the bytes (64 lowercase hex digits), so a Put of a
// key the store already holds may do nothing. Implementations must be safe
// for concurrent use by several goroutines and processes, and must never
// expose a partly written blob to Get.
type Store interface {
	// Put stores data under key. The caller must not change data
	// during the call; the store does not keep it after.
	Put(ctx context.Context, key string, data []byte) error
	// Get returns the bytes stored under key, or an error wrapping
	// ErrNotFound. The caller owns the returned slice.
	Get(ctx context.Context, key string) ([]byte, error)
}

// Key returns the content address of data: its SHA-256 in lowercase hex.
func Key(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// checkKey returns an error wrapping ErrKey unless key looks like a
// Key, so that no key can name a path outside a DirStore.
func checkKey(key string) error {
	if len(key) != 2*sha256.Size {
		return fmt.Errorf("%w: %q", ErrKey, key)
	}
	for _, c := range key {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return fmt.Errorf("%w: %q", ErrKey, key)
		}
	}
	return nil
}

// DirStore is a Store in a local or shared directory (NFS, a mounted
// bucket): blob k lives at Dir/k[:2]/k. Writes go to a temporary file
// renamed into place, so readers in other processes see whole blobs or
// none. The zero value is not usable; make one with NewDirStore.
type DirStore struct {
	dir string
}

// NewDirStore returns a store in dir, creating the directory if needed.
func NewDirStore(dir string) (*DirStore, error) {
	if dir == "" {
		return nil, fmt.Errorf("remote: blob store: empty directory name")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("remote: blob store: %w", err)
	}
	return &DirStore{dir: dir}, nil
}

// Dir returns the store's directory.
func (s *DirStore) Dir() string { return s.dir }

func (s *DirStore) path(key string) string { return filepath.Join(s.dir, key[:2], key) }

// Put writes data under key unless the store holds it already. It does not
// check that key is data's hash (callers compute it once with Key).
func (s *DirStore) Put(ctx context.Context, key string, data []byte) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	p := s.path(key)
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("remote: blob store: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return fmt.Errorf("remote: blob store: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("remote: blob store: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("remote: blob store: %w", err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("remote: blob store: %w", err)
	}
	return nil
}

// Get returns the blob stored under key.
func (s *DirStore) Get(ctx context.Context, key string) ([]byte, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(s.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	if err != nil {
		return nil, fmt.Errorf("remote: blob store: %w", err)
	}
	return b, nil
}

// Delete removes the blob stored under key; a missing blob is no error.
// A remote executor deletes result blobs it has read when its store has
// this method.
func (s *DirStore) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := os.Remove(s.path(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remote: blob store: %w", err)
	}
	return nil
}

// CachedStore reads through a local cache: Get looks in Local first and
// copies what it fetches from Remote into it; Put writes to Remote (and
// Local). A worker uses one so that each fold's data crosses the network
// once per machine.
type CachedStore struct {
	// Remote is the shared store. It must not be nil.
	Remote Store
	// Local is the machine's cache. It must not be nil.
	Local *DirStore
}

// Put writes data to Remote, then to Local.
func (c CachedStore) Put(ctx context.Context, key string, data []byte) error {
	if err := c.Remote.Put(ctx, key, data); err != nil {
		return err
	}
	return c.Local.Put(ctx, key, data)
}

// Get returns the blob from Local, or from Remote (keeping a copy in Local).
func (c CachedStore) Get(ctx context.Context, key string) ([]byte, error) {
	if b, err := c.Local.Get(ctx, key); err == nil {
		return b, nil
	}
	b, err := c.Remote.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	if Key(b) != key {
		return nil, fmt.Errorf("remote: blob store: %s: content does not match its key", key)
	}
	if err := c.Local.Put(ctx, key, b); err != nil {
		return nil, err
	}
	return b, nil
}
