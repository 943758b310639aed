"""Quality gates run on pages in the browser: accessibility (axe-core, vendored) and
plain language (no codes on screen; English mode fully English).

    assert_accessible(page)          # no serious or critical axe violation
    assert_plain(page, "zh")         # no rule IDs, convention numbers, snake_case, file names
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")

#: code-like tokens that must never be read on a page (either language)
CODE_LIKE = re.compile(
    r"\bR-[A-Z]{2,}"                       # rule IDs (R-FEE-LATE)
    r"|(?<![A-Za-z0-9])C\d{1,2}(?![0-9A-Za-z])"  # convention numbers (C11)
    r"|\b[a-z]+(?:_[a-z0-9]+)+\b"          # snake_case field names and codes
    r"|\b[\w-]+\.(?:txt|md|py|yaml|json)\b"  # file names
    r"|\bseed 00\d"                        # seed references
)

_AXE_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3)
      .map(n => n.target.join(' ')).join(' | '));
}"""

_VISIBLE_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || el.closest('script, style, noscript')) continue;
    const text = node.textContent.trim();
    if (!text) continue;
    const lang = (el.closest('[lang]') || document.documentElement).getAttribute('lang') || '';
    out.push([text, lang]);
  }
  return out;
}"""

_CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3001-\u303f]")


def assert_accessible(page: Any) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE + "\n;0")  # as the debugger would: the page's CSP forbids inline tags
    found = page.evaluate(_AXE_RUN)
    assert found == [], f"{page.url}: " + "; ".join(found)


def texts(page: Any) -> list[tuple[str, str]]:
    """Every text on the page with the language of its element."""
    return [(str(t), str(lang)) for t, lang in page.evaluate(_VISIBLE_TEXT)]


def assert_plain(page: Any, lang: str) -> None:
    """No code-like token on the page; in English mode no Chinese outside elements marked
    as Chinese (names, addresses, the sources' own words)."""
    bad = [t for t, _ in texts(page) if CODE_LIKE.search(t)]
    assert bad == [], f"{page.url}: code-like text: {bad[:5]}"
    if lang == "en":
        chinese = [t for t, el_lang in texts(page)
                   if _CJK.search(t) and not el_lang.lower().startswith("zh")]
        assert chinese == [], f"{page.url}: Chinese on the English page: {chinese[:5]}"
