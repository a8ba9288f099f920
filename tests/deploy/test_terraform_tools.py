"""What the real tools say about terraform/ offline: `terraform fmt` finds nothing to change,
and checkov finds nothing that is not skipped inline with its reason. (`init`, `validate` and
`plan` need the providers and registry modules, which cannot be downloaded here; see
docs/terraform.md.)"""

import json
import re
import subprocess

import pytest

from tests.fixtures.checkov import ensure_checkov
from tests.fixtures.terraform import ALL_MODULES, TERRAFORM, TERRAFORM_BINARY, comments, terraform

SKIP = re.compile(r"checkov:skip=(?P<check>[A-Z0-9_]+)(?P<reason>[^\n]*)")


@pytest.mark.skipif(TERRAFORM_BINARY is None, reason="no terraform binary: fmt -check not run")
def test_terraform_fmt_finds_nothing_to_change():
    completed = terraform("fmt", "-check", "-recursive", "-diff", cwd=TERRAFORM)
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.mark.skipif(TERRAFORM_BINARY is None, reason="no terraform binary")
def test_terraform_fmt_check_fails_on_badly_formatted_code(tmp_path):
    (tmp_path / "main.tf").write_text('locals {\nname="x"\n  other   = 1\n}\n')
    assert terraform("fmt", "-check", "-recursive", cwd=tmp_path).returncode == 3


def test_every_checkov_skip_gives_its_reason():
    skips = [match for directory in ALL_MODULES for match in SKIP.finditer(comments(directory))]
    assert skips, "no skips found: the pattern is wrong"
    for skip in skips:
        reason = skip["reason"].removeprefix(":").strip()
        assert len(reason) > 30, f"{skip['check']} skipped without a reason"


def test_checkov_finds_nothing_unjustified():
    completed = subprocess.run(
        [
            str(ensure_checkov()),
            "--directory",
            str(TERRAFORM),
            "--framework",
            "terraform",
            "--skip-download",
            "--output",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert completed.returncode in (0, 1), completed.stderr
    report = json.loads(completed.stdout)
    reports = report if isinstance(report, list) else [report]
    assert [r["check_type"] for r in reports] == ["terraform"]
    results = reports[0]["results"]
    failed = [
        f"{check['check_id']} {check['resource']} {check['file_path']}"
        for check in results["failed_checks"]
    ]
    assert failed == []
    assert reports[0]["summary"]["parsing_errors"] == 0
    # The module resources were scanned (not an empty pass) and every skip came from a comment.
    assert reports[0]["summary"]["passed"] > 100
    for check in results["skipped_checks"]:
        assert check["check_result"].get("suppress_comment"), check["check_id"]
