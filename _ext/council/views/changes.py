"""What each release changed, in the words readers know.

The build compares each release with the one before it (:func:`compare`):
per case, whether it is new or withdrawn, the measures added, changed or
removed and the links changed; besides the cases, the new special-terms
editions and the changed clauses. :meth:`CaseChange.summary` says it in
Japanese sentences that name needs as readers know them
(:func:`reader_names`), for the 更新履歴 page, the case pages and the feed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from council.model.content_model import Roles
from council.views.releases import Release, Snapshot, _as_list

@dataclass
class CaseChange:
    case: str
    title: str
    docname: str
    new: bool = False
    removed: bool = False
    details_changed: bool = False  # the case's own fields, or a work's
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    #: (measure, link type, targets added, targets removed)
    links: list[tuple[str, str, list[str], list[str]]] = field(default_factory=list)

    def summary(self, name: Callable[[str], str] = str) -> list[str]:
        """Japanese sentences describing the change, for pages and the feed; *name*
        gives a need's name as readers know it (「対策 3（受託者・運用）」), not its ID.
        Many changed links are counted in one sentence (:meth:`link_details` lists them)."""
        if self.new:
            return ["新しい案件として掲載しました。"]
        if self.removed:
            return ["掲載を取りやめました。"]
        lines = []
        if self.details_changed:
            lines.append("案件または業務委託・開発の記載を変更しました。")
        for verb, ids in (("追加", self.added), ("記載を変更", self.changed), ("削除", self.dropped)):
            if ids:
                lines.append(f"情報保護対策を {len(ids)} 件{verb}しました（{'、'.join(map(name, ids))}）。"
                             if verb != "記載を変更" else
                             f"情報保護対策の記載を {len(ids)} 件変更しました（{'、'.join(map(name, ids))}）。")
        if len(self.links) > LINK_LINES:
            kinds = "・".join(dict.fromkeys(LINK_LABELS.get(link, link) for _, link, _, _ in self.links))
            measures = len({measure for measure, _, _, _ in self.links})
            lines.append(f"情報保護対策 {measures} 件の{kinds}との対応付けを変更しました。")
        else:
            lines.extend(self.link_details(name))
        return lines

    def link_details(self, name: Callable[[str], str] = str) -> list[str]:
        """One sentence per measure and link type whose targets changed."""
        lines = []
        for measure, link, plus, minus in self.links:
            what = LINK_LABELS.get(link, link)
            parts = [f"{'、'.join(map(name, plus))} を追加" if plus else "",
                     f"{'、'.join(map(name, minus))} を削除" if minus else ""]
            lines.append(f"{name(measure)} の{what}: {'、'.join(p for p in parts if p)}。")
        return lines


#: Up to this many changed links are listed in the summary itself.
LINK_LINES = 3


def reader_names(needs: Mapping[str, Mapping[str, Any]], roles: Roles) -> Callable[[str], str]:
    """A need's name as a reader knows it; the ID only for a need that is gone."""
    from council.html.link_names import checkitem_code, clause_name

    def name(need_id: str) -> str:
        need = needs.get(need_id)
        if need is None:
            return need_id
        kind = need.get("type")
        if kind in roles.work_children:
            number = f" {need['number']}" if need.get("number") else ""
            return f"対策{number}（{need.get('actor', '')}・{need.get('aspect', '')}）"
        if kind == roles.clause:
            editions = _as_list(need.get("part_of"))
            edition = needs.get(editions[0], {}) if editions else {}
            label = edition.get("title") or edition.get("label") or ""
            return f"{clause_name(need)}（{label}）" if label else clause_name(need)
        if kind == roles.checkitem:
            return f"チェックリスト {checkitem_code(need_id)}"
        return str(need.get("title") or need_id)

    return name


LINK_LABELS = {"satisfies": "チェックリスト項目", "binds": "特記事項の条項", "waives": "対策不要とした項目",
               "terms": "特記事項の版"}


@dataclass
class Changes:
    cases: list[CaseChange]
    new_editions: list[tuple[str, str]]  # (id, title)
    changed_clauses: list[tuple[str, str]]

    @property
    def empty(self) -> bool:
        return not (self.cases or self.new_editions or self.changed_clauses)


def compare(old: Snapshot, new: Snapshot, roles: Roles) -> Changes:
    """What *new* adds or changes with respect to *old* ({} for the first release)."""
    by_case: dict[str, CaseChange] = {}

    def change(case_id: str, snap: Snapshot) -> CaseChange:
        if case_id not in by_case:
            record = snap.get(case_id, {})
            by_case[case_id] = CaseChange(case_id, record.get("title", ""), record.get("docname", ""))
        return by_case[case_id]

    for need_id, record in new.items():
        if record["type"] == roles.case and need_id not in old:
            change(need_id, new).new = True
    for need_id, record in old.items():
        if record["type"] == roles.case and need_id not in new:
            change(need_id, old).removed = True
    # Most needs are the same in two releases (the same digest and links): compared as a whole
    # first, where the checks below cost a Python loop over every link of every measure, and
    # only those that differ are sorted (a record holds every need of its day).
    differ = [need_id for need_id in old.keys() | new.keys() if old.get(need_id) != new.get(need_id)]
    for need_id in sorted(differ):
        before, after = old.get(need_id), new.get(need_id)
        record = after or before
        case_id = record.get("case", "")
        if not case_id or case_id in by_case and (by_case[case_id].new or by_case[case_id].removed):
            continue
        snap = new if after else old
        kind = record["type"]
        if kind in (roles.case, *roles.works):
            if before and after and before["digest"] != after["digest"]:
                change(case_id, snap).details_changed = True
        elif kind in roles.work_children:
            if before is None:
                change(case_id, snap).added.append(need_id)
            elif after is None:
                change(case_id, snap).dropped.append(need_id)
            else:
                if before["digest"] != after["digest"]:
                    change(case_id, snap).changed.append(need_id)
                old_links, new_links = before.get("links", {}), after.get("links", {})
                for link in sorted(set(old_links) | set(new_links) - {"part_of"}):
                    if link == "part_of":
                        continue
                    plus = sorted(set(new_links.get(link, [])) - set(old_links.get(link, [])))
                    minus = sorted(set(old_links.get(link, [])) - set(new_links.get(link, [])))
                    if plus or minus:
                        change(case_id, snap).links.append((need_id, link, plus, minus))
    editions = sorted((i, new[i]["title"]) for i in differ
                      if i in new and new[i]["type"] == roles.edition and i not in old)
    clauses = sorted((i, new[i]["title"]) for i in differ
                     if i in new and new[i]["type"] == roles.clause and i in old and old[i]["digest"] != new[i]["digest"])
    return Changes(sorted(by_case.values(), key=lambda c: (not c.new, c.case)), editions, clauses)


def history(releases: list[Release], roles: Roles) -> list[tuple[Release, Changes]]:
    """Each release with its changes since the previous one, newest first."""
    result = []
    previous: Snapshot = {}
    for release in releases:
        changes = compare(previous, release.needs, roles)
        if not changes.empty:
            result.append((release, changes))
        previous = release.needs
    return result[::-1]

