"""Finds the visible text of a Django template that is outside a translation tag (issue 15).

Visible text is what a reader sees or a screen reader reads: text between HTML tags (not in
<script>, <style> or HTML comments) and the values of the attributes in TEXT_ATTRIBUTES. A
*run* is text, with the {{ variables }} inside it, up to the next HTML tag or template tag:
one sentence for a translator. A run is translatable when its text holds a letter (HTML
entities such as &nbsp; do not count).

Used by tests/core/test_templates_i18n.py (which fails on any run found). Run as a script it
wraps the runs it finds in translation tags, keeping the English output (a new template's text
before `make messages`):

    .venv/bin/python -m ee_portal.lib.template_text templates/app/new_page.html ...

Runs it cannot wrap (an attribute whose value holds a template tag) are printed to do by hand.
"""

import re
from dataclasses import dataclass, field

from django.template.base import DebugLexer, TokenType

TEXT_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder", "data-confirm", "aria-description")
# Template tags whose insides are not rendered as text of this template, or already translated.
_SKIPPED = {
    "comment": "endcomment",
    "verbatim": "endverbatim",
    "blocktranslate": "endblocktranslate",
    "blocktrans": "endblocktrans",
}
_ENTITY = re.compile(r"&#?\w+;")
_LETTER = re.compile(r"[^\W\d_]")
_ATTRIBUTE = re.compile(r"\s(" + "|".join(map(re.escape, TEXT_ATTRIBUTES)) + r')="([^"]*)"')
_RAW_ELEMENTS = ("script", "style")
# A text literal given to a filter ({{ x|default:"None yet" }}) is shown as it is: untranslated.
_FILTER_TEXT = re.compile(r"""\|\s*default(?:_if_none)?\s*:\s*(["'])(.*?)\1""")


def has_words(text: str) -> bool:
    return bool(_LETTER.search(_ENTITY.sub("", text)))


@dataclass
class Run:
    """Visible text at source[start:end] (stripped of surrounding white space); ``variables``
    are the {{ }} inside it (their source), ``attribute`` names the attribute it is the value
    of (or is empty for element text)."""

    start: int
    end: int
    line: int
    text: str
    variables: list[str] = field(default_factory=list)
    attribute: str = ""
    has_block_tag: bool = False


def _line(source: str, position: int) -> int:
    return source.count("\n", 0, position) + 1


def _trimmed(source: str, start: int, end: int) -> tuple[int, int]:
    while start < end and source[start].isspace():
        start += 1
    while end > start and source[end - 1].isspace():
        end -= 1
    return start, end


def untranslated_runs(source: str) -> list[Run]:  # noqa: PLR0912, PLR0915 -- one state machine
    """Every run of visible text in ``source`` that is outside a translation tag."""
    tokens = DebugLexer(source).tokenize()
    runs: list[Run] = []
    state = "text"  # text | tag | comment | raw
    raw_element = ""
    skip_until = ""
    run_parts: list[tuple[int, int, str]] = []  # (start, end, kind: "text" | "var")
    tag_start = 0

    def close_run() -> None:
        if not run_parts:
            return
        texts = "".join(source[s:e] for s, e, kind in run_parts if kind == "text")
        if has_words(texts):
            start, end = _trimmed(source, run_parts[0][0], run_parts[-1][1])
            runs.append(
                Run(
                    start=start,
                    end=end,
                    line=_line(source, start),
                    text=source[start:end],
                    variables=[source[s:e] for s, e, kind in run_parts if kind == "var"],
                )
            )
        run_parts.clear()

    def tag_attributes(start: int, end: int) -> None:
        tag = source[start:end]
        for match in _ATTRIBUTE.finditer(tag):
            value = match.group(2)
            if "{%" in value and ("translate" in value or "blocktrans" in value):
                continue
            without_tags = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", value)
            if has_words(without_tags):
                value_start = start + match.start(2)
                runs.append(
                    Run(
                        start=value_start,
                        end=value_start + len(value),
                        line=_line(source, value_start),
                        text=value,
                        variables=re.findall(r"\{\{.*?\}\}", value),
                        attribute=match.group(1),
                        has_block_tag="{%" in value,
                    )
                )

    for token in tokens:
        assert token.position is not None  # noqa: S101 -- DebugLexer sets every position
        start, end = token.position
        if skip_until:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == skip_until:
                skip_until = ""
            continue
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0]
            if state == "text":
                close_run()
            if name in _SKIPPED:
                skip_until = _SKIPPED[name]
            continue
        if token.token_type == TokenType.COMMENT:
            if state == "text":
                close_run()
            continue
        if token.token_type == TokenType.VAR:
            literal = _FILTER_TEXT.search(token.contents)
            if literal and has_words(literal.group(2)):
                runs.append(
                    Run(start, end, _line(source, start), source[start:end], has_block_tag=True)
                )
            if state == "text":
                run_parts.append((start, end, "var"))
            continue
        # TEXT: walk it character by character through the HTML states.
        index = start
        while index < end:
            char = source[index]
            if state == "text":
                if char == "<":
                    close_run()
                    if source.startswith("<!--", index):
                        state = "comment"
                        index += 4
                        continue
                    state = "tag"
                    tag_start = index
                else:
                    next_lt = source.find("<", index, end)
                    stop = end if next_lt == -1 else next_lt
                    run_parts.append((index, stop, "text"))
                    index = stop
                    continue
            elif state == "tag":
                if char == ">":
                    state = "text"
                    tag_attributes(tag_start, index + 1)
                    opened = re.match(r"<(\w+)", source[tag_start : index + 1])
                    if opened and opened.group(1).lower() in _RAW_ELEMENTS:
                        raw_element = opened.group(1).lower()
                        state = "raw"
            elif state == "comment":
                if source.startswith("-->", index):
                    state = "text"
                    index += 3
                    continue
            elif state == "raw" and source.startswith(f"</{raw_element}", index):
                state = "tag"
                tag_start = index
            index += 1
    if state == "text":
        close_run()
    return sorted(runs, key=lambda run: run.start)


