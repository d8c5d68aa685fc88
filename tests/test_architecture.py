"""The layer contracts of docs/architecture.md hold, and the checker really catches a breach."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def run_lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the project copy at `root`."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True, text=True, check=False
    )


def copy_project(destination: Path) -> Path:
    """Copy the package and its import contracts, leaving caches behind."""
    shutil.copytree(
        PROJECT_ROOT / "hub", destination / "hub", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(PROJECT_ROOT / "pyproject.toml", destination / "pyproject.toml")
    return destination


def test_project_keeps_its_layer_contracts(tmp_path: Path) -> None:
    result = run_lint_imports(copy_project(tmp_path))
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("module", "forbidden_import", "contract"),
    [
        ("hub/activitypub/jsonld.py", "import httpx", "activitypub is pure"),
        ("hub/activitypub/jsonld.py", "import hub.models", "activitypub is pure"),
        ("hub/models/posts.py", "import hub.services.actors", "foundations do not import upwards"),
        ("hub/services/setup.py", "import hub.web.app", "nothing imports web or cli"),
        ("hub/federation/errors.py", "import hub.services.errors", "layers"),
    ],
    ids=[
        "protocol-does-io",
        "protocol-uses-db",
        "model-uses-service",
        "service-uses-web",
        "upward",
    ],
)
def test_forbidden_import_breaks_the_check(
    tmp_path: Path, module: str, forbidden_import: str, contract: str
) -> None:
    root = copy_project(tmp_path)
    with (root / module).open("a", encoding="utf-8") as source:
        source.write(f"\n{forbidden_import}  # noqa\n")
    result = run_lint_imports(root)
    assert result.returncode != 0
    assert f"{contract} BROKEN" in result.stdout
