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


class _FormReader(HTMLParser):
    """Collect what a browser would submit from the form whose action is `action`."""

    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.values: list[tuple[str, str]] = []
        self._inside = False
        self._textarea: str | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._selected = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._inside = found.get("action") == self.action
        if not self._inside or "disabled" in found:
            return
        name = found.get("name")
        if tag == "input" and name:
            kind = found.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in found:
                return
            if kind not in ("submit", "button", "file", "image", "reset"):
                self.values.append((name, found.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea = name
            self.values.append((name, ""))
        elif tag == "select" and name:
            self._select, self._first_option, self._selected = name, None, False
        elif tag == "option" and self._select is not None:
            value = found.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in found and not self._selected:
                self.values.append((self._select, value))
                self._selected = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            if not self._selected and self._first_option is not None:
                self.values.append((self._select, self._first_option))
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            name, text = self.values[-1]
            # A browser drops the one newline that may follow <textarea>.
            self.values[-1] = (name, (text + data) if text else data.removeprefix("\n"))


def form_values(markup: str, action: str) -> dict[str, str | list[str]]:
    """Return the fields a browser would submit from the form posting to `action`, unchanged.

    A name given more than once (kept images' ids) maps to the list of its values.
    """
    reader = _FormReader(action)
    reader.feed(markup)
    reader.close()
    values: dict[str, str | list[str]] = {}
    for name, value in reader.values:
        if name not in values:
            values[name] = value
            continue
        earlier = values[name]
        values[name] = [*earlier, value] if isinstance(earlier, list) else [earlier, value]
    assert "csrf_token" in values, f"no form posting to {action} with a CSRF token"
    return values
