from labkit._lesson.normalise import normalise


def test_masks_ids_digests_ages_and_sizes():
    text = (
        "4e0b3a0a0484   nginx   2 seconds ago   Up About a minute   88.5MB\n"
        "Digest: sha256:" + "ab" * 32 + "\n"
    )
    assert normalise(text) == ("<id>  nginx  <age>  Up <age>  <size>\nDigest: sha256:<digest>\n")


def test_keeps_loopback_and_wildcard_addresses_but_masks_others():
    assert normalise("0.0.0.0:8080 127.0.0.1:5000 172.17.0.5") == "0.0.0.0:8080 127.0.0.1:5000 <ip>"


def test_masks_timestamps_and_durations():
    assert normalise("at 2026-11-25T17:22:10.123Z took 0.3s") == "at <time> took <duration>"


def test_leaves_ordinary_words_and_short_hex_alone():
    text = "Welcome to nginx! deadbeef 1.0 latest"
    assert normalise(text) == text


def test_masks_where_the_course_is_checked_out():
    text = "validating /home/me/docker-plus-plus/notebooks/03-docker-compose/deck-compose.yml: x"
    assert normalise(text) == (
        "validating <checkout>/notebooks/03-docker-compose/deck-compose.yml: x"
    )
    assert normalise("commands run in notebooks/03-docker-compose/work") == (
        "commands run in notebooks/03-docker-compose/work"
    )


def test_buildkit_progress_reads_the_same_however_fast_the_steps_were():
    slow = (
        "#1 transferring dockerfile: 85B 0.0s done\n"
        "#7 exporting layers\n"
        "#7 exporting layers 0.3s done\n"
        "#7 exporting attestation manifest sha256:" + "2" * 64 + "\n"
        "#7 exporting attestation manifest sha256:" + "2" * 64 + " 0.1s done\n"
        "#8 0.512 Hello\n"
        "#7 DONE 0.6s\n"
    )
    fast = (
        "#1 transferring dockerfile: 85B done\n"
        "#7 exporting layers done\n"
        "#7 exporting attestation manifest sha256:" + "1" * 64 + " 0.0s done\n"
        "#8 0.104 Hello\n"
        "#7 DONE 0.2s\n"
    )
    assert normalise(slow) == normalise(fast)
    assert "#7 exporting layers" in normalise(fast)  # the step itself stays


def test_push_progress_compares_equal_whatever_the_order_of_the_blobs():
    first = (
        "The push refers to repository [r]\n"
        + "".join(
            f"{digest}: {status}\n"
            for digest, status in (("c11613fa8c8f", "Waiting"), ("4f7c0f4cafb7", "Pushed"))
        )
        + "1.0: digest: sha256:"
        + "a" * 64
        + " size: 856\n"
    )
    second = "The push refers to repository [r]\n4f7c0f4cafb7: Pushed\n1.0: digest: sha256:" + (
        "a" * 64 + " size: 856\n"
    )
    assert normalise(first) == normalise(second)
    assert normalise(first).startswith("The push refers to repository [r]\n<blob progress>\n1.0:")


def test_client_go_log_lines_go_whole_whether_printed_or_not():
    error = "Error: UPGRADE FAILED: context deadline exceeded\n[exit 1]\n"
    klog = (
        'E1203 14:05:02.472461  27091 request.go:1198] "Unexpected error when reading response'
        ' body" err="context canceled"\n'
    )
    assert normalise("$ helm upgrade\n" + klog + error) == normalise("$ helm upgrade\n" + error)
    assert normalise("E1203 is not a log line\n") == "E1203 is not a log line\n"


def test_the_own_engines_paths_and_bridge_compare_as_dockers_usual_ones():
    usual = (
        "dockerd --config-file /root/.cache/labkit/daemon.json\n"
        "containerd --config /var/run/docker/containerd/containerd.toml\n"
        '"bundle": "/run/docker/containerd/daemon/x" on docker0, data /var/lib/docker\n'
    )
    own = (
        "dockerd --config-file /root/.cache/labkit/daemon-own.json\n"
        "containerd --config /run/labkit/docker/containerd/containerd.toml\n"
        '"bundle": "/run/labkit/docker/containerd/daemon/x" on labkit0, '
        "data /var/lib/labkit-docker\n"
    )
    assert normalise(own) == normalise(usual)
    assert (
        normalise("/run/docker-plus-plus /var/lib/docker-x")
        == "/run/docker-plus-plus /var/lib/docker-x"
    )
