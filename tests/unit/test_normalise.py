from labkit._normalise import normalise


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
