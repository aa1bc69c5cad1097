#!/usr/bin/env python3
"""Renders markdown with GitHub's own renderer (cmark-gfm, through the cmarkgfm package) and
checks what a reader would see. Used by the test suite on postmortems built from hostile logs.

Rendered with raw HTML let through and without GitHub's tag filter, so any markup that came
from logs unescaped shows up as a tag here. Fails (exit 1, the reasons on stdout) when:
  - a tag appears that cutover never writes (script, img, iframe, object, embed, style, svg, ...),
    or any attribute starting with "on", or a link whose target is not http(s), mailto or #;
  - a heading's text is not one of the headings given with --heading (repeatable), i.e. text
    from the logs became a heading;
  - a table row has another number of cells than its header (counted in the markdown: the
    renderer pads or drops cells silently), or a table has more columns than --max-columns;
  - a ```mermaid block does not reach the HTML intact (a code block of language mermaid, the
    text unchanged: what GitHub hands to Mermaid), or the real Mermaid (scripts/mermaid_browser.py: mermaid 11.16.1 in
    headless Chromium) fails to parse or draw it, draws another number of bars or milestones
    than the source has tasks, other bar labels, or a bar at a position that is not a number.

usage: check-markdown.py FILE [--heading TEXT]... [--heading-prefix TEXT]... [--max-columns N]
"""
import html as htmllib
import os
import re
import sys
from html.parser import HTMLParser

import cmarkgfm
from cmarkgfm.cmark import Options

ALLOWED_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "code", "pre", "em", "strong",
                "table", "thead", "tbody", "tr", "th", "td", "a", "br", "hr", "blockquote", "del"}


class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.headings = []
        self.heading = None
        self.tables = []
        self.row = None

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}> in the rendered document")
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.problems.append(f"event attribute {name}= on <{tag}>")
            target = value or ""
            if tag == "a" and name == "href" and not (
                    target.startswith(("http://", "https://", "mailto:", "#")) or re.fullmatch(r"[A-Za-z0-9._-]+\.md", target)):
                self.problems.append(f"link to {value!r}")
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.heading = ""
        if tag == "table":
            self.tables.append([])
        if tag == "tr":
            self.row = 0
        if tag in ("td", "th") and self.row is not None:
            self.row += 1

    def handle_endtag(self, tag):
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6") and self.heading is not None:
            self.headings.append(self.heading.strip())
            self.heading = None
        if tag == "tr" and self.row is not None and self.tables:
            self.tables[-1].append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.heading is not None:
            self.heading += data


def cells(line):
    """Cells of a GFM table row: split at pipes not escaped by a backslash (a pipe in a code
    span splits too, as GFM says), without the outer ones."""
    parts, current, escaped = [], "", False
    for ch in line.strip():
        if escaped:
            current += ch; escaped = False
        elif ch == "\\":
            current += ch; escaped = True
        elif ch == "|":
            parts.append(current); current = ""
        else:
            current += ch
    parts.append(current)
    if parts and parts[0].strip() == "":
        parts = parts[1:]
    if parts and parts[-1].strip() == "":
        parts = parts[:-1]
    return len(parts)


def source_tables(text):
    """Cell counts of every row of every table in the markdown source (header, then body)."""
    tables, lines, i = [], text.split("\n"), 0
    while i + 1 < len(lines):
        if lines[i].startswith("|") and re.fullmatch(r"\|?(\s*:?-+:?\s*\|)+\s*:?-*:?\s*", lines[i + 1]):
            rows = [cells(lines[i])]
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(cells(lines[i])); i += 1
            tables.append(rows)
        else:
            i += 1
    return tables


def mermaid_blocks(text):
    """The sources of the ```mermaid fences of the markdown."""
    return re.findall(r"^```mermaid\n(.*?)\n```$", text, flags=re.S | re.M)


def gantt_tasks(source):
    """(label, is_milestone) of each task line of a gantt source: the lines after a section."""
    tasks, in_section = [], False
    for line in source.split("\n"):
        stripped = line.strip()
        if stripped.startswith("section "):
            in_section = True
        elif in_section and " :" in stripped:
            label, data = stripped.split(" :", 1)
            tasks.append((label.strip(), data.split(",")[0].strip() == "milestone"))
    return tasks


def mermaid_problems(text, rendered_html):
    blocks = mermaid_blocks(text)
    problems = []
    rendered = [htmllib.unescape(b) for b in re.findall(r'<pre(?: lang="mermaid"><code|><code class="language-mermaid")>(.*?)</code></pre>', rendered_html, flags=re.S)]
    if [b + "\n" for b in blocks] != rendered:
        problems.append(f"{len(blocks)} mermaid block(s) written, {len(rendered)} rendered intact as a mermaid code block")
    if not blocks:
        return problems
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import mermaid_browser
    try:
        results = mermaid_browser.check(blocks)
    except RuntimeError as error:
        return problems + [f"mermaid: {error}"]
    for n, (source, result) in enumerate(zip(blocks, results)):
        name = f"mermaid block {n + 1}"
        if not result["ok"]:
            problems.append(f"{name}: Mermaid {mermaid_browser.MERMAID_VERSION} rejects it: {result['error']}")
            continue
        if result["type"] != "gantt":
            continue
        tasks = gantt_tasks(source)
        if result["tasks"] != len(tasks) or result["milestones"] != sum(m for _, m in tasks):
            problems.append(f"{name}: {len(tasks)} tasks written, {result['tasks']} drawn ({result['milestones']} milestones)")
        drawn = sorted(label.strip() for label in result["labels"])
        if drawn != sorted(label for label, _ in tasks):
            problems.append(f"{name}: bars labelled {drawn}, written {sorted(l for l, _ in tasks)}")
        if result["badGeometry"]:
            problems.append(f"{name}: {result['badGeometry']} bars at no position (a time Mermaid could not read)")
    return problems


def main(argv):
    path, headings, prefixes, max_columns = None, set(), [], 7
    i = 1
    while i < len(argv):
        if argv[i] == "--heading":
            headings.add(argv[i + 1]); i += 2
        elif argv[i] == "--heading-prefix":
            prefixes.append(argv[i + 1]); i += 2
        elif argv[i] == "--max-columns":
            max_columns = int(argv[i + 1]); i += 2
        else:
            path = argv[i]; i += 1
    text = open(path, encoding="utf-8").read()
    html = cmarkgfm.markdown_to_html_with_extensions(
        text, options=Options.CMARK_OPT_UNSAFE, extensions=["table", "strikethrough", "autolink"])
    checker = Checker()
    checker.feed(html)
    problems = list(checker.problems)
    for h in checker.headings:
        if h not in headings and not any(h.startswith(p) for p in prefixes):
            problems.append(f"heading {h!r} is not one cutover writes")
    for n, rows in enumerate(source_tables(text)):
        if rows and any(r != rows[0] for r in rows):
            problems.append(f"table {n + 1}: rows with {sorted(set(rows))} cells")
        if rows and rows[0] > max_columns:
            problems.append(f"table {n + 1}: {rows[0]} columns, more than {max_columns}")
    if len(source_tables(text)) != len(checker.tables):
        problems.append(f"{len(source_tables(text))} tables written, {len(checker.tables)} rendered")
    problems += mermaid_problems(text, html)
    for p in problems:
        print(p)
    print(f"{len(checker.headings)} headings, {len(checker.tables)} tables, {len(mermaid_blocks(text))} mermaid blocks, "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
