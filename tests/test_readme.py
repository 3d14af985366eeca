"""The README's promises: two set-up commands, and CI runs the test one exactly as written."""
import re

from conftest import ROOT


def commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", setup)


def test_readme_has_two_setup_commands_and_ci_runs_the_test_one():
    serve, test = commands()
    assert serve.endswith("mkdocs serve") and test.endswith("pytest")
    assert test in (ROOT / ".ci/run").read_text(encoding="utf-8").splitlines()


def test_every_library_the_package_imports_is_a_declared_dependency():
    """The README's first command installs only ``dependencies``: a library that arrives with a
    test extra (numpy came with scikit-learn) would break ``mkdocs serve`` on a fresh clone."""
    import ast
    import sys
    import tomllib
    from importlib.metadata import packages_distributions

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    def canonical(name: str) -> str:  # "ahocorasick_rs" is the distribution "ahocorasick-rs"
        return re.sub(r"[-_.]+", "-", name).lower()

    declared = {canonical(re.split(r"[<>=!\[; ]", d, 1)[0]) for d in project["dependencies"]}
    optional = {"pagefind"}  # imported only behind `search: pagefind`, which names its extra
    dists = packages_distributions()
    missing = set()
    for path in (ROOT / "generator").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in optional or top == "generator":
                    continue
                if not {canonical(d) for d in dists.get(top, [top])} & declared:
                    missing.add(f"{path.relative_to(ROOT)}: {top}")
    assert not missing, sorted(missing)
