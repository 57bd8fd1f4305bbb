"""Elements found by class as exact character spans of a page, and text with spans cut out.

For parsers whose body is a slice of the page minus some elements (ads, widgets): the
elements are found with the shared tokenizer (tags.py); an element ends at the matching
end tag of its name (same-name tags counted, as rawhtml.inner_html does); a `<p>` also
ends, as in a browser, at a block start tag (`<div>`, `<p>`, `<ul>` …) or at an end tag of
an element it is inside. Nothing is re-serialized.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.parsers.tags import Tag

_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "keygen",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
# start tags that close an open <p> (HTML5 tree construction, "in body")
_CLOSES_P = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "listing",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "plaintext",
        "pre",
        "search",
        "section",
        "summary",
        "table",
        "ul",
        "xmp",
    ]
)
# end tags of elements a <p> can be inside of: when one of them is open, its end closes the <p>
_ENDS_P = _CLOSES_P | frozenset(
    [
        "body",
        "button",
        "caption",
        "dd",
        "dt",
        "html",
        "li",
        "table",
        "tbody",
        "td",
        "template",
        "tfoot",
        "th",
        "thead",
        "tr",
    ]
)
_HTML_WS = re.compile(r"[ \t\n\f\r]+")


@dataclass(frozen=True)
class Span:
    start: int  # the `<` of the start tag
    inner: tuple[int, int]  # the inner HTML
    end: int  # after the end tag (or where the element ends implicitly)


def has_class(tag: Tag, name: str) -> bool:
    """Whether a start tag's (first) class attribute holds the class `name`."""
    attr = tag.get("class")
    return not tag.closing and attr is not None and name in _HTML_WS.split(attr.decoded)


def element_span(toks: list[Tag], i: int) -> Span | None:
    """The span of the element whose start tag is `toks[i]`; None when it never ends
    (a page cut short)."""
    start, open_end = toks[i].span
    name = toks[i].name
    if name in _VOID:
        return Span(start, (open_end, open_end), open_end)
    if name == "p":
        inside: list[str] = []  # elements opened inside the <p>
        for t in toks[i + 1 :]:
            if t.closing and t.name == "p":
                return Span(start, (open_end, t.span[0]), t.span[1])
            if t.closing:
                if t.name in inside:
                    del inside[len(inside) - 1 - inside[::-1].index(t.name) :]
                elif t.name in _ENDS_P:  # an ancestor's end tag closes the <p>
                    return Span(start, (open_end, t.span[0]), t.span[0])
                # any other stray end tag (`</span>`, `</br>` …) is ignored, as browsers do
            elif t.name in _CLOSES_P:
                return Span(start, (open_end, t.span[0]), t.span[0])
            elif t.name not in _VOID:
                inside.append(t.name)
        return None
    depth = 1
    for t in toks[i + 1 :]:
        if t.name == name:
            depth += -1 if t.closing else 1
            if depth == 0:
                return Span(start, (open_end, t.span[0]), t.span[1])
    return None


def removed_spans(text: str, toks: list[Tag], classes: tuple[str, ...]) -> list[tuple[int, int]]:
    """The spans of the elements with any of `classes` (outermost ones only, in order).
    One that never ends runs to the end of the text, as in a browser."""
    spans: list[tuple[int, int]] = []
    for i, t in enumerate(toks):
        if not any(has_class(t, c) for c in classes):
            continue
        if spans and t.span[0] < spans[-1][1]:
            continue  # inside one already removed
        el = element_span(toks, i)
        spans.append((t.span[0], el.end if el else len(text)))
    return spans


def cut(text: str, lo: int, hi: int, spans: list[tuple[int, int]]) -> str:
    """`text[lo:hi]` without the parts inside `spans`; every other byte stays."""
    out: list[str] = []
    pos = lo
    for s, e in spans:
        s, e = max(s, lo), min(e, hi)
        if s >= e:
            continue
        out.append(text[pos:s])
        pos = e
    out.append(text[pos:hi])
    return "".join(out)
