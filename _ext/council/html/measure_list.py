"""Consecutive measures become one ordered list, numbered as in the source.

The need rendering (:mod:`council.html.render`) turns each measure into a box
with the class :data:`MEASURE`, carrying its source number
(``council_number``) and its actor × aspect (``council_group``). On a page,
the measures of one group follow each other; here they become the items of
one ``enumerated_list``: numbered from the source's first number when the
numbers run on, else each item shows its own source number.
"""

from __future__ import annotations

from docutils import nodes

#: Class of a measure's box (a ``container``).
MEASURE = "council-measure"


def is_measure(node: nodes.Node) -> bool:
    return isinstance(node, nodes.container) and MEASURE in node["classes"]


def group_measures(parent: nodes.Element) -> None:
    """Consecutive measures of *parent* become one ordered list, numbered as in the source.

    The anchor targets sphinx-needs puts before each need go into the item."""
    runs: list[list[nodes.Node]] = []
    current: list[nodes.Node] = []
    pending: list[nodes.Node] = []
    for child in list(parent.children):
        if isinstance(child, nodes.target) and not child.children:
            pending.append(child)
            continue
        if is_measure(child):
            current += [*pending, child]
        elif current:
            runs.append(current)
            current = []
        pending = []
    if current:
        runs.append(current)
    for run in runs:
        boxes = [n for n in run if is_measure(n)]
        numbers = [box.get("council_number") for box in boxes]
        start = numbers[0] if isinstance(numbers[0], int) else 1
        consecutive = all(isinstance(n, int) for n in numbers) and numbers == list(range(start, start + len(boxes)))
        lst = nodes.enumerated_list(classes=["council-measures"], enumtype="arabic", prefix="", suffix=".")
        if consecutive and start != 1:
            lst["start"] = start
        index = parent.index(run[0])
        item = nodes.list_item()
        for node in run:
            parent.remove(node)
            item += node
            if is_measure(node):
                if not consecutive and node.get("council_number") is not None:
                    node.insert(0, nodes.paragraph("", f"{node['council_number']}.",
                                                   classes=["council-source-number"]))
                lst += item
                item = nodes.list_item()
        parent.insert(index, lst)
