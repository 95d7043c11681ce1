// labkit-net is the course cluster's pod network agent: the role kind's kindnetd plays.
//
// On each node it writes a CNI configuration (ptp + host-local IPAM on the node's podCIDR,
// then portmap), routes every other node's podCIDR through that node's IP, masquerades
// traffic that leaves the pod network, and enforces NetworkPolicies with iptables
// (netpol.go). It talks to the API server with the Pod's service
// account over plain HTTPS, so it needs nothing but the Go standard library.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
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
	http  *http.Client
	base  string
	token string
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
		http: &http.Client{
			Timeout:   10 * time.Second,
			Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		},
		base: "https://" + endpoint,
	}, nil
}

// list GETs an API list (e.g. /api/v1/nodes) into “into“ (a struct with Items).
func (c *apiClient) list(path string, into any) error {
	token, err := os.ReadFile(filepath.Join(serviceAccount, "token")) // rotated: read each time
	if err != nil {
		return err
	}
	req, err := http.NewRequest("GET", c.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(into)
}

func (c *apiClient) nodes() ([]node, error) {
	var list struct{ Items []node }
	return list.Items, c.list("/api/v1/nodes", &list)
}

func (c *apiClient) world() (world, error) {
	var pods struct{ Items []pod }
	var namespaces struct{ Items []namespace }
	var policies struct{ Items []networkPolicy }
	w := world{namespaces: map[string]map[string]string{}}
	if err := c.list("/api/v1/pods", &pods); err != nil {
		return w, err
	}
	if err := c.list("/api/v1/namespaces", &namespaces); err != nil {
		return w, err
	}
	if err := c.list("/apis/networking.k8s.io/v1/networkpolicies", &policies); err != nil {
		return w, err
	}
	w.pods, w.policies = pods.Items, policies.Items
	for _, ns := range namespaces.Items {
		w.namespaces[ns.Metadata.Name] = ns.Metadata.Labels
	}
	return w, nil
}

var lastRules string

// enforcePolicies rewrites the node's NetworkPolicy chains when the policies' result changed.
func enforcePolicies(c *apiClient, self string) error {
	w, err := c.world()
	if err != nil {
		return err
	}
	rules := w.rules(self)
	if rules != lastRules {
		cmd := exec.Command("iptables-restore", "--noflush")
		cmd.Stdin = strings.NewReader(rules)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("iptables-restore: %v: %s", err, out)
		}
		log.Printf("NetworkPolicy rules updated (%d policies)", len(w.policies))
		lastRules = rules
	}
	if run("iptables", "-C", "FORWARD", "-j", "LABKIT-NETPOL") != nil {
		return run("iptables", "-I", "FORWARD", "1", "-j", "LABKIT-NETPOL")
	}
	return nil
}

func run(args ...string) error {
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
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

func ensureMasquerade(podSubnet string) error {
	rule := []string{"POSTROUTING", "-s", podSubnet, "!", "-d", podSubnet,
		"-m", "comment", "--comment", "labkit-net: pods leaving the pod network", "-j", "MASQUERADE"}
	if run(append([]string{"iptables", "-t", "nat", "-C"}, rule...)...) == nil {
		return nil // already there
	}
	return run(append([]string{"iptables", "-t", "nat", "-A"}, rule...)...)
}

func sync(c *apiClient, self, podSubnet, cniDir string) error {
	nodes, err := c.nodes()
	if err != nil {
		return err
	}
	for _, n := range nodes {
		if n.Spec.PodCIDR == "" {
			continue
		}
		if n.Metadata.Name == self {
			if err := writeCNIConfig(cniDir, n.Spec.PodCIDR); err != nil {
				return err
			}
			continue
		}
		if ip := n.internalIP(); ip != "" {
			if err := run("ip", "route", "replace", n.Spec.PodCIDR, "via", ip); err != nil {
				return err
			}
		}
	}
	if err := ensureMasquerade(podSubnet); err != nil {
		return err
	}
	return enforcePolicies(c, self)
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
	for {
		if err := sync(client, self, podSubnet, cniDir); err != nil {
			log.Printf("sync failed (retrying in 5 s): %v", err)
			time.Sleep(5 * time.Second)
			continue
		}
		time.Sleep(2 * time.Second)
	}
}
