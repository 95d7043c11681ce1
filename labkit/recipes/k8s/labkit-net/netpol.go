package main

// NetworkPolicy enforcement with iptables: for each Pod of this node that a policy
// selects, traffic is let through only from (ingress) or to (egress) the peers and ports
// the policies allow; the rest is dropped. Replies (conntrack ESTABLISHED) always pass,
// and traffic from the node itself (kubelet probes) never crosses FORWARD.

import (
	"fmt"
	"sort"
	"strings"
)

type labelSelector struct {
	MatchLabels      map[string]string `json:"matchLabels"`
	MatchExpressions []struct {
		Key      string   `json:"key"`
		Operator string   `json:"operator"`
		Values   []string `json:"values"`
	} `json:"matchExpressions"`
}

// matches follows the API's rules; a nil selector matches nothing, an empty one everything.
func (s *labelSelector) matches(labels map[string]string) bool {
	if s == nil {
		return false
	}
	for k, v := range s.MatchLabels {
		if labels[k] != v {
			return false
		}
	}
	for _, e := range s.MatchExpressions {
		value, present := labels[e.Key]
		in := false
		for _, v := range e.Values {
			in = in || v == value
		}
		switch e.Operator {
		case "In":
			if !present || !in {
				return false
			}
		case "NotIn":
			if present && in {
				return false
			}
		case "Exists":
			if !present {
				return false
			}
		case "DoesNotExist":
			if present {
				return false
			}
		}
	}
	return true
}

type pod struct {
	Metadata struct {
		Name      string            `json:"name"`
		Namespace string            `json:"namespace"`
		Labels    map[string]string `json:"labels"`
	} `json:"metadata"`
	Spec struct {
		NodeName    string `json:"nodeName"`
		HostNetwork bool   `json:"hostNetwork"`
		Containers  []struct {
			Ports []struct {
				Name          string `json:"name"`
				ContainerPort int    `json:"containerPort"`
				Protocol      string `json:"protocol"`
			} `json:"ports"`
		} `json:"containers"`
	} `json:"spec"`
	Status struct {
		PodIP string `json:"podIP"`
		Phase string `json:"phase"`
	} `json:"status"`
}

type namespace struct {
	Metadata struct {
		Name   string            `json:"name"`
		Labels map[string]string `json:"labels"`
	} `json:"metadata"`
}

type peer struct {
	PodSelector       *labelSelector `json:"podSelector"`
	NamespaceSelector *labelSelector `json:"namespaceSelector"`
	IPBlock           *struct {
		CIDR string `json:"cidr"`
	} `json:"ipBlock"`
}

type policyPort struct {
	Protocol string `json:"protocol"`
	Port     any    `json:"port"` // a number or a named port
	EndPort  int    `json:"endPort"`
}

type rule struct {
	From  []peer       `json:"from"`
	To    []peer       `json:"to"`
	Ports []policyPort `json:"ports"`
}

type networkPolicy struct {
	Metadata struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
	Spec struct {
		PodSelector labelSelector `json:"podSelector"`
		PolicyTypes []string      `json:"policyTypes"`
		Ingress     []rule        `json:"ingress"`
		Egress      []rule        `json:"egress"`
	} `json:"spec"`
}

func (p networkPolicy) hasType(kind string) bool {
	if len(p.Spec.PolicyTypes) == 0 { // the API's default
		return kind == "Ingress" || (kind == "Egress" && len(p.Spec.Egress) > 0)
	}
	for _, t := range p.Spec.PolicyTypes {
		if t == kind {
			return true
		}
	}
	return false
}

type world struct {
	pods       []pod
	namespaces map[string]map[string]string // name -> labels
	policies   []networkPolicy
}

// peerSources lists the addresses a peer stands for ("" = anywhere).
func (w world) peerSources(p peer, policyNamespace string) []string {
	if p.IPBlock != nil {
		return []string{p.IPBlock.CIDR}
	}
	var out []string
	for _, candidate := range w.pods {
		if candidate.Status.PodIP == "" || candidate.Spec.HostNetwork {
			continue
		}
		ns := candidate.Metadata.Namespace
		if p.NamespaceSelector != nil {
			if !p.NamespaceSelector.matches(w.namespaces[ns]) {
				continue
			}
		} else if ns != policyNamespace {
			continue
		}
		if p.PodSelector != nil && !p.PodSelector.matches(candidate.Metadata.Labels) {
			continue
		}
		out = append(out, candidate.Status.PodIP+"/32")
	}
	return out
}

