"""docs/architecture.md's tree and the code stay in step: every package and module is named there, and
every path named there exists. A package's `__init__.py` is not listed: the package's own line stands for it."""

import re
from pathlib import Path

from tests.support import ROOT

DOC = ROOT / "docs" / "architecture.md"
CODE = ("mnist_core", "ui", "app_pages")


def tree_paths() -> list[str]:
    """The paths the Layout section's tree names: two spaces of indent per level, a folder ends in '/'."""
    block = re.search(r"^## Layout\n.*?^```\n(.*?)^```", DOC.read_text(), re.S | re.M).group(1)
    paths, parents = [], []
    for line in block.splitlines():
        if not line.strip():
            continue
        depth = (len(line) - len(line.lstrip(" "))) // 2
        name = line.split()[0]
        parents = parents[:depth]
        paths.append("".join(parents) + name)
        if name.endswith("/"):
            parents.append(name)
    return paths


def code_paths() -> set[str]:
    """Every module (but `__init__.py`) and every package under CODE, as the tree spells them."""
    found = set()
    for top in CODE:
        for path in (ROOT / top).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if "__pycache__" in relative.parts:
                continue
            if path.name != "__init__.py":
                found.add(relative.as_posix())
            found.update(f"{folder.as_posix()}/" for folder in relative.parents if folder != Path("."))
    return found


def test_the_tree_names_every_package_and_module():
    assert code_paths() - set(tree_paths()) == set(), "add these to docs/architecture.md's Layout tree"


def test_every_path_in_the_tree_exists():
    assert [p for p in tree_paths() if not (ROOT / p).exists()] == [], "docs/architecture.md names these"


def test_the_tree_names_each_path_once():
    paths = tree_paths()
    assert sorted({p for p in paths if paths.count(p) > 1}) == []
