package main

import (
	"encoding/json"
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

func testWorld(t *testing.T, policies ...string) world {
	w := world{namespaces: map[string]map[string]string{
		"secure": {"kubernetes.io/metadata.name": "secure"},
		"other":  {"kubernetes.io/metadata.name": "other"},
	}}
	w.pods = []pod{
		mustPod(t, `{"metadata":{"name":"web","namespace":"secure","labels":{"app":"web"}},
			"spec":{"nodeName":"n1","containers":[{"ports":[{"name":"http","containerPort":80}]}]},
			"status":{"podIP":"10.0.1.2"}}`),
		mustPod(t, `{"metadata":{"name":"client","namespace":"secure"},"spec":{"nodeName":"n2"},
			"status":{"podIP":"10.0.2.3"}}`),
		mustPod(t, `{"metadata":{"name":"client","namespace":"other","labels":{"role":"frontend"}},
			"spec":{"nodeName":"n2"},"status":{"podIP":"10.0.2.4"}}`),
	}
	for _, p := range policies {
		w.policies = append(w.policies, mustPolicy(t, p))
	}
	return w
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