// portMatches turns a policy port into iptables match arguments, resolving named ports on
// the Pod that receives the traffic.
func portMatches(ports []policyPort, target pod) []string {
	if len(ports) == 0 {
		return []string{""}
	}
	var out []string
	for _, p := range ports {
		protocol := strings.ToLower(p.Protocol)
		if protocol == "" {
			protocol = "tcp"
		}
		switch value := p.Port.(type) {
		case nil:
			out = append(out, "-p "+protocol)
		case float64:
			if p.EndPort > 0 {
				out = append(out, fmt.Sprintf("-p %s --dport %d:%d", protocol, int(value), p.EndPort))
			} else {
				out = append(out, fmt.Sprintf("-p %s --dport %d", protocol, int(value)))
			}
		case string:
			for _, c := range target.Spec.Containers {
				for _, cp := range c.Ports {
					if cp.Name == value {
						out = append(out, fmt.Sprintf("-p %s --dport %d", protocol, cp.ContainerPort))
					}
				}
			}
		}
	}
	return out
}

// rules renders the iptables-restore input for the Pods of node “self“.
func (w world) rules(self string) string {
	var lines []string
	local := []pod{}
	for _, p := range w.pods {
		if p.Spec.NodeName == self && p.Status.PodIP != "" && !p.Spec.HostNetwork {
			local = append(local, p)
		}
	}
	sort.Slice(local, func(i, j int) bool { return local[i].Status.PodIP < local[j].Status.PodIP })
	for _, direction := range []string{"Ingress", "Egress"} {
		for _, target := range local {
			selected, allows := false, []string{}
			for _, policy := range w.policies {
				if policy.Metadata.Namespace != target.Metadata.Namespace ||
					!policy.hasType(direction) ||
					!policy.Spec.PodSelector.matches(target.Metadata.Labels) {
					continue
				}
				selected = true
				list := policy.Spec.Ingress
				if direction == "Egress" {
					list = policy.Spec.Egress
				}
				for _, r := range list {
					peers := r.From
					if direction == "Egress" {
						peers = r.To
					}
					sources := []string{""}
					if len(peers) > 0 {
						sources = nil
						for _, p := range peers {
							sources = append(sources, w.peerSources(p, policy.Metadata.Namespace)...)
						}
					}
					for _, source := range sources {
						for _, ports := range portMatches(r.Ports, target) {
							allows = append(allows, match(direction, target.Status.PodIP, source, ports))
						}
					}
				}
			}
			if !selected {
				continue
			}
			chain := "LABKIT-NETPOL-" + strings.ToUpper(direction[:2])
			for _, allow := range allows {
				lines = append(lines, fmt.Sprintf("-A %s %s -j RETURN", chain, allow))
			}
			lines = append(lines, fmt.Sprintf("-A %s %s -j DROP", chain, match(direction, target.Status.PodIP, "", "")))
		}
	}
	header := []string{
		"*filter",
		":LABKIT-NETPOL - [0:0]",
		":LABKIT-NETPOL-IN - [0:0]",
		":LABKIT-NETPOL-EG - [0:0]",
		"-A LABKIT-NETPOL -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
		"-A LABKIT-NETPOL -j LABKIT-NETPOL-IN",
		"-A LABKIT-NETPOL -j LABKIT-NETPOL-EG",
	}
	return strings.Join(append(append(header, lines...), "COMMIT", ""), "\n")
}

// match is the iptables match for traffic to (Ingress) or from (Egress) a Pod.
func match(direction, podIP, peerCIDR, ports string) string {
	parts := []string{}
	if direction == "Ingress" {
		parts = append(parts, "-d "+podIP+"/32")
		if peerCIDR != "" {
			parts = append(parts, "-s "+peerCIDR)
		}
	} else {
		parts = append(parts, "-s "+podIP+"/32")
		if peerCIDR != "" {
			parts = append(parts, "-d "+peerCIDR)
		}
	}
	if ports != "" {
		parts = append(parts, ports)
	}
	return strings.Join(parts, " ")
}
