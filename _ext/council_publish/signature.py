"""A detached signature of ``SHA256SUMS``, so a reader can check who published it.

The manifest (:mod:`council_publish.manifest`) proves a file is the one listed; only a
signature made with the publisher's key proves the list itself came from the
ward. The signature is made with OpenSSH's ``ssh-keygen -Y sign`` (Ed25519,
deterministic, namespace :data:`NAMESPACE`): OpenSSH is on every Debian, macOS
and Windows machine, so verifying needs no extra tool, and signing needs no
new dependency. The key is given by the environment: ``COUNCIL_SIGNING_KEY``
is the path of the private key file. Without it the build says so and
publishes the site unsigned. ``docs/verification.md`` gives the command that
checks the signature.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from council_publish.manifest import MANIFEST
from council_publish.pipeline import BuildFailed

SIGNATURE = f"{MANIFEST}.sig"
#: Binds the signature to this use: a signature made for anything else does not verify.
NAMESPACE = "council-site"
KEY_VARIABLE = "COUNCIL_SIGNING_KEY"


def sign(manifest: Path, key: Path) -> Path:
    """Write ``<manifest>.sig`` next to *manifest*, signed with the private *key*."""
    signature = manifest.with_name(manifest.name + ".sig")
    signature.unlink(missing_ok=True)
    result = subprocess.run(
        ["ssh-keygen", "-q", "-Y", "sign", "-f", str(key), "-n", NAMESPACE, str(manifest)],
        capture_output=True, text=True,
    )
    if result.returncode != 0 or not signature.is_file():
        raise BuildFailed(f"signing {manifest.name} with {key} failed: {result.stderr.strip()}")
    return signature


def verify(manifest: Path, signature: Path, allowed_signers: Path, identity: str) -> bool:
    """True when *signature* is a valid signature of *manifest* by *identity*."""
    with manifest.open("rb") as data:
        result = subprocess.run(
            ["ssh-keygen", "-Y", "verify", "-f", str(allowed_signers), "-I", identity,
             "-n", NAMESPACE, "-s", str(signature)],
            stdin=data, capture_output=True,
        )
    return result.returncode == 0


def sign_manifest_step(ctx: Any) -> None:
    """council-build step, right after the manifest: sign it when a key is given."""
    manifest = ctx.html / MANIFEST
    key = os.path.expanduser(ctx.env.get(KEY_VARIABLE, ""))
    if not key:
        print(
            f"council-build: {KEY_VARIABLE} is not set: {MANIFEST} is published unsigned",
            file=sys.stderr,
        )
        return
    if not Path(key).is_file():
        raise BuildFailed(f"{KEY_VARIABLE}={key}: no such key file")
    if not manifest.is_file():
        raise BuildFailed(f"signature: no {MANIFEST} in {ctx.html}")
    sign(manifest, Path(key))
