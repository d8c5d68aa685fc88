"""Read an HTML page with the standard library's parser: its elements, texts and links."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


@dataclass
class Element:
    """One element: its tag, attributes and the text inside it."""

    tag: str
    attrs: dict[str, str]
    text: str = ""
    parents: tuple[str, ...] = ()


@dataclass
class Page:
    """Every element of a page in document order."""

    elements: list[Element] = field(default_factory=list)

    def find_all(self, tag: str, **attrs: str) -> list[Element]:
        """Return the elements of a tag whose attributes include these (`class_` for class)."""
        wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
        return [
            element
            for element in self.elements
            if element.tag == tag
            and all(element.attrs.get(name) == value for name, value in wanted.items())
        ]

    def find(self, tag: str, **attrs: str) -> Element:
        """Return the one element that matches; fail when there are none or several."""
        found = self.find_all(tag, **attrs)
        assert len(found) == 1, f"expected one <{tag} {attrs}>, found {len(found)}"
        return found[0]

    def meta(self, key: str) -> str:
        """Return the content of `<meta property=key>` or `<meta name=key>`."""
        found = [
            element.attrs.get("content", "")
            for element in self.elements
            if element.tag == "meta"
            and key in (element.attrs.get("property"), element.attrs.get("name"))
        ]
        assert len(found) == 1, f"expected one meta {key}, found {found}"
        return found[0]

    def texts(self, tag: str, **attrs: str) -> list[str]:
        """Return the whitespace-normalised texts of matching elements."""
        return [" ".join(element.text.split()) for element in self.find_all(tag, **attrs)]


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(
            tag,
            {name: value or "" for name, value in attrs},
            parents=tuple(open_element.tag for open_element in self._open),
        )
        self.page.elements.append(element)
        if tag not in VOID_ELEMENTS:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                return

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data


def parse_page(markup: str) -> Page:
    """Return the elements of an HTML document."""
    parser = _Parser()
    parser.feed(markup)
    parser.close()
    return parser.page
