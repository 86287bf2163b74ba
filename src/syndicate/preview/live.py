"""What the served copy's pages get that a real build never writes: a small live-reload script,
a banner when the last change could not be built (or rejected seeds), and the entries of the
page's Content-Security-Policy that let exactly these two run (by their hashes).

The script asks the server for the build's version (one request at a time, one a second),
reloads the page when it changed, waits longer while the server does not answer (up to 30 s)
and gives up after 40 failed tries in a row: its request loop is bounded.
"""

from __future__ import annotations

import base64
import hashlib
import re
from html import escape

from syndicate.preview.site import State

VERSION_PATH = "/__syndicate/version"

SCRIPT = (
    "(function () {\n"
    '  var seen = document.currentScript.getAttribute("data-version");\n'
    "  var wait = 1000, failures = 0;\n"
    "  function poll() {\n"
    f'    fetch("{VERSION_PATH}", {{cache: "no-store"}})\n'
    "      .then(function (answer) { return answer.text(); })\n"
    "      .then(function (version) {\n"
    "        if (version.trim() !== seen) { location.reload(); return; }\n"
    "        wait = 1000; failures = 0; setTimeout(poll, wait);\n"
    "      })\n"
    "      .catch(function () {\n"
    "        failures += 1; wait = Math.min(wait * 2, 30000);\n"
    "        if (failures < 40) { setTimeout(poll, wait); }\n"
    "      });\n"
    "  }\n"
    "  setTimeout(poll, wait);\n"
    "})();\n"
)
STYLE = (
    ".syndicate-preview{margin:0;padding:1rem 1.25rem;background:#fff4e5;color:#4a2b00;"
    "border-bottom:3px solid #e67700;font:1rem/1.5 system-ui,sans-serif}"
    ".syndicate-preview pre{white-space:pre-wrap;margin:.5rem 0 0;font-size:.9rem}"
    "@media (prefers-color-scheme:dark){.syndicate-preview{background:#3b2600;color:#ffe8c2}}"
)


def _hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


SCRIPT_SOURCE = _hash(SCRIPT)
STYLE_SOURCE = _hash(STYLE)
_CSP = re.compile(rb'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")')


def inject(page: bytes, state: State) -> bytes:
    """A built page as the preview serves it."""
    policy_found = False

    def policy(match: re.Match[bytes]) -> bytes:
        nonlocal policy_found
        policy_found = True
        csp = match.group(2)  # HTML-escaped already: add escaped text to it
        style = escape(f"style-src {STYLE_SOURCE} ").encode()
        csp = csp.replace(b"style-src ", style, 1)
        csp += escape(f"; script-src {SCRIPT_SOURCE}; connect-src 'self'").encode()
        return match.group(1) + csp + match.group(3)

    page = _CSP.sub(policy, page, count=1)
    if not policy_found:  # not one of ours: leave it alone
        return page
    page = page.replace(b"</head>", f"<style>{STYLE}</style>\n</head>".encode(), 1)
    notice = banner(state)
    if notice:
        page = re.sub(rb"(<body[^>]*>)", lambda m: m.group(1) + notice.encode(), page, count=1)
    return page.replace(b"</body>", script_tag(state).encode() + b"</body>", 1)


def script_tag(state: State) -> str:
    return f'<script data-version="{state.version}">{SCRIPT}</script>\n'


def banner(state: State) -> str:
    """The notice above a page: why the preview is not the change just saved, or which seeds
    the build rejected. Empty when all is well."""
    lines = [str(p) for p in state.problems]
    if state.message:
        lines.append(f"error: {state.message}")
    if state.failed:
        head = (
            "The last change could not be built; this preview shows the last good build. "
            "Fix the file: the page reloads by itself."
        )
    elif any(p.severity == "error" for p in state.problems):
        head = "Some seeds were rejected and left out of this preview:"
    elif lines:
        head = "The build has warnings:"
    else:
        return ""
    body = escape("\n".join(lines))
    return (
        f'<div class="syndicate-preview" role="alert"><strong>{escape(head)}</strong>'
        f"<pre>{body}</pre></div>\n"
    )


def error_page(state: State) -> bytes:
    """The page shown before any good build: what is wrong, reloaded when it is fixed."""
    csp = (
        f"default-src 'none'; style-src {STYLE_SOURCE}; script-src {SCRIPT_SOURCE}; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'"
    )
    notice = banner(state) or (
        '<div class="syndicate-preview" role="alert"><strong>Building the preview...</strong>'
        "</div>\n"
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{escape(csp)}">\n'
        "<title>syndicate preview: nothing to show yet</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n{notice}"
        "<p>Nothing could be built yet. Fix the problem above and save the file.</p>\n"
        f"{script_tag(state)}</body>\n</html>\n"
    ).encode()