# --- wrapping ---------------------------------------------------------------------------------

_SIMPLE_NAME = re.compile(r"^[A-Za-z_]\w*$")


def _variable_name(expression: str, taken: dict[str, str]) -> str:
    """A blocktranslate name for ``expression`` (the inside of {{ }}), unique in the run."""
    if expression in taken.values():
        return next(name for name, value in taken.items() if value == expression)
    base, _, filters = expression.partition("|")
    name = base.strip().split(".")[-1]
    name = re.sub(r"^get_|_display$", "", name) or "value"
    if not _SIMPLE_NAME.match(name) or name in {"with", "count", "context", "trimmed", "as"}:
        name = "value"
    if filters:
        filter_name = re.match(r"\w*", filters.strip()).group(0)  # type: ignore[union-attr]
        if filter_name in {"pluralize", "lower", "upper", "title", "capfirst"}:
            name = f"{name}_{filter_name}"
    candidate, number = name, 2
    while candidate in taken and taken[candidate] != expression:
        candidate = f"{name}{number}"
        number += 1
    taken[candidate] = expression
    return candidate


def _wrapped(run: Run, *, trimmed: bool) -> str:
    text = run.text
    if not run.variables and "\n" not in text and not ('"' in text and "'" in text):
        quote = "'" if '"' in text else '"'
        return f"{{% translate {quote}{text}{quote} %}}"
    taken: dict[str, str] = {}
    with_clause = []
    for source in dict.fromkeys(run.variables):
        expression = source[2:-2].strip()
        if _SIMPLE_NAME.match(expression):
            taken.setdefault(expression, expression)
            text = text.replace(source, f"{{{{ {expression} }}}}")
            continue
        name = _variable_name(expression, taken)
        with_clause.append(f"{name}={expression}")
        text = text.replace(source, f"{{{{ {name} }}}}")
    options = ""
    if with_clause:
        options += " with " + " ".join(with_clause)
    if trimmed and "\n" in text:
        options += " trimmed"
    return f"{{% blocktranslate{options} %}}{text}{{% endblocktranslate %}}"


def wrap(source: str, *, trimmed: bool = False) -> tuple[str, list[Run]]:
    """``source`` with every run in a translation tag, and the runs left to do by hand."""
    runs = untranslated_runs(source)
    by_hand = [run for run in runs if run.has_block_tag or (run.attribute and '"' in run.text)]
    out = source
    for run in reversed([run for run in runs if run not in by_hand]):
        out = out[: run.start] + _wrapped(run, trimmed=trimmed) + out[run.end :]
    if out != source and not re.search(r"\{%\s*load\s+[^%]*\bi18n\b", out):
        extends = re.match(r"\s*\{%\s*extends\s[^%]*%\}", out)
        at = extends.end() if extends else 0
        out = out[:at] + "{% load i18n %}" + out[at:]
    return out, by_hand


def main(paths: list[str]) -> int:
    from pathlib import Path  # noqa: PLC0415 -- only when run as a script

    left = 0
    for name in paths:
        path = Path(name)
        source = path.read_text(encoding="utf-8")
        wrapped, by_hand = wrap(source)
        if wrapped != source:
            path.write_text(wrapped, encoding="utf-8")
        for run in by_hand:
            left += 1
            print(f"{name}:{run.line}: wrap by hand: {run.text}")
    return 1 if left else 0


if __name__ == "__main__":
    import sys  # noqa: PLC0415 -- only when run as a script

    sys.exit(main(sys.argv[1:]))
