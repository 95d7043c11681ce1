package main

// NetworkPolicy enforcement with iptables: for each Pod of this node that a policy
// selects, traffic is let through only from (ingress) or to (egress) the peers and ports
// the policies allow; the rest is dropped. Replies (conntrack ESTABLISHED) always pass,
// and traffic from the node itself (kubelet probes) never crosses FORWARD.
//
// The rules follow the API's reference (NetworkPolicyPeer, IPBlock, NetworkPolicyPort): a peer
// with both a namespaceSelector and a podSelector selects the Pods matching both; an ipBlock
// allows its cidr but not its excepts; a named port is looked up on the Pod that receives the
// traffic (the selected Pod for ingress, each destination Pod for egress), on the port's
// protocol (TCP unless given). The agent writes IPv4 rules only, as the course's cluster is IPv4.

import (
	"fmt"
	"net/netip"
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

// live tells a Pod that has a pod-network address now: a finished Pod (Succeeded, Failed) keeps
// its podIP in its status, but that address is free again and may be another Pod's already.
func (p pod) live() bool {
	return p.Status.PodIP != "" && !p.Spec.HostNetwork &&
		p.Status.Phase != "Succeeded" && p.Status.Phase != "Failed"
}

// namedPort is the number of the Pod's container port called “name“ on “protocol“.
func (p pod) namedPort(name, protocol string) (int, bool) {
	for _, c := range p.Spec.Containers {
		for _, cp := range c.Ports {
			if cp.Name == name && strings.EqualFold(orTCP(cp.Protocol), protocol) {
				return cp.ContainerPort, true
			}
		}
	}
	return 0, false
}

// orTCP is the API's default protocol (of container ports and policy ports alike).
func orTCP(protocol string) string {
	if protocol == "" {
		return "TCP"
	}
	return protocol
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
		CIDR   string   `json:"cidr"`
		Except []string `json:"except"`
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

// endpoint is an address a peer stands for: a Pod's (with the Pod, whose named ports an egress
// rule may name), a CIDR of an ipBlock, or "" for anywhere.
type endpoint struct {
	cidr string
	pod  *pod
}

// peerEndpoints lists the addresses a peer stands for.
func (w world) peerEndpoints(p peer, policyNamespace string) []endpoint {
	if p.IPBlock != nil {
		var out []endpoint
		for _, cidr := range blockCIDRs(p.IPBlock.CIDR, p.IPBlock.Except) {
			out = append(out, endpoint{cidr: cidr})
		}
		return out
	}
	var out []endpoint
	for i := range w.pods {
		candidate := &w.pods[i]
		if !candidate.live() {
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
		out = append(out, endpoint{cidr: candidate.Status.PodIP + "/32", pod: candidate})
	}
	return out
}

// blockCIDRs is an ipBlock as the IPv4 CIDRs iptables needs: its cidr without its excepts, as
// the CIDRs that tile what is left (10.0.0.0/8 except 10.1.0.0/16: 10.0.0.0/16, 10.2.0.0/15,
// ..., 10.128.0.0/9). Each stands for itself in a rule, so another peer of the rule that
// allows an excepted address still does. An IPv6 block gives none (IPv4 rules only); so does
// one that does not parse (the API validates them: nothing is allowed rather than too much).
func blockCIDRs(cidr string, excepts []string) []string {
	block, err := netip.ParsePrefix(cidr)
	if err != nil || !block.Addr().Is4() {
		return nil
	}
	var holes []netip.Prefix
	for _, text := range excepts {
		hole, err := netip.ParsePrefix(text)
		if err != nil {
			return nil
		}
		if hole.Addr().Is4() {
			holes = append(holes, hole.Masked())
		}
	}
	var out []string
	for _, part := range subtract(block.Masked(), holes) {
		out = append(out, part.String())
	}
	return out
}

// subtract splits “block“ in halves until each half is clear of every hole or inside one.
func subtract(block netip.Prefix, holes []netip.Prefix) []netip.Prefix {
	overlaps := false
	for _, hole := range holes {
		if hole.Bits() <= block.Bits() && hole.Contains(block.Addr()) {
			return nil // all of block is excepted
		}
		overlaps = overlaps || hole.Overlaps(block)
	}
	if !overlaps {
		return []netip.Prefix{block}
	}
	// a hole lies strictly inside block, so block has a bit left to split on
	bits := block.Bits() + 1
	high := block.Addr().AsSlice()
	high[block.Bits()/8] |= 0x80 >> (block.Bits() % 8)
	upper, _ := netip.AddrFromSlice(high)
	return append(subtract(netip.PrefixFrom(block.Addr(), bits), holes),
		subtract(netip.PrefixFrom(upper, bits), holes)...)
}

// podsWithin lists the Pods an endpoint stands for: its Pod, or the live Pods in its CIDR.
func (w world) podsWithin(e endpoint) []pod {
	if e.pod != nil {
		return []pod{*e.pod}
	}
	var block netip.Prefix
	if e.cidr != "" {
		block = netip.MustParsePrefix(e.cidr) // from blockCIDRs: valid
	}
	var out []pod
	for _, p := range w.pods {
		if !p.live() {
			continue
		}
		if addr, err := netip.ParseAddr(p.Status.PodIP); err == nil && (e.cidr == "" || block.Contains(addr)) {
			out = append(out, p)
		}
	}
	return out
}

// named tells a named port ("http") from a number or no port at all.
func (p policyPort) named() bool {
	_, ok := p.Port.(string)
	return ok
}

// iptables turns a policy port into iptables match arguments. A named port is looked up on
// “receiver“, the Pod the traffic goes to; false when it has no such port (nothing matches).
func (p policyPort) iptables(receiver pod) (string, bool) {
	protocol := orTCP(p.Protocol)
	args := "-p " + strings.ToLower(protocol)
	switch value := p.Port.(type) {
	case float64:
		if p.EndPort > 0 {
			return fmt.Sprintf("%s --dport %d:%d", args, int(value), p.EndPort), true
		}
		return fmt.Sprintf("%s --dport %d", args, int(value)), true
	case string:
		number, ok := receiver.namedPort(value, protocol)
		return fmt.Sprintf("%s --dport %d", args, number), ok
	}
	return args, true // no port: every port of the protocol
}

// allows renders what one rule lets through to (Ingress) or from (Egress) Pod “target“, as
// iptables matches. A named port is resolved on the receiver: “target“ for ingress, each
// destination Pod for egress (so a named port in an egress rule only ever matches Pods).
func (w world) allows(direction string, target pod, r rule, policyNamespace string) []string {
	peers := r.From
	if direction == "Egress" {
		peers = r.To
	}
	endpoints := []endpoint{{}} // no peers: anywhere
	if len(peers) > 0 {
		endpoints = nil
		for _, p := range peers {
			endpoints = append(endpoints, w.peerEndpoints(p, policyNamespace)...)
		}
	}
	ip := target.Status.PodIP
	var out []string
	for _, e := range endpoints {
		if len(r.Ports) == 0 {
			out = append(out, match(direction, ip, e.cidr, ""))
		}
		for _, port := range r.Ports {
			if direction == "Egress" && port.named() {
				for _, destination := range w.podsWithin(e) {
					if ports, ok := port.iptables(destination); ok {
						out = append(out, match(direction, ip, destination.Status.PodIP+"/32", ports))
					}
				}
			} else if ports, ok := port.iptables(target); ok {
				out = append(out, match(direction, ip, e.cidr, ports))
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
		if p.Spec.NodeName == self && p.live() {
			local = append(local, p)
		}
	}
	sort.Slice(local, func(i, j int) bool { return local[i].Status.PodIP < local[j].Status.PodIP })
	for _, direction := range []string{"Ingress", "Egress"} {
		for _, target := range local {
			selected, allows, seen := false, []string{}, map[string]bool{}
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
					for _, allow := range w.allows(direction, target, r, policy.Metadata.Namespace) {
						if !seen[allow] { // peers and policies overlap: one rule is enough
							seen[allow] = true
							allows = append(allows, allow)
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
