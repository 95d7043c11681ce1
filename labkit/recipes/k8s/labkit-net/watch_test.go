package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const policyJSON = `{"metadata":{"name":"deny","namespace":"secure","resourceVersion":"%s"},
	"spec":{"podSelector":{},"ingress":[{"from":[{"podSelector":{}}]}]}}`

func event(kind, object string) string {
	return fmt.Sprintf(`{"type":%q,"object":%s}`, kind, strings.Join(strings.Fields(object), " "))
}

func TestConsumeAppliesEventsAndFollowsResourceVersion(t *testing.T) {
	in := newInformer[networkPolicy]("/apis/networking.k8s.io/v1/networkpolicies")
	stream := strings.Join([]string{
		event("ADDED", fmt.Sprintf(policyJSON, "11")),
		event("MODIFIED", fmt.Sprintf(policyJSON, "12")),
		event("BOOKMARK", `{"metadata":{"resourceVersion":"15"}}`),
	}, "\n")
	changes := 0
	rv, err := in.consume(strings.NewReader(stream), "10", func() { changes++ })
	if err != nil || rv != "15" || changes != 2 || len(in.list()) != 1 {
		t.Fatalf("rv %q, err %v, %d changes, %d policies", rv, err, changes, len(in.list()))
	}
	if name := in.list()[0].Metadata.Name; name != "deny" {
		t.Fatalf("stored %q", name)
	}
	rv, err = in.consume(strings.NewReader(event("DELETED", fmt.Sprintf(policyJSON, "16"))), rv, func() { changes++ })
	if err != nil || rv != "16" || changes != 3 || len(in.list()) != 0 {
		t.Fatalf("after DELETED: rv %q, err %v, %d changes, %d policies", rv, err, changes, len(in.list()))
	}
}

func TestConsumeReportsAnExpiredWatch(t *testing.T) {
	in := newInformer[pod]("/api/v1/pods")
	stream := event("ERROR", `{"kind":"Status","code":410,"message":"too old resource version: 1 (5)"}`)
	if _, err := in.consume(strings.NewReader(stream), "1", func() {}); !hasStatus(err, http.StatusGone) {
		t.Fatalf("want a 410 statusError, got %v", err)
	}
}

// fakeAPI serves lists, and watches that stream what the test sends (""= end the stream).
type fakeAPI struct {
	mu          sync.Mutex
	lists       map[string]string
	streams     map[string]chan string
	watchStatus map[string]int
	listed      map[string]int
	watchedFrom []string // "path@resourceVersion" of each watch request
}

