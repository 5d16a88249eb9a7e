"""SHA256SUMS signed with a key from the environment, verified with its public key."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from council_publish import cli as publish
from council_publish.manifest import write_manifest_step
from council_publish.pipeline import BuildContext, BuildFailed
from council_publish.signature import KEY_VARIABLE, NAMESPACE, SIGNATURE, sign_manifest_step, verify

IDENTITY = "council-test@example.jp"


@pytest.fixture
def key(tmp_path: Path) -> tuple[Path, Path]:
    """A throw-away Ed25519 key and the allowed-signers file naming its public half."""
    private = tmp_path / "keys" / "id_ed25519"
    private.parent.mkdir()
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", IDENTITY, "-f", str(private)], check=True)
    public = private.with_suffix(".pub").read_text().split()
    signers = tmp_path / "keys" / "allowed_signers"
    signers.write_text(f'{IDENTITY} namespaces="{NAMESPACE}" {public[0]} {public[1]}\n')
    return private, signers


def _site(tmp_path: Path, env: dict[str, str]) -> BuildContext:
    ctx = BuildContext(source=tmp_path, staging=tmp_path / "staging", env=env)
    (ctx.html / "cases").mkdir(parents=True)
    (ctx.html / "index.html").write_text("<p>トップ</p>", encoding="utf-8")
    (ctx.html / "cases" / "a.html").write_text("<p>案件</p>", encoding="utf-8")
    write_manifest_step(ctx)
    return ctx


def test_the_signature_step_follows_the_manifest():
    assert publish.STEPS.index(sign_manifest_step) == publish.STEPS.index(write_manifest_step) + 1


def test_signed_manifest_verifies_and_a_tampered_one_does_not(tmp_path, key):
    private, signers = key
    ctx = _site(tmp_path, {KEY_VARIABLE: str(private)})
    sign_manifest_step(ctx)
    manifest, signature = ctx.html / "SHA256SUMS", ctx.html / SIGNATURE
    assert verify(manifest, signature, signers, IDENTITY)
    # the documented command, as a reader types it
    with manifest.open("rb") as data:
        ok = subprocess.run(
            ["ssh-keygen", "-Y", "verify", "-f", str(signers), "-I", IDENTITY, "-n", NAMESPACE,
             "-s", str(signature)], stdin=data, capture_output=True, text=True,
        )
    assert ok.returncode == 0 and "Good" in ok.stdout
    assert not verify(manifest, signature, signers, "someone-else@example.jp")

    # a page changed after publication: its digest no longer matches the signed list …
    (ctx.html / "cases" / "a.html").write_text("<p>改ざん</p>", encoding="utf-8")
    check = subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=ctx.html, capture_output=True)
    assert check.returncode != 0
    # … and a list rewritten to match it is no longer the signed one
    write_manifest_step(ctx)
    assert not verify(manifest, signature, signers, IDENTITY)


def test_without_a_key_the_site_is_published_unsigned(tmp_path, capsys):
    ctx = _site(tmp_path, {})
    sign_manifest_step(ctx)
    assert not (ctx.html / SIGNATURE).exists()
    assert capsys.readouterr().err == (
        f"council-build: {KEY_VARIABLE} is not set: SHA256SUMS is published unsigned\n"
    )


def test_a_missing_key_file_fails_the_build(tmp_path):
    ctx = _site(tmp_path, {KEY_VARIABLE: str(tmp_path / "nowhere")})
    with pytest.raises(BuildFailed, match="no such key file"):
        sign_manifest_step(ctx)
