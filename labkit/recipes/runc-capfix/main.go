// runc-capfix: OCI runtime wrapper. Removes from the OCI spec every capability
// that is not in this process's capability bounding set (CapBnd in
// /proc/self/status), then execs the real runc with the same arguments.
// Needed because CAP_SYS_RESOURCE is missing from the bounding set on this host,
// so runc fails to apply "privileged" capability sets.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"syscall"
)

var capNames = []string{"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL",
	"SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST",
	"NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT",
	"SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME",
	"SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE",
	"MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
	"CHECKPOINT_RESTORE"}

func capBnd() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return ^uint64(0)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if strings.HasPrefix(s.Text(), "CapBnd:") {
			v, err := strconv.ParseUint(strings.TrimSpace(strings.TrimPrefix(s.Text(), "CapBnd:")), 16, 64)
			if err == nil {
				return v
			}
		}
	}
	return ^uint64(0)
}

func allowed(name string, bnd uint64) bool {
	n := strings.TrimPrefix(strings.ToUpper(name), "CAP_")
	for i, c := range capNames {
		if c == n {
			return bnd&(1<<uint(i)) != 0
		}
	}
	return true // unknown name: leave it to runc
}

func filterCaps(caps map[string]interface{}, bnd uint64) bool {
	changed := false
	for k, v := range caps {
		list, ok := v.([]interface{})
		if !ok {
			continue
		}
		out := make([]interface{}, 0, len(list))
		for _, c := range list {
			if s, ok := c.(string); ok && !allowed(s, bnd) {
				changed = true
				continue
			}
			out = append(out, c)
		}
		caps[k] = out
	}
	return changed
}

// fixFile rewrites a JSON file; isSpec: the capabilities are under .process,
// otherwise (runc exec --process) at top level.
func fixFile(path string, isSpec bool, bnd uint64) {
	data, err := os.ReadFile(path)
	if err != nil {
		return
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber() // keep big integers (rlimits, memory limits) exact
	var doc map[string]interface{}
	if d.Decode(&doc) != nil {
		return
	}
	proc := doc
	if isSpec {
		p, ok := doc["process"].(map[string]interface{})
		if !ok {
			return
		}
		proc = p
	}
	caps, ok := proc["capabilities"].(map[string]interface{})
	if !ok || !filterCaps(caps, bnd) {
		return
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return
	}
	st, err := os.Stat(path)
	mode := os.FileMode(0644)
	if err == nil {
		mode = st.Mode().Perm()
	}
	_ = os.WriteFile(path, out, mode)
}

func main() {
	bnd := capBnd()
	args := os.Args[1:]
	var bundle, process string
	cmd := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() string {
			if i+1 < len(args) {
				i++
				return args[i]
			}
			return ""
		}
		switch {
		case a == "--bundle" || a == "-b":
			bundle = next()
		case strings.HasPrefix(a, "--bundle="):
			bundle = strings.TrimPrefix(a, "--bundle=")
		case a == "--process" || a == "-p":
			process = next()
		case strings.HasPrefix(a, "--process="):
			process = strings.TrimPrefix(a, "--process=")
		case cmd == "" && (a == "--root" || a == "--log" || a == "--log-format" || a == "--criu" || a == "--rootless"):
			next() // global flags taking a value
		case cmd == "" && !strings.HasPrefix(a, "-"):
			cmd = a
		}
	}
	if bundle == "" && (cmd == "create" || cmd == "run") {
		bundle = "."
	}
	if bundle != "" {
		fixFile(bundle+"/config.json", true, bnd)
	}
	if process != "" {
		fixFile(process, false, bnd)
	}
	real := os.Getenv("RUNC_CAPFIX_REAL")
	if real == "" {
		for _, p := range []string{"/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc"} {
			if _, err := os.Stat(p); err == nil {
				real = p
				break
			}
		}
	}
	argv := append([]string{"runc"}, args...)
	err := syscall.Exec(real, argv, os.Environ())
	os.Stderr.WriteString("runc-capfix: exec " + real + ": " + err.Error() + "\n")
	os.Exit(127)
}
