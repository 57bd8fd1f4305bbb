"""Tags of an HTML fragment with exact character spans, tokenized as browsers do.

For code that edits a body surgically (rewrite image URLs, strip active content) and
must leave every other byte alone. Follows the HTML5 tokenizer where it matters for
safety: where a tag ends (quotes only delimit a value right after `=`), attribute
names and values, comments (`<!-- … -->`, `<!-->`, bogus `<!…>`/`<?…>`/`</…>`), and
raw-text elements whose content is not markup (script, style, textarea, title, xmp,
iframe, noembed, noframes, noscript, plaintext).
"""

from __future__ import annotations

import functools
import html
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass

RAW_TEXT = (
    "plaintext",
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "noscript",
)  # noscript: raw text in a browser that runs script
_WS = " \t\n\r\f"  # HTML's whitespace (not regex `\s`: no U+0085, U+3000 …)
_ASCII_ALPHA = frozenset(string.ascii_letters)  # what a tag name begins with (not str.isalpha)
_NAME_END = re.compile(r"[ \t\n\r\f/>]")
_ATTR_NAME = re.compile(r"[^ \t\n\r\f/>][^ \t\n\r\f/>=]*")  # the first char may be `=` (HTML5)
_COMMENT_END = re.compile(r"--!?>")
_UNQUOTED = re.compile(r"[^ \t\n\r\f>]*")
# The rest of a plain start tag (after its name): attributes whose names and unquoted values
# hold none of `"'<=`/>` and whose quoted values are closed, then `>`. Where this matches,
# `_attributes` ends at the same `>`; anything else goes through `_attributes` itself.
_PLAIN_REST = re.compile(
    r"""(?:[ \t\n\r\f]+[^ \t\n\r\f/>="'<`]+"""
    r"""(?:[ \t\n\r\f]*=[ \t\n\r\f]*(?:"[^"]*"|'[^']*'|[^ \t\n\r\f>"'=<`]+))?)*[ \t\n\r\f]*/?>"""
)


@dataclass
class Attr:
    name: str  # lower-cased
    value: str  # raw (entities not decoded)
    span: tuple[int, int]  # the whole attribute, from its name to its value's end
    value_span: tuple[int, int]  # the value inside its quotes (empty span when absent)

    @property
    def decoded(self) -> str:
        return html.unescape(self.value)


class Tag:
    """A start or end tag. `attrs` are read when first asked for (most tags' never are)."""

    __slots__ = ("_at", "_attrs", "_text", "closing", "content_end", "name", "span")

    def __init__(
        self,
        name: str,  # lower-cased
        span: tuple[int, int],  # `<` to `>` included
        closing: bool = False,
        attrs: list[Attr] | None = None,
        content_end: int | None = None,  # raw-text elements: where their content ends
        *,
        text: str | None = None,  # with `at`: read the attributes from text[at:] when asked
        at: int = 0,
    ) -> None:
        self.name, self.span, self.closing, self.content_end = name, span, closing, content_end
        self._attrs, self._text, self._at = attrs, text, at

    @property
    def attrs(self) -> list[Attr]:
        if self._attrs is None:
            self._attrs = [] if self._text is None else _attributes(self._text, self._at)[0]
            self._text = None
        return self._attrs

    def get(self, name: str) -> Attr | None:
        """The first attribute called `name` (browsers ignore later duplicates)."""
        return next((a for a in self.attrs if a.name == name), None)

    def __repr__(self) -> str:
        return f"Tag({self.name!r}, {self.span}, closing={self.closing})"


def _attributes(text: str, i: int) -> tuple[list[Attr], int]:
    """Attributes from `i` (after the tag name) to the tag's `>`; returns (attrs, end)."""
    attrs: list[Attr] = []
    n = len(text)
    while i < n:
        while i < n and (text[i] in _WS or text[i] == "/"):
            i += 1
        if i >= n or text[i] == ">":
            break
        m = _ATTR_NAME.match(text, i)
        assert m is not None
        name_start, i = i, m.end()
        j = i
        while j < n and text[j] in _WS:
            j += 1
        if j < n and text[j] == "=":
            j += 1
            while j < n and text[j] in _WS:
                j += 1
            if j < n and text[j] in "\"'":
                close = text.find(text[j], j + 1)
                close = n if close < 0 else close
                vspan, i = (j + 1, close), min(close + 1, n)
            else:
                v = _UNQUOTED.match(text, j)
                assert v is not None  # the pattern matches the empty string
                vspan, i = (j, v.end()), v.end()
            value = text[vspan[0] : vspan[1]]
        else:
            vspan, value = (i, i), ""
        attrs.append(Attr(m.group().lower(), value, (name_start, i), vspan))
    return attrs, min(i + 1, n)


def _raw_text_end(text: str, name: str, start: int) -> tuple[int, int]:
    """(content end, element end) of a raw-text element whose content starts at `start`."""
    m = re.compile(rf"</{re.escape(name)}(?=[ \t\n\r\f/>])", re.I).search(text, start)
    if m is None:
        return len(text), len(text)
    gt = text.find(">", m.end())
    return m.start(), (len(text) if gt < 0 else gt + 1)


_WSC = " \t\n\r\f"
_RAW_NAMES = "|".join(RAW_TEXT)


