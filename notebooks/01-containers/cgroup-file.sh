#!/bin/bash
# cgroup-file.sh CONTAINER V2_FILE V1_FILE
# Print a file of the memory cgroup of a Docker container, on cgroup v2 or v1:
#   bash cgroup-file.sh oci-demo memory.max memory.limit_in_bytes
set -e
pid=$(docker inspect -f '{{.State.Pid}}' "$1")
if [ "$(stat -fc %T /sys/fs/cgroup/)" = cgroup2fs ]; then
  # cgroup v2: one tree; /proc/PID/cgroup has one line, "0::/path/of/the/group".
  group=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
  cat "/sys/fs/cgroup$group/$2"
else
  # cgroup v1: one tree per controller; the memory line reads "N:memory:/path".
  group=$(sed -n 's/^[0-9]*:memory://p' "/proc/$pid/cgroup")
  cat "/sys/fs/cgroup/memory$group/$3"
fi
