"""Publishing: the GitHub Pages workflow, and a real `mkdocs gh-deploy` to a local bare repository."""
import json
import os
import shutil
import subprocess
import sys

import yaml

from conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
CLIP = "papers/learning-transferable-visual-models-from-natural-language-supervision/index.html"


def steps(workflow):
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_pages_workflow_builds_strictly_and_deploys_with_the_pages_actions():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # PyYAML reads the key `on` as True
    assert {"push", "schedule", "workflow_dispatch"} <= set(triggers)
    assert triggers["push"]["branches"] == ["main"]
    assert triggers["schedule"][0]["cron"].split()[:2] == ["0", "6"]
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow["concurrency"]["group"] == "pages"

    uses = [step["uses"].split("@")[0] for step in steps(workflow) if "uses" in step]
    for action in ("actions/checkout", "actions/setup-python", "actions/configure-pages",
                   "actions/upload-pages-artifact", "actions/deploy-pages"):
        assert action in uses
    runs = "\n".join(step.get("run", "") for step in steps(workflow))
    assert "pip install '.[pagefind]'" in runs
    cached = [step for step in steps(workflow) if step.get("uses", "").startswith("actions/cache@")]
    assert cached and cached[0]["with"]["path"] == ".cache/papersite"  # papersite's cache, kept between runs
    assert "mkdocs build --strict" in runs
    assert "SOURCE_DATE_EPOCH" in runs and "git log -1 --format=%ct" in runs

    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert "steps.deployment.outputs.page_url" in deploy["environment"]["url"]


def git_env():
    """The environment without the user's or system's git settings, with a fixed identity."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="Papersite Test", GIT_AUTHOR_EMAIL="test@example.invalid",
               GIT_COMMITTER_NAME="Papersite Test", GIT_COMMITTER_EMAIL="test@example.invalid",
               GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, GIT_TERMINAL_PROMPT="0")
    return env


def run(args, cwd, env):
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}"
    return result


def deploy(project, remote, env) -> set[str]:
    """Commit the project, `mkdocs gh-deploy` it to the bare repository ``remote``, and list gh-pages."""
    run(["git", "init", "--bare", "-q", str(remote)], remote.parent, env)
    run(["git", "init", "-q", "-b", "main"], project, env)
    run(["git", "config", "user.name", "Papersite Test"], project, env)
    run(["git", "config", "user.email", "test@example.invalid"], project, env)
    run(["git", "remote", "add", "origin", str(remote)], project, env)
    run(["git", "add", "-A"], project, env)
    run(["git", "commit", "-q", "-m", "Site sources"], project, env)
    run([sys.executable, "-m", "mkdocs", "gh-deploy", "--force", "--remote-name", "origin",
         "--remote-branch", "gh-pages", "--no-history"], project, env)
    listed = run(["git", "--git-dir", str(remote), "ls-tree", "-r", "--name-only", "gh-pages"], remote.parent, env)
    return set(listed.stdout.splitlines())


def test_gh_deploy_pushes_the_built_site_to_a_local_bare_repository(bundled, tmp_path):
    env = git_env()
    remote = tmp_path / "remote.git"
    project = tmp_path / "project"
    project.mkdir()
    shutil.move(str(bundled), project / "content")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    files = deploy(project, remote, env)
    for name in ("index.html", ".nojekyll", "graph.json", CLIP):
        assert name in files, f"{name} missing from gh-pages ({len(files)} files)"

    shown = run(["git", "--git-dir", str(remote), "show", "gh-pages:graph.json"], tmp_path, env)
    graph = json.loads(shown.stdout)
    papers = [node for node in graph["nodes"] if node.get("kind") == "paper"]
    assert len(papers) == 65

    history = run(["git", "--git-dir", str(remote), "rev-list", "--count", "gh-pages"], tmp_path, env)
    assert history.stdout.strip() == "1"  # --no-history: one commit, no parents
