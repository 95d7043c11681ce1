from labkit._lesson.terminal_output import tidy


def test_pull_progress_keeps_the_last_state_of_each_layer_in_first_seen_order():
    out = (
        "latest: Pulling from library/nginx\n"
        "aaaaaaaaaaa1: Pulling fs layer\n"
        "bbbbbbbbbbb2: Pulling fs layer\n"
        "bbbbbbbbbbb2: Download complete\n"
        "aaaaaaaaaaa1: Downloading [=>  ] 1MB/9MB\raaaaaaaaaaa1: Pull complete\n"
        "bbbbbbbbbbb2: Pull complete\n"
        "Status: Downloaded newer image for nginx:latest\n"
    )
    assert tidy(out).splitlines() == [
        "latest: Pulling from library/nginx",
        "aaaaaaaaaaa1: Pull complete",
        "bbbbbbbbbbb2: Pull complete",
        "Status: Downloaded newer image for nginx:latest",
    ]


def test_compose_progress_is_the_final_state_per_object_sorted_by_kind_then_name():
    out = (
        " Container app-web-1  Creating\n"
        " Network app_default  Creating\n"
        " Container app-db-1  Creating\n"
        " Network app_default  Created\n"
        " Container app-web-1  Started\n"
        " Container app-db-1  Healthy\n"
    )
    assert tidy(out).splitlines() == [
        " Network app_default  Created",
        " Container app-db-1  Healthy",
        " Container app-web-1  Started",
    ]


def test_plain_output_is_untouched():
    assert tidy("hello\nworld\n") == "hello\nworld\n"
    assert tidy("") == ""


def test_compose_rm_names_its_containers_in_sorted_order():
    out = (
        "Going to remove app-web-1, app-db-1\n"
        " Container app-web-1  Removing\n"
        " Container app-db-1  Removed\n"
        " Container app-web-1  Removed\n"
    )
    assert tidy(out).splitlines() == [
        "Going to remove app-db-1, app-web-1",
        " Container app-db-1  Removed",
        " Container app-web-1  Removed",
    ]


def test_rollout_status_keeps_only_how_it_ended():
    waiting = 'Waiting for deployment "hello" rollout to finish: '
    output = (
        f"{waiting}0 of 3 updated replicas are available...\n"
        f"{waiting}2 old replicas are pending termination...\n"
        'deployment "hello" successfully rolled out\n'
    )
    assert tidy(output) == 'deployment "hello" successfully rolled out\n'
