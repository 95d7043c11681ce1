// labkit-net is the course cluster's pod network agent: the role kind's kindnetd plays.
//
// On each node it writes a CNI configuration (ptp + host-local IPAM on the node's podCIDR,
// then portmap), routes every other node's podCIDR through that node's IP, masquerades
// traffic that leaves the pod network, and enforces NetworkPolicies with iptables
// (netpol.go). It follows nodes, Pods, namespaces and NetworkPolicies with watches
// (watch.go) and syncs within a fraction of a second of a change (sync.go). It talks to the
// API server with the Pod's service account over plain HTTPS, so it needs nothing but the
// Go standard library.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

const serviceAccount = "/var/run/secrets/kubernetes.io/serviceaccount"

type node struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		PodCIDR string `json:"podCIDR"`
	} `json:"spec"`
	Status struct {
		Addresses []struct {
			Type    string `json:"type"`
			Address string `json:"address"`
		} `json:"addresses"`
	} `json:"status"`
}

func (n node) internalIP() string {
	for _, a := range n.Status.Addresses {
		if a.Type == "InternalIP" && !strings.Contains(a.Address, ":") {
			return a.Address
		}
	}
	return ""
}

type apiClient struct {
	http      *http.Client
	base      string
	tokenFile string
}

func newAPIClient() (*apiClient, error) {
	ca, err := os.ReadFile(filepath.Join(serviceAccount, "ca.crt"))
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		return nil, fmt.Errorf("no certificate in %s/ca.crt", serviceAccount)
	}
	// kind gives the API server's address on the node network (no Service needed), else
	// fall back to the kubernetes Service.
	endpoint := os.Getenv("CONTROL_PLANE_ENDPOINT")
	if endpoint == "" {
		host, port := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
		if host == "" || port == "" {
			return nil, fmt.Errorf("neither CONTROL_PLANE_ENDPOINT nor KUBERNETES_SERVICE_HOST is set")
		}
		endpoint = host + ":" + port
	}
	return &apiClient{
		// No overall timeout: watches stream for minutes; each request has its context.
		http: &http.Client{Transport: &http.Transport{
			TLSClientConfig:       &tls.Config{RootCAs: pool},
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 10 * time.Second,
		}},
		base:      "https://" + endpoint,
		tokenFile: filepath.Join(serviceAccount, "token"),
	}, nil
}

// get sends GET “path“?“query“; an answer other than 200 OK is a *statusError.
func (c *apiClient) get(ctx context.Context, path string, query url.Values) (*http.Response, error) {
	token, err := os.ReadFile(c.tokenFile) // rotated: read each time
	if err != nil {
		return nil, err
	}
	target := c.base + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, "GET", target, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		var status struct {
			Message string `json:"message"`
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		if json.Unmarshal(body, &status) != nil || status.Message == "" {
			status.Message = strings.TrimSpace(string(body))
		}
		return nil, &statusError{Code: resp.StatusCode, Path: path, Message: status.Message}
	}
	return resp, nil
}

// agent holds what the node's network is made from, and applies it.
type agent struct {
	self, podSubnet, cniDir string
	nodes                   *informer[node]
	pods                    *informer[pod]
	namespaces              *informer[namespace]
	policies                *informer[networkPolicy]
	// run runs a command (stdin: its input, or ""); tests replace it.
	run                   func(stdin string, args ...string) error
	lastRoutes, lastRules string // what was applied last, to skip a sync that changes nothing
}

func newAgent(self, podSubnet, cniDir string) *agent {
	return &agent{
		self: self, podSubnet: podSubnet, cniDir: cniDir,
		nodes:      newInformer[node]("/api/v1/nodes"),
		pods:       newInformer[pod]("/api/v1/pods"),
		namespaces: newInformer[namespace]("/api/v1/namespaces"),
		policies:   newInformer[networkPolicy]("/apis/networking.k8s.io/v1/networkpolicies"),
		run:        runCommand,
	}
}

// start follows the API in the background, poking “changed“ on each change.
func (a *agent) start(ctx context.Context, c *apiClient, changed func()) {
	go a.nodes.run(ctx, c, changed)
	go a.pods.run(ctx, c, changed)
	go a.namespaces.run(ctx, c, changed)
	go a.policies.run(ctx, c, changed)
}

func (a *agent) ready() bool {
	return a.nodes.hasSynced() && a.pods.hasSynced() && a.namespaces.hasSynced() && a.policies.hasSynced()
}

func (a *agent) world() world {
	w := world{pods: a.pods.list(), policies: a.policies.list(), namespaces: map[string]map[string]string{}}
	for _, ns := range a.namespaces.list() {
		w.namespaces[ns.Metadata.Name] = ns.Metadata.Labels
	}
	return w
}

