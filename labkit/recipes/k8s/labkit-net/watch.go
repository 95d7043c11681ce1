package main

// Following the API: each kind the agent reads (nodes, Pods, namespaces, NetworkPolicies) is
// listed once, then watched, as client-go's reflector does, with the standard library only.
// The list's resourceVersion starts the watch, bookmarks and events advance it, a stream the
// server closes (timeoutSeconds) is resumed from it, and one too old to resume ("410 Gone") is
// listed again. Every change calls “changed“, which wakes the syncer (sync.go).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"maps"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

const (
	watchSeconds = 300              // the server ends each watch after this (then it resumes)
	listTimeout  = 30 * time.Second // a list that takes longer is retried
	pollPeriod   = time.Second      // without the watch verb: list this often instead
	maxBackoff   = 30 * time.Second // the longest wait between two failed attempts
)

// statusError is an answer of the API server other than 200 OK.
type statusError struct {
	Code    int
	Path    string
	Message string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("GET %s: %d %s", e.Path, e.Code, e.Message)
}

func hasStatus(err error, code int) bool {
	var status *statusError
	return errors.As(err, &status) && status.Code == code
}

// objectMeta is what every object shares: its key in a store, and its version.
type objectMeta struct {
	Metadata struct {
		Name            string `json:"name"`
		Namespace       string `json:"namespace"`
		ResourceVersion string `json:"resourceVersion"`
	} `json:"metadata"`
}

func (m objectMeta) key() string {
	if m.Metadata.Namespace == "" {
		return m.Metadata.Name
	}
	return m.Metadata.Namespace + "/" + m.Metadata.Name
}

// decodeObject reads one API object as a T, with its key and resourceVersion.
func decodeObject[T any](raw json.RawMessage) (T, objectMeta, error) {
	var item T
	var meta objectMeta
	if err := json.Unmarshal(raw, &meta); err != nil {
		return item, meta, err
	}
	return item, meta, json.Unmarshal(raw, &item)
}

// informer keeps the current objects of one kind (“path“: /api/v1/pods, ...).
type informer[T any] struct {
	path     string
	mu       sync.RWMutex
	items    map[string]T
	versions map[string]string // key -> resourceVersion, to tell a relist that changed nothing
	synced   atomic.Bool
}

func newInformer[T any](path string) *informer[T] {
	return &informer[T]{path: path, items: map[string]T{}, versions: map[string]string{}}
}

