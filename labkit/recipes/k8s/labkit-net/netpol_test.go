package main

import (
	"encoding/json"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func mustPod(t *testing.T, text string) pod {
	var p pod
	if err := json.Unmarshal([]byte(text), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustPolicy(t *testing.T, text string) networkPolicy {
	var p networkPolicy
	if err := json.Unmarshal([]byte(text), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// worldOf is a world of Pods and policies (JSON), with namespaces secure, other and shop.
func worldOf(t *testing.T, pods []string, policies ...string) world {
	w := world{namespaces: map[string]map[string]string{
		"secure": {"kubernetes.io/metadata.name": "secure"},
		"other":  {"kubernetes.io/metadata.name": "other"},
		"shop":   {"kubernetes.io/metadata.name": "shop"},
	}}
	for _, p := range pods {
		w.pods = append(w.pods, mustPod(t, p))
	}
	for _, p := range policies {
		w.policies = append(w.policies, mustPolicy(t, p))
	}
	return w
}

// testWorld: secure/web (n1, port http = 80), secure/client and other/client (role=frontend).
func testWorld(t *testing.T, policies ...string) world {
	return worldOf(t, []string{
		`{"metadata":{"name":"web","namespace":"secure","labels":{"app":"web"}},
			"spec":{"nodeName":"n1","containers":[{"ports":[{"name":"http","containerPort":80}]}]},
			"status":{"podIP":"10.0.1.2"}}`,
		`{"metadata":{"name":"client","namespace":"secure"},"spec":{"nodeName":"n2"},
			"status":{"podIP":"10.0.2.3"}}`,
		`{"metadata":{"name":"client","namespace":"other","labels":{"role":"frontend"}},
			"spec":{"nodeName":"n2"},"status":{"podIP":"10.0.2.4"}}`,
	}, policies...)
}

// packet is what verdict plays through the rules.
type packet struct {
	src, dst, protocol string
	port               int
}

func tcp(src, dst string, port int) packet { return packet{src, dst, "tcp", port} }

// verdict plays a new connection through the chains rules() writes, as iptables would:
// LABKIT-NETPOL-IN then LABKIT-NETPOL-EG, the first rule that matches decides (RETURN: on to
// the next chain). It reports "ACCEPT" (both let it through) or "DROP".
func verdict(t *testing.T, rules string, p packet) string {
	t.Helper()
	for _, chain := range []string{"LABKIT-NETPOL-IN", "LABKIT-NETPOL-EG"} {
		for _, line := range strings.Split(rules, "\n") {
			if target, ok := ruleMatches(t, line, chain, p); ok {
				if target == "DROP" {
					return "DROP"
				}
				break // RETURN
			}
		}
	}
	return "ACCEPT"
}

// ruleMatches reports the target of an "-A chain ..." line when it matches the packet.
func ruleMatches(t *testing.T, line, chain string, p packet) (string, bool) {
	fields := strings.Fields(line)
	if len(fields) < 2 || fields[0] != "-A" || fields[1] != chain {
		return "", false
	}
	inside := func(addr, cidr string) bool {
		return netip.MustParsePrefix(cidr).Contains(netip.MustParseAddr(addr))
	}
	target, matched := "", true
	for i := 2; i+1 < len(fields); i += 2 {
		value := fields[i+1]
		switch fields[i] {
		case "-s":
			matched = matched && inside(p.src, value)
		case "-d":
			matched = matched && inside(p.dst, value)
		case "-p":
			matched = matched && p.protocol == value
		case "--dport":
			low, high, _ := strings.Cut(value, ":")
			if high == "" {
				high = low
			}
			from, err1 := strconv.Atoi(low)
			to, err2 := strconv.Atoi(high)
			if err1 != nil || err2 != nil {
				t.Fatalf("bad --dport in %q", line)
			}
			matched = matched && from <= p.port && p.port <= to
		case "-j":
			target = value
		default:
			t.Fatalf("verdict does not know %s in %q", fields[i], line)
		}
	}
	return target, matched
}

// expectVerdicts checks the verdict of each packet.
func expectVerdicts(t *testing.T, rules string, want map[packet]string) {
	t.Helper()
	for p, expected := range want {
		if got := verdict(t, rules, p); got != expected {
			t.Errorf("%+v: want %s, got %s", p, expected, got)
		}
	}
	if t.Failed() {
		t.Logf("rules:\n%s", rules)
	}
}

func TestNoPolicyNoRule(t *testing.T) {
	rules := testWorld(t).rules("n1")
	if strings.Contains(rules, "DROP") {
		t.Fatalf("unexpected DROP without policies:\n%s", rules)
	}
}

func TestDeckDenyFromOtherNamespaces(t *testing.T) {
	// the deck's policy: podSelector with an empty (null) matchLabels, from all Pods of the namespace
	rules := testWorld(t, `{"metadata":{"name":"deny","namespace":"secure"},
		"spec":{"podSelector":{"matchLabels":null},"ingress":[{"from":[{"podSelector":{}}]}]}}`).rules("n1")
	for _, want := range []string{
		"-A LABKIT-NETPOL-IN -d 10.0.1.2/32 -s 10.0.2.3/32 -j RETURN",
		"-A LABKIT-NETPOL-IN -d 10.0.1.2/32 -j DROP",
	} {
		if !strings.Contains(rules, want) {
			t.Fatalf("missing %q in:\n%s", want, rules)
		}
	}
	if strings.Contains(rules, "10.0.2.4") {
		t.Fatalf("the other namespace's Pod must not be allowed:\n%s", rules)
	}
}

func TestNamespaceAndPodSelectorAndNamedPort(t *testing.T) {
	rules := testWorld(t, `{"metadata":{"name":"front","namespace":"secure"},
		"spec":{"podSelector":{"matchLabels":{"app":"web"}},"ingress":[{"from":[{
			"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"other"}},
			"podSelector":{"matchExpressions":[{"key":"role","operator":"In","values":["frontend"]}]}}],
			"ports":[{"port":"http"}]}]}}`).rules("n1")
	want := "-A LABKIT-NETPOL-IN -d 10.0.1.2/32 -s 10.0.2.4/32 -p tcp --dport 80 -j RETURN"
	if !strings.Contains(rules, want) || strings.Contains(rules, "10.0.2.3") {
		t.Fatalf("want only %q, got:\n%s", want, rules)
	}
}

func TestDefaultDenyEgress(t *testing.T) {
	rules := testWorld(t, `{"metadata":{"name":"deny-egress","namespace":"other"},
		"spec":{"podSelector":{},"policyTypes":["Egress"]}}`).rules("n2")
	if !strings.Contains(rules, "-A LABKIT-NETPOL-EG -s 10.0.2.4/32 -j DROP") ||
		strings.Contains(rules, "LABKIT-NETPOL-IN -d") {
		t.Fatalf("want egress drop only for other/client:\n%s", rules)
	}
}

func TestIPBlockExceptIsNotAllowed(t *testing.T) {
	// 10.0.2.0/24 is excepted from the block, but secure/client (10.0.2.3) is let in by the
	// rule's other peer: an except takes nothing away from the other peers.
	rules := testWorld(t, `{"metadata":{"name":"block","namespace":"secure"},
		"spec":{"podSelector":{"matchLabels":{"app":"web"}},"ingress":[{"from":[
			{"ipBlock":{"cidr":"10.0.0.0/8","except":["10.0.2.0/24","10.200.0.0/16"]}},
			{"podSelector":{}}]}]}}`).rules("n1")
	expectVerdicts(t, rules, map[packet]string{
		tcp("10.9.9.9", "10.0.1.2", 80):    "ACCEPT",
		tcp("10.0.3.1", "10.0.1.2", 80):    "ACCEPT",
		tcp("10.0.2.3", "10.0.1.2", 80):    "ACCEPT", // secure/client, by the podSelector
		tcp("10.0.2.4", "10.0.1.2", 80):    "DROP",   // other/client: excepted
		tcp("10.0.2.200", "10.0.1.2", 80):  "DROP",
		tcp("10.200.1.1", "10.0.1.2", 443): "DROP",
		tcp("192.168.1.1", "10.0.1.2", 80): "DROP",
	})
	if strings.Contains(rules, "-s 10.0.0.0/8") {
		t.Fatalf("the whole block is allowed:\n%s", rules)
	}
}

func TestBlockCIDRs(t *testing.T) {
	for _, c := range []struct {
		cidr    string
		excepts []string
		want    []string
	}{
		{"10.0.0.0/8", nil, []string{"10.0.0.0/8"}},
		{"10.0.0.1/8", nil, []string{"10.0.0.0/8"}}, // host bits, as iptables reads them
		{"10.0.0.0/8", []string{"10.1.0.0/16"}, []string{"10.0.0.0/16", "10.2.0.0/15",
			"10.4.0.0/14", "10.8.0.0/13", "10.16.0.0/12", "10.32.0.0/11", "10.64.0.0/10", "10.128.0.0/9"}},
		{"10.0.0.0/30", []string{"10.0.0.1/32", "10.0.0.2/32"}, []string{"10.0.0.0/32", "10.0.0.3/32"}},
		{"10.0.0.0/24", []string{"10.0.0.0/24"}, nil},
		{"10.0.0.0/24", []string{"10.0.0.0/16"}, nil},
		{"10.0.0.0/24", []string{"192.168.0.0/16", "2001:db8::/64"}, []string{"10.0.0.0/24"}},
		{"2001:db8::/64", nil, nil}, // IPv4 rules only
		{"10.0.0.0/33", nil, nil},   // never valid: nothing, rather than too much
		{"10.0.0.0/8", []string{"10.1"}, nil},
	} {
		if got := blockCIDRs(c.cidr, c.excepts); !reflect.DeepEqual(got, c.want) {
			t.Errorf("blockCIDRs(%s, %v) = %v, want %v", c.cidr, c.excepts, got, c.want)
		}
	}
}

func TestBlockCIDRsCoverAllButTheExcepts(t *testing.T) {
	excepts := []string{"169.254.169.254/32", "10.0.0.0/8", "10.96.0.0/12", "192.168.7.128/25"}
	parts := blockCIDRs("0.0.0.0/0", excepts)
	in := func(addr netip.Addr, cidrs []string) int {
		n := 0
		for _, c := range cidrs {
			if netip.MustParsePrefix(c).Contains(addr) {
				n++
			}
		}
		return n
	}
	for _, text := range []string{"0.0.0.0", "9.255.255.255", "10.0.0.0", "10.255.255.255",
		"11.0.0.0", "169.254.169.253", "169.254.169.254", "169.254.169.255", "192.168.7.127",
		"192.168.7.128", "192.168.7.255", "192.168.8.0", "255.255.255.255"} {
		addr := netip.MustParseAddr(text)
		want := 1 // in exactly one part, unless excepted
		if in(addr, excepts) > 0 {
			want = 0
		}
		if got := in(addr, parts); got != want {
			t.Errorf("%s is in %d of the parts, want %d: %v", text, got, want, parts)
		}
	}
}

// shopWorld: shop/client (n1) has a port called http itself (9999); web-a and web-b name
// different ports http; web-c has none; dns (kube-system-like, in other) serves dns over UDP.
func shopWorld(t *testing.T, policies ...string) world {
	return worldOf(t, []string{
		`{"metadata":{"name":"client","namespace":"shop","labels":{"app":"client"}},
			"spec":{"nodeName":"n1","containers":[{"ports":[{"name":"http","containerPort":9999}]}]},
			"status":{"podIP":"10.0.1.5","phase":"Running"}}`,
		`{"metadata":{"name":"web-a","namespace":"shop","labels":{"app":"web"}},
			"spec":{"nodeName":"n2","containers":[{"ports":[{"name":"http","containerPort":80}]}]},
			"status":{"podIP":"10.0.2.10","phase":"Running"}}`,
		`{"metadata":{"name":"web-b","namespace":"shop","labels":{"app":"web"}},
			"spec":{"nodeName":"n2","containers":[{"ports":[{"name":"metrics","containerPort":9090}]},
				{"ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}]}]},
			"status":{"podIP":"10.0.2.11","phase":"Running"}}`,
		`{"metadata":{"name":"web-c","namespace":"shop","labels":{"app":"web"}},
			"spec":{"nodeName":"n2","containers":[{}]},"status":{"podIP":"10.0.2.12","phase":"Running"}}`,
		`{"metadata":{"name":"dns","namespace":"other","labels":{"app":"dns"}},
			"spec":{"nodeName":"n2","containers":[{"ports":[{"name":"dns","containerPort":53,"protocol":"UDP"},
				{"name":"dns-tcp","containerPort":53,"protocol":"TCP"}]}]},
			"status":{"podIP":"10.0.2.20","phase":"Running"}}`,
	}, policies...)
}

func TestEgressNamedPortIsResolvedOnEachDestination(t *testing.T) {
	rules := shopWorld(t, `{"metadata":{"name":"to-web","namespace":"shop"},
		"spec":{"podSelector":{"matchLabels":{"app":"client"}},"policyTypes":["Egress"],
			"egress":[{"to":[{"podSelector":{"matchLabels":{"app":"web"}}}],"ports":[{"port":"http"}]}]}}`).rules("n1")
	expectVerdicts(t, rules, map[packet]string{
		tcp("10.0.1.5", "10.0.2.10", 80):   "ACCEPT",
		tcp("10.0.1.5", "10.0.2.10", 8080): "DROP",
		tcp("10.0.1.5", "10.0.2.11", 8080): "ACCEPT",
		tcp("10.0.1.5", "10.0.2.11", 80):   "DROP",
		tcp("10.0.1.5", "10.0.2.12", 80):   "DROP", // web-c has no port http
		tcp("10.0.1.5", "10.0.2.10", 9999): "DROP", // the source's own port http
		tcp("10.0.1.5", "10.0.2.20", 80):   "DROP",
	})
}

func TestEgressNamedPortToAnywhereOrABlockMeansPodsWithThatPort(t *testing.T) {
	rules := shopWorld(t, `{"metadata":{"name":"dns","namespace":"shop"},
		"spec":{"podSelector":{},"policyTypes":["Egress"],"egress":[
			{"ports":[{"port":"dns","protocol":"UDP"}]},
			{"to":[{"ipBlock":{"cidr":"10.0.2.0/24","except":["10.0.2.11/32"]}}],"ports":[{"port":"http"}]}]}}`).rules("n1")
	expectVerdicts(t, rules, map[packet]string{
		{"10.0.1.5", "10.0.2.20", "udp", 53}: "ACCEPT",
		{"10.0.1.5", "10.0.2.20", "tcp", 53}: "DROP", // dns is the UDP port; dns-tcp is another name
		{"10.0.1.5", "8.8.8.8", "udp", 53}:   "DROP", // no Pod there: no port named dns
		tcp("10.0.1.5", "10.0.2.10", 80):     "ACCEPT",
		tcp("10.0.1.5", "10.0.2.11", 8080):   "DROP", // excepted from the block
	})
}

func TestIngressNamedPortIsResolvedOnTheSelectedPodOnItsProtocol(t *testing.T) {
	rules := shopWorld(t, `{"metadata":{"name":"dns","namespace":"other"},
		"spec":{"podSelector":{"matchLabels":{"app":"dns"}},"ingress":[{"ports":[
			{"port":"dns","protocol":"UDP"},{"port":"dns"},{"port":"http"}]}]}}`).rules("n2")
	if !strings.Contains(rules, "-A LABKIT-NETPOL-IN -d 10.0.2.20/32 -p udp --dport 53 -j RETURN") {
		t.Fatalf("no UDP 53 for the port dns:\n%s", rules)
	}
	expectVerdicts(t, rules, map[packet]string{
		{"10.0.1.5", "10.0.2.20", "udp", 53}: "ACCEPT",
		tcp("10.0.1.5", "10.0.2.20", 53):     "DROP", // {port: dns} is TCP: dns is not a TCP port
		tcp("10.0.1.5", "10.0.2.20", 80):     "DROP", // http is not dns's port
		tcp("10.0.1.5", "10.0.2.20", 9999):   "DROP", // nor the client's
	})
}

func TestPortsProtocolsAndRanges(t *testing.T) {
	rules := testWorld(t, `{"metadata":{"name":"ports","namespace":"secure"},
		"spec":{"podSelector":{},"ingress":[{"ports":[
			{"port":8000,"endPort":8100,"protocol":"SCTP"},{"protocol":"UDP"},{"port":443}]}]}}`).rules("n1")
	for _, want := range []string{
		"-A LABKIT-NETPOL-IN -d 10.0.1.2/32 -p sctp --dport 8000:8100 -j RETURN",
		"-A LABKIT-NETPOL-IN -d 10.0.1.2/32 -p udp -j RETURN",
		"-A LABKIT-NETPOL-IN -d 10.0.1.2/32 -p tcp --dport 443 -j RETURN",
	} {
		if !strings.Contains(rules, want) {
			t.Fatalf("missing %q in:\n%s", want, rules)
		}
	}
	expectVerdicts(t, rules, map[packet]string{
		{"10.0.2.3", "10.0.1.2", "sctp", 8100}: "ACCEPT",
		{"10.0.2.3", "10.0.1.2", "sctp", 8101}: "DROP",
		{"10.0.2.3", "10.0.1.2", "tcp", 8000}:  "DROP",
		{"10.0.2.3", "10.0.1.2", "udp", 5353}:  "ACCEPT",
		tcp("10.0.2.3", "10.0.1.2", 443):       "ACCEPT",
		tcp("10.0.2.3", "10.0.1.2", 80):        "DROP",
	})
}

func TestSelectorsOfAPeer(t *testing.T) {
	for _, c := range []struct {
		name, peer                string
		secureClient, otherClient string
	}{
		{"empty podSelector: the policy's namespace", `{"podSelector":{}}`, "ACCEPT", "DROP"},
		{"empty namespaceSelector: every namespace", `{"namespaceSelector":{}}`, "ACCEPT", "ACCEPT"},
		{"namespaceSelector alone: all its Pods",
			`{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"other"}}}`, "DROP", "ACCEPT"},
		{"both: the Pods matching both",
			`{"namespaceSelector":{},"podSelector":{"matchLabels":{"role":"frontend"}}}`, "DROP", "ACCEPT"},
		{"podSelector alone: in the policy's namespace only",
			`{"podSelector":{"matchExpressions":[{"key":"role","operator":"DoesNotExist"}]}}`, "ACCEPT", "DROP"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rules := testWorld(t, `{"metadata":{"name":"p","namespace":"secure"},
				"spec":{"podSelector":{},"ingress":[{"from":[`+c.peer+`]}]}}`).rules("n1")
			expectVerdicts(t, rules, map[packet]string{
				tcp("10.0.2.3", "10.0.1.2", 80): c.secureClient,
				tcp("10.0.2.4", "10.0.1.2", 80): c.otherClient,
			})
		})
	}
}

func TestPolicyTypesDefault(t *testing.T) {
	ingressOnly := mustPolicy(t, `{"spec":{"podSelector":{},"ingress":[{}]}}`)
	both := mustPolicy(t, `{"spec":{"podSelector":{},"egress":[{}]}}`)
	egressOnly := mustPolicy(t, `{"spec":{"podSelector":{},"policyTypes":["Egress"],"ingress":[{}]}}`)
	for _, c := range []struct {
		policy          networkPolicy
		ingress, egress bool
	}{{ingressOnly, true, false}, {both, true, true}, {egressOnly, false, true}} {
		if c.policy.hasType("Ingress") != c.ingress || c.policy.hasType("Egress") != c.egress {
			t.Errorf("%+v: want ingress %v, egress %v", c.policy.Spec, c.ingress, c.egress)
		}
	}
}

func TestFinishedPodsAreNeitherPeersNorTargets(t *testing.T) {
	// A Job's Pod finished; its address went to other/new, which no policy must touch.
	rules := worldOf(t, []string{
		`{"metadata":{"name":"web","namespace":"secure"},"spec":{"nodeName":"n1"},
			"status":{"podIP":"10.0.1.2","phase":"Running"}}`,
		`{"metadata":{"name":"job","namespace":"secure"},"spec":{"nodeName":"n1"},
			"status":{"podIP":"10.0.1.9","phase":"Succeeded"}}`,
		`{"metadata":{"name":"new","namespace":"other"},"spec":{"nodeName":"n1"},
			"status":{"podIP":"10.0.1.9","phase":"Running"}}`,
	}, `{"metadata":{"name":"same-namespace","namespace":"secure"},
		"spec":{"podSelector":{},"ingress":[{"from":[{"podSelector":{}}]}]}}`).rules("n1")
	if strings.Contains(rules, "10.0.1.9") {
		t.Fatalf("a finished Pod's address is in the rules:\n%s", rules)
	}
	expectVerdicts(t, rules, map[packet]string{
		tcp("10.0.1.9", "10.0.1.2", 80): "DROP",
		tcp("10.0.1.2", "10.0.1.9", 80): "ACCEPT",
	})
}

func TestIPv6BlocksAreLeftOutOfTheIPv4Rules(t *testing.T) {
	// the usual "anywhere but the metadata server" egress, written for both families
	rules := testWorld(t, `{"metadata":{"name":"out","namespace":"secure"},
		"spec":{"podSelector":{},"policyTypes":["Egress"],"egress":[{"to":[
			{"ipBlock":{"cidr":"0.0.0.0/0","except":["169.254.169.254/32"]}},
			{"ipBlock":{"cidr":"::/0","except":["fd00:ec2::254/128"]}}]}]}}`).rules("n1")
	if strings.Contains(rules, "::") {
		t.Fatalf("IPv6 in iptables-restore input (it would refuse all of it):\n%s", rules)
	}
	expectVerdicts(t, rules, map[packet]string{
		tcp("10.0.1.2", "8.8.8.8", 443):        "ACCEPT",
		tcp("10.0.1.2", "169.254.169.254", 80): "DROP",
	})
}
