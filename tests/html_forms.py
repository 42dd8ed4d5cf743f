"""What a browser would post for a form on a page: every named input, select and textarea as
the page shows them (checked boxes and radios only; the selected option, else the first)."""

from html.parser import HTMLParser


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[dict, list[tuple[str, str]]]] = []
        self._form = None
        self._select = None  # [name, selected, first, multiple, chosen]
        self._textarea = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = (a, [])
            self.forms.append(self._form)
        if self._form is None:
            return
        fields = self._form[1]
        if tag == "input":
            kind = a.get("type", "text")
            if not a.get("name") or kind in ("submit", "button", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields.append((a["name"], a.get("value", "on")))
            else:
                fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = [a.get("name"), None, None, "multiple" in a, []]
        elif tag == "option" and self._select:
            if self._select[2] is None:
                self._select[2] = a.get("value", "")
            if "selected" in a:
                self._select[1] = a.get("value", "")
                self._select[4].append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select and self._form is not None:
            name, selected, first, multiple, chosen = self._select
            if name and multiple:
                self._form[1].extend((name, v) for v in chosen)
            elif name:
                self._form[1].append((name, selected if selected is not None else (first or "")))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            text = "".join(self._text)
            self._form[1].append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def form_data(response, *, field: str | None = None, action: str | None = None) -> dict:
    """The fields of the first form holding `field` (or posting to `action`); repeated names
    give lists, as the test client posts them."""
    parser = _Forms()
    parser.feed(response.content.decode())
    for attrs, fields in parser.forms:
        if action is not None and attrs.get("action") != action:
            continue
        if field is not None and field not in {name for name, _ in fields}:
            continue
        data: dict = {}
        for name, value in fields:
            if name in data:
                data[name] = (
                    [*data[name], value]
                    if isinstance(data[name], list)
                    else [
                        data[name],
                        value,
                    ]
                )
            else:
                data[name] = value
        return data
    raise AssertionError(f"no form with {field or action}")