// list returns the objects, sorted by key (rules render the same for the same objects).
func (in *informer[T]) list() []T {
	in.mu.RLock()
	defer in.mu.RUnlock()
	keys := make([]string, 0, len(in.items))
	for key := range in.items {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	out := make([]T, 0, len(keys))
	for _, key := range keys {
		out = append(out, in.items[key])
	}
	return out
}

func (in *informer[T]) hasSynced() bool { return in.synced.Load() }

// relist replaces the store with a full list; it reports the list's resourceVersion, and
// whether anything differs from what the store held (always true the first time).
func (in *informer[T]) relist(ctx context.Context, c *apiClient) (string, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, listTimeout)
	defer cancel()
	resp, err := c.get(ctx, in.path, nil)
	if err != nil {
		return "", false, err
	}
	defer resp.Body.Close()
	var body struct {
		Metadata struct {
			ResourceVersion string `json:"resourceVersion"`
		} `json:"metadata"`
		Items []json.RawMessage `json:"items"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return "", false, fmt.Errorf("GET %s: %w", in.path, err)
	}
	items, versions := map[string]T{}, map[string]string{}
	for _, raw := range body.Items {
		item, meta, err := decodeObject[T](raw)
		if err != nil {
			return "", false, fmt.Errorf("GET %s: %w", in.path, err)
		}
		items[meta.key()], versions[meta.key()] = item, meta.Metadata.ResourceVersion
	}
	in.mu.Lock()
	changed := !in.synced.Load() || !maps.Equal(versions, in.versions)
	in.items, in.versions = items, versions
	in.mu.Unlock()
	in.synced.Store(true)
	return body.Metadata.ResourceVersion, changed, nil
}

// watch follows the changes after resourceVersion “rv“ until the server ends the stream;
// it returns the last resourceVersion seen.
func (in *informer[T]) watch(ctx context.Context, c *apiClient, rv string, changed func()) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, (watchSeconds+60)*time.Second) // a silent stream ends too
	defer cancel()
	query := url.Values{
		"watch":               {"1"},
		"resourceVersion":     {rv},
		"allowWatchBookmarks": {"true"},
		"timeoutSeconds":      {strconv.Itoa(watchSeconds)},
	}
	resp, err := c.get(ctx, in.path, query)
	if err != nil {
		return rv, err
	}
	defer resp.Body.Close()
	return in.consume(resp.Body, rv, changed)
}

// consume applies a watch stream's events to the store, calling “changed“ after each change.
func (in *informer[T]) consume(stream io.Reader, rv string, changed func()) (string, error) {
	decoder := json.NewDecoder(stream)
	for {
		var event struct {
			Type   string          `json:"type"`
			Object json.RawMessage `json:"object"`
		}
		if err := decoder.Decode(&event); err != nil {
			if errors.Is(err, io.EOF) {
				return rv, nil // the server ended the watch (timeoutSeconds)
			}
			return rv, fmt.Errorf("watch %s: %w", in.path, err)
		}
		switch event.Type {
		case "ADDED", "MODIFIED", "DELETED":
			item, meta, err := decodeObject[T](event.Object)
			if err != nil {
				return rv, fmt.Errorf("watch %s: %w", in.path, err)
			}
			in.mu.Lock()
			if event.Type == "DELETED" {
				delete(in.items, meta.key())
				delete(in.versions, meta.key())
			} else {
				in.items[meta.key()] = item
				in.versions[meta.key()] = meta.Metadata.ResourceVersion
			}
			in.mu.Unlock()
			rv = meta.Metadata.ResourceVersion
			changed()
		case "BOOKMARK":
			var meta objectMeta
			if err := json.Unmarshal(event.Object, &meta); err == nil && meta.Metadata.ResourceVersion != "" {
				rv = meta.Metadata.ResourceVersion
			}
		case "ERROR":
			var status struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			}
			_ = json.Unmarshal(event.Object, &status)
			return rv, &statusError{Code: status.Code, Path: in.path, Message: status.Message}
		}
	}
}

// run keeps the store current until “ctx“ ends: list, then watch, resuming and relisting as
// needed. Without the watch verb (an older ClusterRole), it lists every pollPeriod instead.
func (in *informer[T]) run(ctx context.Context, c *apiClient, changed func()) {
	rv, watching, backoff := "", true, time.Second
	for ctx.Err() == nil {
		var err error
		if rv == "" || !watching {
			var differs bool
			if rv, differs, err = in.relist(ctx, c); err == nil && differs {
				changed()
			}
		}
		if err == nil && watching {
			rv, err = in.watch(ctx, c, rv, changed)
		}
		switch {
		case err == nil:
			backoff = time.Second
			if !watching {
				sleep(ctx, pollPeriod)
			}
			continue
		case hasStatus(err, http.StatusGone): // too old to resume: list again, now
			rv = ""
			continue
		case hasStatus(err, http.StatusForbidden) && watching && rv != "":
			log.Printf("%s: may list but not watch; listing every %s instead "+
				"(add the verb watch to the ClusterRole labkit-net)", in.path, pollPeriod)
			watching = false
			continue
		case ctx.Err() != nil: // stopping
			return
		}
		log.Printf("%s: %v (again in %s)", in.path, err, backoff)
		sleep(ctx, backoff)
		backoff = min(2*backoff, maxBackoff)
	}
}

// sleep waits “d“, or less when “ctx“ ends; it reports whether “ctx“ is still alive.
func sleep(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}
