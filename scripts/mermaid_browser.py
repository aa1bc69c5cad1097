"""The real Mermaid in headless Chromium, for the tests and the screenshot script (never used by
cutover itself).

Mermaid is the browser build NiceGUI ships inside its wheel (nicegui 3.18.0 bundles mermaid
11.16.1 as ES modules under nicegui/elements/mermaid/dist); `scripts/setup --tests` downloads that
wheel, checks its sha256 and unpacks the folder into ~/.cache/cutover/mermaid-11.16.1
($CUTOVER_MERMAID overrides). Chromium is Debian's package. The page is served over a
loopback HTTP server on a free port (ES modules do not load from file://), with a profile
of its own, so concurrent test processes do not share one.
"""
import contextlib
import functools
import html
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading

MERMAID_VERSION = "11.16.1"


def mermaid_dir():
    path = os.environ.get("CUTOVER_MERMAID") or os.path.expanduser(f"~/.cache/cutover/mermaid-{MERMAID_VERSION}")
    if not os.path.isfile(os.path.join(path, "index.js")):
        raise RuntimeError(f"no Mermaid build at {path}: run scripts/setup --tests")
    return path


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("no Chromium on PATH: run scripts/setup --tests (it installs Debian's chromium)")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def served(directory):
    """An HTTP server on 127.0.0.1 for `directory`, on a free port; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def page_directory(page_html):
    """A temporary folder with `index.html` and the Mermaid build beside it as `mermaid/`."""
    folder = tempfile.mkdtemp(prefix="cutover-mermaid-")
    os.symlink(mermaid_dir(), os.path.join(folder, "mermaid"))
    with open(os.path.join(folder, "index.html"), "w", encoding="utf-8") as f:
        f.write(page_html)
    return folder


def browse(page_html, *, screenshot=None, width=980, height=800):
    """Loads the page in headless Chromium; returns the DOM after its scripts ran (up to 20 s
    of virtual time), or writes a PNG screenshot of `width` × `height` when `screenshot` is set."""
    folder = page_directory(page_html)
    profile = tempfile.mkdtemp(prefix="cutover-chromium-")
    try:
        with served(folder) as base:
            command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                       f"--user-data-dir={profile}", "--virtual-time-budget=20000", f"--window-size={width},{height}"]
            command += [f"--screenshot={screenshot}"] if screenshot else ["--dump-dom"]
            result = subprocess.run(command + [f"{base}/index.html"], capture_output=True, text=True, timeout=120)
            if result.returncode != 0:
                raise RuntimeError(f"chromium exited {result.returncode}: {result.stderr[-800:]}")
            return result.stdout
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(profile, ignore_errors=True)


def script_json(value):
    """JSON safe inside a <script> element (no `</script>` can end it early)."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


CHECK_PAGE = """<!doctype html><html><head><meta charset="utf-8"></head><body><pre id="out">pending</pre>
<script type="module">
import { mermaid } from "./mermaid/index.js";
mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
const sources = %s;
const results = [];
for (const [k, source] of sources.entries()) {
  try {
    const parsed = await mermaid.parse(source);
    const { svg } = await mermaid.render("chart" + k, source);
    const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
    const tasks = [...doc.querySelectorAll("rect.task")];
    results.push({
      ok: true, type: parsed.diagramType,
      tasks: tasks.length,
      milestones: tasks.filter((r) => r.classList.contains("milestone")).length,
      labels: [...doc.querySelectorAll("text.taskText, text.taskTextOutsideRight, text.taskTextOutsideLeft")].map((t) => t.textContent),
      badGeometry: tasks.filter((r) => ["x", "y", "width"].some((a) => !Number.isFinite(parseFloat(r.getAttribute(a))))).length,
    });
  } catch (error) {
    results.push({ ok: false, error: String((error && error.message) || error) });
  }
}
document.getElementById("out").textContent = JSON.stringify(results);
</script></body></html>"""


def check(sources):
    """Parses and renders each Mermaid source with the real Mermaid; one result dict each:
    ok, type, tasks, milestones, labels (the bars' texts as drawn), badGeometry (bars whose
    position is not a number), or ok False with the error Mermaid raised."""
    if not sources:
        return []
    dom = browse(CHECK_PAGE % script_json(sources))
    start = dom.find('<pre id="out">')
    end = dom.find("</pre>", start)
    if start < 0 or end < 0:
        raise RuntimeError("the check page wrote no result")
    text = html.unescape(dom[start + len('<pre id="out">'):end])
    if text == "pending":
        raise RuntimeError("Mermaid did not finish within the page's time budget")
    return json.loads(text)