@functools.lru_cache(maxsize=16)
def _skipper(stop: tuple[str, ...], ids: bool, inert: bool) -> re.Pattern[str]:
    """A run of text, lone `<`s and plain tags (as _PLAIN_REST) that are not raw-text
    elements, not named in `stop`, (with `ids`) carry no `id` attribute and (with `inert`)
    no attribute named `on…`/`srcdoc…` nor any `:`, `&` or `(` in an attribute."""
    names = "|".join(map(re.escape, (*RAW_TEXT, *stop)))
    guard = rf"(?![iI][dD][{_WSC}/>=])" if ids else ""
    no = ""
    if inert:
        guard += "(?![oO][nN]|[sS][rR][cC][dD][oO][cC])"
        no = ":&("
    return re.compile(
        rf"""(?>[^<]++|<(?=[^a-zA-Z/!?])|</?(?!(?i:{names})[{_WSC}/>])[a-zA-Z][^{_WSC}/>]*+"""
        rf"""(?>[{_WSC}]++{guard}[^{_WSC}/>="'<`{no}]++"""
        rf"""(?>[{_WSC}]*+=[{_WSC}]*+(?>"[^"{no}]*+"|'[^'{no}]*+'|[^{_WSC}>"'=<`{no}]++))?+)*+"""
        rf"""[{_WSC}]*+/?>)*+"""
    )


def skip_plain(text: str, pos: int, stop: tuple[str, ...] = (), ids: bool = True, inert: bool = False) -> int:
    """Where, from `pos` (a tag's start or data), the next comment, raw-text element, tag
    named in `stop` (lower-case), tag with an `id` attribute (with `ids`), tag with an
    attribute that could be active (with `inert`: see _skipper) or unusual markup begins:
    the tags before it are plain, so `tags(text, start=…)` may go on from there (one regex
    in C instead of a loop)."""
    return _skipper(stop, ids, inert).match(text, pos).end()  # type: ignore[union-attr]  # matches ""


def tags(text: str, raw_text: tuple[str, ...] = RAW_TEXT, start: int = 0) -> Iterator[Tag]:
    """Every start and end tag of `text`, in order (comments and raw text skipped).

    A raw-text element's start tag carries `content_end`; its end tag follows it.
    `raw_text` names the elements whose content is skipped: a sanitizer passes only
    ("script",), since inside SVG/MathML a `<style>` holds markup, not text.
    `start` must be where a tag (from an earlier pass) begins or text is read as data.
    """
    i, n = start, len(text)
    while True:
        i = text.find("<", i)
        if i < 0 or i + 1 >= n:
            return
        nxt = text[i + 1]
        if text.startswith("<!--", i):
            if text.startswith("<!-->", i) or text.startswith("<!--->", i):
                i = text.find(">", i) + 1
                continue
            close = _COMMENT_END.search(text, i + 4)  # the first `-->` or `--!>`
            i = n if close is None else close.end()
            continue
        if nxt in "!?" or (nxt == "/" and i + 2 < n and text[i + 2] not in _ASCII_ALPHA):
            gt = text.find(">", i)  # doctype, bogus comment
            i = n if gt < 0 else gt + 1
            continue
        closing = nxt == "/"
        name_at = i + 2 if closing else i + 1
        if name_at >= n or text[name_at] not in _ASCII_ALPHA:
            i += 1  # a lone `<` is text (`<À` too: a tag name begins with an ASCII letter)
            continue
        m = _NAME_END.search(text, name_at)
        name_end = m.start() if m else n
        name = text[name_at:name_end].lower()
        plain = _PLAIN_REST.match(text, name_end)
        if plain is not None:  # the common case: the end found in C, attributes read lazily
            end = plain.end()
            tag = Tag(name, (i, end), closing, [] if closing else None, text=text, at=name_end)
        else:
            attrs, end = _attributes(text, name_end)
            tag = Tag(name, (i, end), closing, [] if closing else attrs)
        if not closing and name == "plaintext" and name in raw_text:
            tag.content_end = n
            yield tag
            return
        if not closing and name in raw_text:
            content_end, element_end = _raw_text_end(text, name, end)
            tag.content_end = content_end
            yield tag
            if content_end < n:
                yield Tag(name, (content_end, element_end), closing=True)
            i = element_end
            continue
        yield tag
        i = end


def tags_of_note(
    text: str,
    stop: tuple[str, ...],
    raw_text: tuple[str, ...] = RAW_TEXT,
    inert: bool = False,
    ids: bool = False,
    start: int = 0,
) -> Iterator[Tag]:
    """The tags `tags(text, raw_text, start)` yields, less the plain ones `skip_plain(…, stop,
    ids, inert)` passes over: every tag named in `stop` (with `ids` every tag with an `id`,
    with `inert` every tag that could be active) is among them, in order."""
    pos, n = start, len(text)
    while True:
        it = tags(text, raw_text, start=skip_plain(text, pos, stop, ids=ids, inert=inert))
        tag = next(it, None)
        if tag is None:
            return
        yield tag
        pos = tag.span[1]
        if tag.content_end is not None:  # a raw-text element: its end tag follows its text
            if tag.content_end >= n:
                return
            end = next(it)
            yield end
            pos = end.span[1]