func newFakeAPI(t *testing.T) (*fakeAPI, *apiClient) {
	api := &fakeAPI{
		lists:       map[string]string{},
		streams:     map[string]chan string{},
		watchStatus: map[string]int{},
		listed:      map[string]int{},
	}
	for _, path := range []string{"/api/v1/nodes", "/api/v1/pods", "/api/v1/namespaces",
		"/apis/networking.k8s.io/v1/networkpolicies"} {
		api.lists[path] = `{"metadata":{"resourceVersion":"100"},"items":[]}`
		api.streams[path] = make(chan string, 16)
	}
	server := httptest.NewServer(http.HandlerFunc(api.serve))
	t.Cleanup(server.Close)
	token := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(token, []byte("secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return api, &apiClient{http: server.Client(), base: server.URL, tokenFile: token}
}

func (api *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer secret" {
		http.Error(w, "no token", http.StatusUnauthorized)
		return
	}
	path := r.URL.Path
	api.mu.Lock()
	list, status, stream := api.lists[path], api.watchStatus[path], api.streams[path]
	if r.URL.Query().Get("watch") != "1" {
		api.listed[path]++
	} else {
		api.watchedFrom = append(api.watchedFrom, path+"@"+r.URL.Query().Get("resourceVersion"))
	}
	api.mu.Unlock()
	switch {
	case stream == nil:
		http.NotFound(w, r)
	case r.URL.Query().Get("watch") != "1":
		fmt.Fprint(w, list)
	case status != 0:
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"kind":"Status","code":%d,"message":"forbidden: cannot watch"}`, status)
	default:
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		for {
			select {
			case <-r.Context().Done():
				return
			case line := <-stream:
				if line == "" {
					return
				}
				fmt.Fprintln(w, line)
				w.(http.Flusher).Flush()
			}
		}
	}
}

func (api *fakeAPI) count(path string) (lists int, watches []string) {
	api.mu.Lock()
	defer api.mu.Unlock()
	return api.listed[path], append([]string(nil), api.watchedFrom...)
}

// eventually fails the test unless “ok“ holds within “limit“.
func eventually(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestInformerListsWatchesResumesAndRelists(t *testing.T) {
	api, client := newFakeAPI(t)
	path := "/apis/networking.k8s.io/v1/networkpolicies"
	in := newInformer[networkPolicy](path)
	var changes atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go in.run(ctx, client, func() { changes.Add(1) })

	eventually(t, time.Second, "first list", in.hasSynced)
	api.streams[path] <- event("ADDED", fmt.Sprintf(policyJSON, "101"))
	eventually(t, time.Second, "policy from the watch", func() bool { return len(in.list()) == 1 })

	api.streams[path] <- "" // the server ends the watch: resume from the last version seen
	eventually(t, time.Second, "watch resumed", func() bool {
		_, watches := api.count(path)
		return len(watches) == 2 && watches[1] == path+"@101"
	})

	api.mu.Lock() // the version is gone: list again (the policy was deleted meanwhile)
	api.lists[path] = `{"metadata":{"resourceVersion":"200"},"items":[]}`
	api.mu.Unlock()
	api.streams[path] <- event("ERROR", `{"kind":"Status","code":410,"message":"too old"}`)
	eventually(t, time.Second, "relist after 410", func() bool {
		lists, watches := api.count(path)
		return lists == 2 && len(in.list()) == 0 && watches[len(watches)-1] == path+"@200"
	})
	if got := changes.Load(); got != 3 { // first list, ADDED, the relist that removed it
		t.Fatalf("want 3 changes, got %d", got)
	}
}

func TestInformerListsAgainWhenItMayNotWatch(t *testing.T) {
	api, client := newFakeAPI(t)
	path := "/api/v1/namespaces"
	api.watchStatus[path] = http.StatusForbidden
	in := newInformer[namespace](path)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go in.run(ctx, client, func() {})
	eventually(t, time.Second, "first list", in.hasSynced)
	api.mu.Lock()
	api.lists[path] = `{"metadata":{"resourceVersion":"101"},"items":[{"metadata":{"name":"secure","resourceVersion":"101"}}]}`
	api.mu.Unlock()
	eventually(t, 3*pollPeriod, "namespace from a later list", func() bool { return len(in.list()) == 1 })
	if _, watches := api.count(path); len(watches) != 1 {
		t.Fatalf("want one watch attempt, got %v", watches)
	}
}

func TestSyncerDebouncesABurstAndForcesPeriodically(t *testing.T) {
	var mu sync.Mutex
	var calls []bool
	s := newSyncer(func(force bool) error {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, force)
		return nil
	})
	s.debounce, s.resync = 50*time.Millisecond, time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.run(ctx, func() bool { return true })
	for range 10 {
		s.changed()
	}
	time.Sleep(250 * time.Millisecond)
	mu.Lock()
	if len(calls) != 1 || calls[0] {
		t.Fatalf("a burst of changes: want one unforced sync, got %v", calls)
	}
	mu.Unlock()

	cancel()
	mu.Lock()
	calls = nil
	mu.Unlock()
	s2 := newSyncer(s.sync)
	s2.resync = 30 * time.Millisecond
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	go s2.run(ctx, func() bool { return true })
	eventually(t, time.Second, "periodic forced sync", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(calls) > 0 && calls[0]
	})
}

func TestSyncerWaitsUntilReadyAndRetries(t *testing.T) {
	var ready atomic.Bool
	var attempts atomic.Int32
	s := newSyncer(func(bool) error {
		if attempts.Add(1) == 1 {
			return fmt.Errorf("iptables-restore: busy")
		}
		return nil
	})
	s.debounce, s.retry = time.Millisecond, 10*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.run(ctx, ready.Load)
	s.changed()
	time.Sleep(50 * time.Millisecond)
	if attempts.Load() != 0 {
		t.Fatal("synced before every store was listed")
	}
	ready.Store(true)
	s.changed()
	eventually(t, time.Second, "retry after a failed sync", func() bool { return attempts.Load() == 2 })
}

// TestPolicyEnforcedSoonAfterItsEvent runs the agent against the fake API server: a policy
// added through the watch reaches iptables-restore well within a second.
func TestPolicyEnforcedSoonAfterItsEvent(t *testing.T) {
	api, client := newFakeAPI(t)
	api.lists["/api/v1/nodes"] = `{"metadata":{"resourceVersion":"100"},"items":[
		{"metadata":{"name":"n1"},"spec":{"podCIDR":"10.0.1.0/24"}},
		{"metadata":{"name":"n2"},"spec":{"podCIDR":"10.0.2.0/24"},
		 "status":{"addresses":[{"type":"InternalIP","address":"172.18.0.3"}]}}]}`
	api.lists["/api/v1/pods"] = `{"metadata":{"resourceVersion":"100"},"items":[
		{"metadata":{"name":"web","namespace":"secure"},"spec":{"nodeName":"n1"},"status":{"podIP":"10.0.1.2"}}]}`
	a := newAgent("n1", "10.0.0.0/16", t.TempDir())
	var mu sync.Mutex
	var commands []string
	var restored []string
	a.run = func(stdin string, args ...string) error {
		mu.Lock()
		defer mu.Unlock()
		commands = append(commands, strings.Join(args, " "))
		if args[0] == "iptables-restore" {
			restored = append(restored, stdin)
		}
		return nil
	}
	lastRestore := func() string {
		mu.Lock()
		defer mu.Unlock()
		if len(restored) == 0 {
			return ""
		}
		return restored[len(restored)-1]
	}
	s := newSyncer(a.sync)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a.start(ctx, client, s.changed)
	go s.run(ctx, a.ready)

	eventually(t, time.Second, "first sync", func() bool { return lastRestore() != "" })
	mu.Lock()
	if !strings.Contains(strings.Join(commands, "\n"), "ip route replace 10.0.2.0/24 via 172.18.0.3") {
		t.Fatalf("no route to n2's Pods in:\n%s", strings.Join(commands, "\n"))
	}
	mu.Unlock()
	if _, err := os.Stat(filepath.Join(a.cniDir, "10-labkit-net.conflist")); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	api.streams["/apis/networking.k8s.io/v1/networkpolicies"] <- event("ADDED", fmt.Sprintf(policyJSON, "101"))
	eventually(t, time.Second, "policy enforced", func() bool {
		return strings.Contains(lastRestore(), "-A LABKIT-NETPOL-IN -d 10.0.1.2/32 -j DROP")
	})
	t.Logf("ADDED event → iptables-restore in %s", time.Since(start).Round(time.Millisecond))

	eventually(t, time.Second, "sync finished", func() bool { // it checks the FORWARD jump last
		mu.Lock()
		defer mu.Unlock()
		return commands[len(commands)-1] == "iptables -C FORWARD -j LABKIT-NETPOL"
	})
	mu.Lock()
	before := len(commands)
	mu.Unlock()
	api.streams["/api/v1/pods"] <- event("MODIFIED", `{"metadata":{"name":"web","namespace":"secure",
		"resourceVersion":"102"},"spec":{"nodeName":"n1"},"status":{"podIP":"10.0.1.2","phase":"Running"}}`)
	time.Sleep(3 * debounce)
	mu.Lock()
	defer mu.Unlock()
	if len(commands) != before {
		t.Fatalf("a change that alters no rule ran %v", commands[before:])
	}
}
