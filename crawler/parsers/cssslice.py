"""Elements found by any CSS selector, as exact character spans of the page's own text.

parsel/lxml find elements but re-serialize them; the tokenizer (tags.py) gives exact
spans but no selectors. `MarkedPage` joins the two: every start tag of the text gets a
marker attribute holding its index in the token list, lxml parses that marked copy, and
a selected element's marker leads back to its start tag in the original text, whose
element then ends where elements.element_span says. Nothing is re-serialized: inner HTML
and cuts are slices of the original text. Pure functions, no Scrapy.
"""

from __future__ import annotations

from functools import cached_property

from parsel import Selector

from crawler.parsers.common import attr
from crawler.parsers.elements import Span, cut, element_span
from crawler.parsers.tags import Tag, tags

MARK = "data-newsarchive-at"


class MarkedPage:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks: list[Tag] = list(tags(text))

    @cached_property
    def sel(self) -> Selector:
        """The page parsed with a marker on each start tag (text and other attributes as
        the page has them)."""
        parts: list[str] = []
        pos = 0
        for i, tok in enumerate(self.toks):
            if tok.closing:
                continue
            at = tok.span[0] + 1 + len(tok.name)  # just after `<name`
            parts += [self.text[pos:at], f' {MARK}="{i}"']
            pos = at
        parts.append(self.text[pos:])
        return Selector(text="".join(parts))

    def span(self, node: Selector) -> Span | None:
        """The exact span of a selected element; None for one the parser made up (an
        implied `<tbody>`) or one that never ends (a page cut short)."""
        index = attr(node, MARK, "") if not isinstance(node.root, str) else ""
        if not index.isdigit() or int(index) >= len(self.toks):
            return None
        return element_span(self.toks, int(index))

    def inner_html(self, node: Selector, remove: tuple[str, ...] = ()) -> str | None:
        """The element's inner HTML, exact, without the elements inside it that match any
        of `remove` (cut out whole, every other byte kept); None as for `span`."""
        outer = self.span(node)
        if outer is None:
            return None
        lo, hi = outer.inner
        spans: list[tuple[int, int]] = []
        for query in remove:
            for found in node.css(query):
                inner = self.span(found)
                if inner is not None and lo <= inner.start and inner.start != outer.start:
                    spans.append((inner.start, inner.end))
        outermost: list[tuple[int, int]] = []
        for s, e in sorted(spans):
            if outermost and s < outermost[-1][1]:
                outermost[-1] = (outermost[-1][0], max(e, outermost[-1][1]))  # nested/overlapping
                continue
            outermost.append((s, e))
        return cut(self.text, lo, hi, outermost)
