import pytest

from labkit import RecipeError, dockerfile_instructions


def write(tmp_path, text):
    path = tmp_path / "Dockerfile"
    path.write_text(text)
    return path


def test_reads_instructions_with_their_line_numbers(tmp_path):
    path = write(
        tmp_path, "# base\nFROM nginx:1.22\n\nRUN apt-get update \\\n && true\nCOPY a /b\n"
    )
    assert dockerfile_instructions(path) == [
        (2, "FROM", "nginx:1.22"),
        (4, "RUN", "apt-get update  && true"),
        (6, "COPY", "a /b"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("FROM nginx\nCOPPY a /b\n", "line 2: unknown instruction 'COPPY'"),
        ("COPY a /b\n", "line 1 must start with FROM"),
        ("FROM nginx\nRUN\n", "line 2: RUN needs arguments"),
        ("FROM nginx\nRUN true \\\n", "ends with a line continued"),
    ],
)
def test_malformed_dockerfiles_name_the_problem(tmp_path, text, message):
    with pytest.raises(RecipeError, match=message) as caught:
        dockerfile_instructions(write(tmp_path, text), "ex02/Dockerfile")
    assert str(caught.value).startswith("ex02/Dockerfile")
    assert "Fix:" in str(caught.value)


def test_missing_dockerfile_says_how_to_create_it(tmp_path):
    with pytest.raises(RecipeError, match="There is no Dockerfile at ex/Dockerfile"):
        dockerfile_instructions(tmp_path / "Dockerfile", "ex/Dockerfile")
