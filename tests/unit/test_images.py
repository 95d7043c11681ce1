import pytest

from labkit import RecipeError
from labkit._setup.images import RECIPES, Recipe, recipe, recipe_hash


def test_hash_is_stable_and_follows_the_recipe_and_its_parent(tmp_path, monkeypatch):
    from labkit._setup import images

    base = tmp_path / "base"
    child = tmp_path / "child"
    base.mkdir()
    child.mkdir()
    (base / "Dockerfile").write_text("FROM scratch\n")
    (child / "Dockerfile").write_text("FROM base\n")
    recipes = {"base": Recipe("base", base), "child": Recipe("child", child, "base")}
    monkeypatch.setattr(images, "BY_NAME", recipes)
    first = recipe_hash(recipes["child"])
    assert recipe_hash(recipes["child"]) == first
    (base / "Dockerfile").write_text("FROM scratch\nLABEL x=1\n")
    assert recipe_hash(recipes["child"]) != first


def test_every_recipe_folder_exists_and_parents_are_known():
    for item in RECIPES:
        assert item.folder.is_dir(), item
        assert (item.folder / ("slim.sh" if item.parent is None else "Dockerfile")).is_file()
        if item.parent:
            recipe(item.parent)


def test_unknown_recipe_lists_the_known_ones():
    with pytest.raises(RecipeError, match="Use one of: debian, nginx"):
        recipe("tomcat")
