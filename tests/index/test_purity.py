"""The core is pure: no module of index/ imports Discord or bot/, or reads the environment."""

import ast

import pytest

from tests.conftest import PROJECT

MODULES = sorted((PROJECT / "index").glob("*.py"))


def imported(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", MODULES, ids=[m.name for m in MODULES])
def test_the_core_knows_nothing_of_discord_or_the_environment(module):
    tree = ast.parse(module.read_text(encoding="utf-8"))
    roots = {name.split(".")[0] for name in imported(tree)}
    assert not roots & {"discord", "bot", "dotenv"}, module.name
    attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    assert not attributes & {"environ", "getenv"}, module.name


def test_every_core_module_is_checked():
    assert len(MODULES) > 20 and "answering.py" in {m.name for m in MODULES}
