"""Give an imported document its traces: editions for the works, links for safeguards."""

from __future__ import annotations

from council_import.document import Document, DocumentError, Work
from council_import.editions import Edition, compare, detect
from council_import.suggest import Candidate, Suggester, infer_actor, infer_aspect


def assign_editions(doc: Document, editions: dict[str, Edition], new_editions: dict[int, str] | None = None) -> None:
    """Set each work's edition; *new_editions* maps id(block) to an edition written for it."""
    new_editions = new_editions or {}
    latest = max(editions) if editions else None
    reported: set[int] = set()
    for work in doc.works:
        block = work.terms
        if block is None:
            work.edition = latest
            work.edition_assumed = True
            work.edition_note = (
                "原典は特記事項の条文を掲載していない。取り込みコマンドは、既知の最新の版である"
                f"{latest}を適用するものと推定した（要確認）。"
            )
            doc.notices.append(f"{work.line}: 「{work.title}」: 原典に特記事項の条文がないため、版 {latest} を推定で適用しました")
            continue
        result = detect(block, editions)
        prefix_of = [
            e for e in editions.values() if (d := compare(block, e)) and all(x.kind == "removed" for x in d)
        ]
        if id(block) not in new_editions and block.at_end and prefix_of and result.edition is None:
            last = block.clauses[-1]
            edition = prefix_of[0]
            raise DocumentError(
                last.line,
                f"特記事項が第{last.number}項で終わっています（版 {edition.id} は{len(edition.clauses)}項）。"
                "資料が途中で切れている可能性があります（短い版であれば --write-edition で新しい版として取り込めます）",
            )
        if id(block) in new_editions:
            work.edition = new_editions[id(block)]
            work.edition_note = f"原典の特記事項は{result.closest}と異なるため、新しい版 {work.edition} として取り込んだ。"
        elif result.edition:
            work.edition = result.edition
        else:
            work.edition = result.closest
            diffs = "、".join(str(d) for d in result.differences)
            work.edition_note = f"原典の特記事項は{result.closest}と次の点で異なる（要確認）: {diffs}"
            if id(block) in reported:
                continue
            reported.add(id(block))
            doc.notices.append(
                f"{block.line}: 特記事項が既知の版と一致しません。最も近い版 {result.closest} との違い: " + "; ".join(str(d) for d in result.differences)
            )


def assign_links(doc: Document, suggester: Suggester) -> None:
    group_from_siblings(doc)
    for work in doc.works:
        _assign_work(work, suggester)


def group_from_siblings(doc: Document) -> None:
    """Give a measure without an actor the actor of the same text elsewhere in
    the document, where the source does state it.

    A development's 「開発等を委託する場合における個人情報保護対策」 often repeats,
    word for word, the measures listed under 「委託にあたり区が行う…」 of the
    entrustment of the same system. When one text appears under both actors,
    the one with the same aspect and number wins; the grouping stays 推定.
    """
    import re

    def norm(text: str) -> str:
        return re.sub(r"\s+", "", text)

    stated: dict[str, list] = {}
    for work in doc.works:
        for sg in work.safeguards:
            if sg.actor and sg.aspect and not sg.checkitem:
                stated.setdefault(norm(sg.text), []).append(sg)
    for work in doc.works:
        for sg in work.safeguards:
            if sg.actor is not None or sg.checkitem:
                continue
            same = stated.get(norm(sg.text), [])
            if sg.aspect:
                same = [o for o in same if o.aspect == sg.aspect]
            exact = [o for o in same if o.number == sg.number]
            chosen = exact[0] if len(exact) == 1 else same[0] if len({o.actor for o in same}) == 1 and same else None
            if chosen is not None:
                sg.actor = chosen.actor
                sg.aspect = sg.aspect or chosen.aspect
                sg.inferred_group = True


def _assign_work(work: Work, suggester: Suggester) -> None:
    edition = work.edition or ""
    for sg in work.safeguards:
        if sg.checkitem:  # checklist row: the item is the source's, the clause is proposed
            clauses = suggester.clauses_for(sg.text, edition, items=[(sg.checkitem, 1.0)])
            sg.alternatives["binds"] = clauses
            if sg.applies:
                sg.satisfies = [sg.checkitem]
                sg.binds = [clauses[0][0]] if clauses else []
                sg.proposed = True
            continue
        if sg.actor is None or sg.aspect is None:
            sg.actor = sg.actor or infer_actor(sg.text)
            sg.aspect = sg.aspect or infer_aspect(sg.text)
            sg.inferred_group = True
        items = suggester.checkitems_for(sg.text, sg.actor, sg.aspect)
        # The clauses that confirmed links pair with the likely items vote too.
        clauses = suggester.clauses_for(sg.text, edition, items=items)
        sg.alternatives["binds"] = clauses
        sg.alternatives["satisfies"] = items
        sg.satisfies = [items[0][0]] if items else []
        sg.binds = [clauses[0][0]] if clauses else []
        sg.proposed = True


def add_edition_candidates(suggester: Suggester, doc: Document, new_editions: dict[int, str]) -> None:
    """Let the suggester rank the clauses of editions written during this import."""
    extra = []
    for block in doc.special_terms:
        ed = new_editions.get(id(block))
        if ed:
            for c in block.clauses:
                extra.append(Candidate(f"CL_{ed[3:]}_{c.number:02d}", f"{c.heading} {c.text}", edition=ed))
    if extra:
        from council_import.suggest import Index

        suggester.clauses = Index(suggester.clauses.candidates + extra)
