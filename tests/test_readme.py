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
