"""The distinct values of a data file, gathered without their places: the scans' first pass.

The output scan (:mod:`council_publish.output_scan`) and the privacy scan
(:mod:`council_publish.published_privacy`) name the place of every finding
(a need and field of ``needs.json``, a row and column of a CSV), so they walk
every value of a file with its place. The cross-case files are large and
change with every edited case (at N = 1,000, ``needs.json`` holds 9.2 million
strings, 94,138 of them distinct; the long table's CSV 3.0 million cells, 83,091
distinct), and walking them with places took most of each scan's time after
one edit (``needs.json``: 16 s of the output scan, 13 s of the privacy scan).

So each scan first checks the file's *distinct* values, gathered here without
places (:func:`json_values`, :func:`csv_values`): a set holds every value the
walk would meet, and more (keys, numbers as text), so when no distinct value
has a finding the walk can have none and is skipped; when one has, the scan
walks the file as before and reports exactly what the walk finds. The result
is the walk's in every case; only a clean file is faster.

The XML of the workbooks is read by both scans with regular expressions, which
is exact only for plain XML (:func:`plain_xml`), in pieces (:func:`pieces`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any
from xml.parsers import expat

#: How much of a stream :func:`plain_xml` reads at a time.
_CHUNK = 1 << 23


def json_values(document: Any) -> set[str]:
    """Every string of a parsed JSON *document* (object keys too) and every number as
    :class:`str` writes it, once each, gathered without recursion."""
    found: set[str] = set()
    add = found.add
    stack = [document]
    push, pop = stack.append, stack.pop
    while stack:
        item = pop()
        kind = type(item)
        if kind is dict:
            found.update(item)
            children: Iterable[Any] = item.values()
        elif kind is list:
            children = item
        else:
            if kind is str:
                add(item)
            elif kind is int or kind is float:
                add(str(item))
            continue
        for child in children:
            kind = type(child)
            if kind is str:
                add(child)
            elif kind is dict or kind is list:
                push(child)
            elif kind is int or kind is float:
                add(str(child))
    return found


def csv_values(text: str) -> set[str]:
    """Every cell of the CSV *text* (read as :func:`csv.reader` reads it), once each."""
    found: set[str] = set()
    update = found.update
    for row in csv.reader(io.StringIO(text)):
        update(row)
    return found


def any_found(values: Iterable[str], check: Callable[[str], Any]) -> bool:
    """Whether *check* finds anything in one of *values*."""
    return any(check(value) for value in values)


#: An element name with a namespace prefix.
_PREFIXED = re.compile(rb"</?[^\s/>:]+:")
_NAME_ENDED = re.compile(rb"</?[^\s/>:]*[\s/>:]")


def plain_xml(stream: IO[bytes], *, unprefixed: bool = False) -> bool:
    """Whether the XML of *stream* is well-formed UTF-8 in which every '<' starts an
    element's tag: nothing but an XML declaration before the root, no DOCTYPE (so no
    entity but the five predefined), comment, CDATA section or processing instruction;
    with *unprefixed*, no element name has a namespace prefix either."""
    parser = expat.ParserCreate("utf-8")
    previous = b""
    first = True
    tag_start = b""  # the last chunk's text from its last '<': a name may be cut
    try:
        while chunk := stream.read(_CHUNK):
            if unprefixed:
                if _PREFIXED.search(tag_start + chunk):
                    return False
                cut = chunk.rfind(b"<")
                tail = chunk[cut:] if cut >= 0 else tag_start + chunk
                tag_start = b"" if _NAME_ENDED.match(tail) else tail
            parser.Parse(chunk, False)
            body = chunk
            if first and chunk.startswith(b"<?xml"):
                end = chunk.find(b"?>")
                declaration = chunk[:end]
                if end < 0 or (b"encoding" in declaration
                               and not re.search(rb"""encoding\s*=\s*["']utf-8["']""", declaration, re.I)):
                    return False
                body = chunk[end + 2:]
            first = False
            if b"<!" in previous + body[:1] or b"<!" in body or b"<?" in previous + body[:1] or b"<?" in body:
                return False
            previous = chunk[-1:]
        parser.Parse(b"", True)
    except expat.ExpatError:
        return False
    return True


def pieces(stream: IO[bytes], size: int, boundary: bytes, *, keep: bool) -> Iterator[bytes]:
    """*stream* read *size* bytes at a time, given out in pieces that end at the last
    *boundary* read (just after it with *keep*, just before it without); the rest
    is carried into the next piece, and the last piece is whatever remains."""
    carry = b""
    while chunk := stream.read(size):
        data = carry + chunk
        at = data.rfind(boundary)
        if at < 0 or (at == 0 and not keep):
            carry = data
            continue
        cut = at + len(boundary) if keep else at
        yield data[:cut]
        carry = data[cut:]
    if carry:
        yield carry
