"""Release snapshots: the needs of each publication, kept under ``releases/``.

A release is one publication of the site, dated by its commit. Its needs are
kept as a snapshot under ``releases/`` (``council-release`` writes one from
the ``needs.json`` of a build; the author commits it with the publication):
``releases/<YYYY-MM-DD>-<commit>.json``, one compact record per need (type,
title, the case it belongs to, a digest of its text and fields, its links).
Snapshots rather than history read from git: rebuilding every past commit to
recover its needs would cost a full build per release, and a snapshot also
records releases made from another branch or machine.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from council.html.webmeta import JST, japanese_date
from council.model.content_model import ContentModel, Roles

RELEASES_DIR = "releases"
#: Fields that record the review of a link, not the measure itself.
BOOKKEEPING_FIELDS = frozenset({"trace", "confirmed_against"})

Snapshot = dict[str, dict[str, Any]]


def model_names(model: ContentModel) -> tuple[list[str], list[str], Roles]:
    """What a snapshot records of the content model: its user fields, its link types, the roles of its types."""
    return sorted(model.field_schemas), sorted(model.link_labels), model.roles


def _as_list(value: Any) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def snapshot(needs: Mapping[str, Mapping[str, Any]], fields: Iterable[str], links: Iterable[str],
             roles: Roles) -> Snapshot:
    """The compact record of every need that history compares."""
    fields = [f for f in fields if f not in BOOKKEEPING_FIELDS]
    links = list(links)
    result: Snapshot = {}
    for need_id, need in needs.items():
        values = {f: need.get(f) for f in fields if need.get(f) not in (None, "", [])}
        digest = hashlib.sha256(
            json.dumps([need.get("title") or "", need.get("content") or "", values],
                       ensure_ascii=False, sort_keys=True, default=str).encode()
        ).hexdigest()[:16]
        record: dict[str, Any] = {
            "type": need.get("type"),
            "title": need.get("title") or "",
            "docname": need.get("docname") or "",
            "digest": digest,
        }
        for name in links:
            targets = sorted(_as_list(need.get(name)))
            if targets:
                record.setdefault("links", {})[name] = targets
        result[need_id] = record
    # the case each need belongs to, through part_of (safeguard → work → case)
    for need_id, record in result.items():
        record["case"] = _case_of(result, need_id, roles.case)
    return result


def _case_of(snap: Snapshot, need_id: str, case_type: str, depth: int = 0) -> str:
    record = snap.get(need_id)
    if record is None or depth > 4:
        return ""
    if record["type"] == case_type:
        return need_id
    for parent in record.get("links", {}).get("part_of", []):
        found = _case_of(snap, parent, case_type, depth + 1)
        if found:
            return found
    return ""


@dataclass(frozen=True)
class Release:
    key: str  # the commit (12 hex) or, without one, the date
    date: dt.datetime | None
    needs: Snapshot
    current: bool = False  # the build's own needs, not yet kept as a snapshot

    @property
    def label(self) -> str:
        return f"{japanese_date(int(self.date.timestamp()))}の公開" if self.date else "未公開の変更（日付なし）"


def release_name(date: dt.datetime, commit: str) -> str:
    return f"{date.astimezone(JST).strftime('%Y-%m-%d')}-{commit[:12]}.json"


def write_snapshot(directory: Path, snap: Snapshot, date: dt.datetime, commit: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / release_name(date, commit)
    lines = [json.dumps(need_id, ensure_ascii=False) + ": " + json.dumps(snap[need_id], ensure_ascii=False, sort_keys=True)
             for need_id in sorted(snap)]
    head = json.dumps({"commit": commit, "date": date.astimezone(JST).isoformat()}, ensure_ascii=False)
    path.write_text('{"release": ' + head + ',\n"needs": {\n' + ",\n".join(lines) + "\n}}\n", encoding="utf-8")
    return path


def read_release(path: Path, text: bytes | None = None) -> Release:
    """One committed snapshot (from *text*, its bytes, when already read)."""
    data = json.loads(path.read_bytes() if text is None else text)
    return _release(path, data.get("release", {}), data.get("needs", {}))


def _release(path: Path, head: Mapping[str, Any], needs: Snapshot) -> Release:
    return Release(
        key=str(head.get("commit", ""))[:12] or path.stem,
        date=dt.datetime.fromisoformat(head["date"]) if head.get("date") else None,
        needs=needs,
    )


#: How :func:`write_snapshot` begins a record: its release on the first line.
_HEAD = b'{"release": '


def read_header(path: Path) -> Release | None:
    """A record's release without its needs, from its first line as :func:`write_snapshot`
    writes it (decoding a record's needs takes 0.65 s at N = 1,000); None for a record
    that does not begin so (written by hand, or by another tool)."""
    with path.open("rb") as f:
        first = f.readline(1 << 16).rstrip(b"\r\n")
    if not (first.startswith(_HEAD) and first.endswith(b",")):
        return None
    try:
        head = json.loads(first[len(_HEAD):-1])
    except ValueError:
        return None
    return _release(path, head, {}) if isinstance(head, dict) else None


def release_order(release: Release) -> tuple[dt.datetime, str]:
    """The order of the releases: by date (undated last), then key."""
    return release.date or dt.datetime.max.replace(tzinfo=dt.UTC), release.key


def release_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.json")) if directory.is_dir() else []


def read_releases(directory: Path) -> list[Release]:
    """Every committed snapshot, oldest first."""
    return sorted((read_release(path) for path in release_files(directory)), key=release_order)


def latest_release(directory: Path) -> Release | None:
    """The last of :func:`read_releases`, found by the records' headers (:func:`read_header`);
    only its needs are read. A record holds every need of its day (N = 1,000: ~100 MB in
    memory, 0.65 s to decode): council-release held every record at once (14: 2.6 GB), then
    decoded each in turn (20: 13 s), to take the last. A record without such a header is
    read whole, one at a time."""
    latest: tuple[Path, Release] | None = None
    for path in release_files(directory):
        release = read_header(path) or dataclasses.replace(read_release(path), needs={})
        # ties: the later file, as the stable sort
        if latest is None or release_order(release) >= release_order(latest[1]):
            latest = (path, release)
    return read_release(latest[0]) if latest is not None else None


def head_commit(directory: Path, env: Mapping[str, str]) -> tuple[str, dt.datetime | None]:
    """The last commit (hash, date); SOURCE_DATE_EPOCH dates a build without git."""
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%H %ct"], cwd=directory,
                             capture_output=True, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        out = []
    if len(out) == 2:
        return out[0], dt.datetime.fromtimestamp(int(out[1]), JST)
    epoch = env.get("SOURCE_DATE_EPOCH", "")
    return "", dt.datetime.fromtimestamp(int(epoch), JST) if epoch.isdigit() and int(epoch) else None
