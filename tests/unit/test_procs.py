from labkit._lesson.procs import branches


def test_every_child_but_the_last_hangs_on_a_tee():
    assert branches(["containerd", "proxy v4", "proxy v6"]) == [
        "├─ containerd",
        "├─ proxy v4",
        "└─ proxy v6",
    ]


def test_a_single_child_and_an_indented_level():
    assert branches(["nginx: master"]) == ["└─ nginx: master"]
    assert branches(["worker", "worker"], indent="   ") == ["   ├─ worker", "   └─ worker"]
    assert branches([]) == []
