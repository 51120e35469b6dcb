"""The layering contracts of pyproject.toml fail on a planted violation and pass without it.

`make lint` runs `lint-imports` on the real tree; here the same contracts run on a small tree of empty
packages named like ours, once clean and once with one forbidden import planted, so a contract that
silently stopped matching anything (a renamed module, a wrong wildcard) shows as a failing test.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["config", "federation", "federation.governance", "search", "directory", "shared_actions"]
PACKAGES += ["shared_actions.rosters", "messaging", "missions"]
MODULES = ["directory.views", "directory.api", "federation.governance.services", "federation.services"]
MODULES += ["shared_actions.rosters.views", "shared_actions.rosters.api", "messaging.services"]
MODULES += ["missions.services", "config.celery", "federation.api_base"]
MODULES += [
    f"federation.{name}" for name in ("account_views", "member_views", "cockpit_views", "cockpit_api")
]


def _tree(tmp_path: Path, planted: tuple[str, str] | None) -> Path:
    for package in PACKAGES:
        folder = tmp_path.joinpath(*package.split("."))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "__init__.py").write_text("")
    for module in MODULES:
        tmp_path.joinpath(*module.split(".")).with_suffix(".py").write_text("")
    # Allowed: a feature imports the base, a top-floor app imports the floors below.
    (tmp_path / "directory" / "views.py").write_text("import federation.services\nimport search\n")
    (tmp_path / "messaging" / "services.py").write_text("import shared_actions.rosters.api\n")
    if planted:
        source, target = planted
        path = tmp_path.joinpath(*source.split(".")).with_suffix(".py")
        path.write_text(path.read_text() + f"import {target}\n")
    config = tmp_path / "pyproject.toml"
    real = (ROOT / "pyproject.toml").read_text()
    config.write_text(real[real.index("[tool.importlinter]") :])
    return config


def _lint(tmp_path: Path, config: Path) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).parent / "lint-imports"), "--no-cache", str(config)]
    return subprocess.run(
        command, cwd=tmp_path, env={"PYTHONPATH": str(tmp_path)}, capture_output=True, text=True
    )


def test_contracts_pass_on_a_clean_tree(tmp_path):
    result = _lint(tmp_path, _tree(tmp_path, None))
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("source", "target", "contract"),
    [
        ("federation.services", "directory.api", "Layers"),
        ("directory.views", "shared_actions", "Layers"),
        ("messaging.services", "missions.services", "Layers"),
        ("missions.services", "messaging", "Layers"),
        ("federation.governance.services", "search", "Governance imports no feature app"),
        ("federation.services", "config.celery", "No application module imports config"),
        ("directory.views", "directory.api", "HTML views never import API views"),
        ("shared_actions.rosters.api", "shared_actions.rosters.views", "API views never import HTML views"),
        ("federation.cockpit_views", "federation.cockpit_api", "HTML views never import API views"),
        ("federation.cockpit_api", "federation.member_views", "API views never import HTML views"),
    ],
)
def test_a_planted_violation_breaks_its_contract(tmp_path, source, target, contract):
    result = _lint(tmp_path, _tree(tmp_path, (source, target)))
    assert result.returncode != 0
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(line.startswith(contract) for line in broken), result.stdout