// sync brings the node in line with the stores; “force“ rewrites even what looks unchanged.
func (a *agent) sync(force bool) error {
	if err := a.syncRoutes(force); err != nil {
		return err
	}
	return a.enforcePolicies(force)
}

// syncRoutes writes the CNI configuration, the routes to the other nodes' Pods, and the
// masquerade rule.
func (a *agent) syncRoutes(force bool) error {
	var routes [][]string
	for _, n := range a.nodes.list() {
		if n.Spec.PodCIDR == "" {
			continue
		}
		if n.Metadata.Name == a.self {
			if err := writeCNIConfig(a.cniDir, n.Spec.PodCIDR); err != nil {
				return err
			}
		} else if ip := n.internalIP(); ip != "" {
			routes = append(routes, []string{"ip", "route", "replace", n.Spec.PodCIDR, "via", ip})
		}
	}
	summary := fmt.Sprint(routes)
	if !force && summary == a.lastRoutes {
		return nil
	}
	for _, route := range routes {
		if err := a.run("", route...); err != nil {
			return err
		}
	}
	if err := a.ensureMasquerade(); err != nil {
		return err
	}
	a.lastRoutes = summary
	return nil
}

// enforcePolicies rewrites the node's NetworkPolicy chains when the policies' result changed.
func (a *agent) enforcePolicies(force bool) error {
	w := a.world()
	rules := w.rules(a.self)
	if !force && rules == a.lastRules {
		return nil
	}
	if err := a.run(rules, "iptables-restore", "--noflush"); err != nil {
		return err
	}
	if rules != a.lastRules {
		log.Printf("NetworkPolicy rules updated (%d policies)", len(w.policies))
	}
	a.lastRules = rules
	if a.run("", "iptables", "-C", "FORWARD", "-j", "LABKIT-NETPOL") != nil {
		return a.run("", "iptables", "-I", "FORWARD", "1", "-j", "LABKIT-NETPOL")
	}
	return nil
}

func (a *agent) ensureMasquerade() error {
	rule := []string{"POSTROUTING", "-s", a.podSubnet, "!", "-d", a.podSubnet,
		"-m", "comment", "--comment", "labkit-net: pods leaving the pod network", "-j", "MASQUERADE"}
	if a.run("", append([]string{"iptables", "-t", "nat", "-C"}, rule...)...) == nil {
		return nil // already there
	}
	return a.run("", append([]string{"iptables", "-t", "nat", "-A"}, rule...)...)
}

func runCommand(stdin string, args ...string) error {
	cmd := exec.Command(args[0], args[1:]...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

func mtu() int {
	raw, err := os.ReadFile("/sys/class/net/eth0/mtu")
	var value int
	if err != nil || func() error { _, e := fmt.Sscan(string(raw), &value); return e }() != nil {
		return 1500
	}
	return value
}

// writeCNIConfig writes the node's CNI configuration atomically (the kubelet polls the folder).
func writeCNIConfig(dir, podCIDR string) error {
	conf := map[string]any{
		"cniVersion": "0.4.0",
		"name":       "labkit-net",
		"plugins": []any{
			map[string]any{
				"type": "ptp",
				"mtu":  mtu(),
				"ipam": map[string]any{
					"type":   "host-local",
					"ranges": [][]map[string]string{{{"subnet": podCIDR}}},
					"routes": []map[string]string{{"dst": "0.0.0.0/0"}},
				},
			},
			map[string]any{"type": "portmap", "capabilities": map[string]bool{"portMappings": true}},
		},
	}
	data, err := json.MarshalIndent(conf, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "10-labkit-net.conflist")
	if old, err := os.ReadFile(path); err == nil && string(old) == string(data) {
		return nil
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	log.Printf("CNI configuration for %s written to %s", podCIDR, path)
	return os.Rename(tmp, path)
}

func main() {
	self, podSubnet := os.Getenv("NODE_NAME"), os.Getenv("POD_SUBNET")
	cniDir := os.Getenv("CNI_CONF_DIR")
	if cniDir == "" {
		cniDir = "/etc/cni/net.d"
	}
	if self == "" || podSubnet == "" {
		log.Fatal("NODE_NAME and POD_SUBNET must be set (see the DaemonSet's env)")
	}
	client, err := newAPIClient()
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("labkit-net on node %s, pod network %s", self, podSubnet)
	a := newAgent(self, podSubnet, cniDir)
	s := newSyncer(a.sync)
	ctx := context.Background()
	a.start(ctx, client, s.changed)
	s.run(ctx, a.ready)
}
