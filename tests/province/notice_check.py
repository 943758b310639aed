"""Read a renewal's household notices back and count the notices that contradict themselves
or the engine's answer.

    python -m tests.province.notice_check OUT_DIR [--year 2027] [--reader pdfium|pypdf] [--png DIR]

For every notice page (one per household: a page that starts with the notice's title), the
text is read back (PDFium; pypdf with ``--reader pypdf``, see :func:`page_texts`) and
compared with the renewal's rows (``OUT_DIR/reminders/<region>.parquet``, the engine's
answer per resident). A member *contradicts* the text when:

- ``date``: the first day of cover printed in the member's row (name and masked ID number)
  is not the answer's ``benefit_start``;
- ``blanket``: the page states one first day of cover for everyone who pays in time
  ("按期缴费的，自…起享受待遇") and the member's day is another;
- ``no_reason``: the member's day is later than 1 January and no line of the page names
  the member with a reason;
- ``assisted``: a fully assisted member (the answer's next step ``nothing_to_pay``) is
  listed as owing, or not named as paid for by medical assistance;
- ``owed``: a member who paid less than was due is not asked for the difference.

A page also fails ``phone`` when a phone number of its region's contacts is not printed
whole on one line. Prints the counts (Chinese, then English) and exits 1 when any notice
contradicts itself.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from pypdf import PdfReader

from yibao.policy.contacts import contacts_for
from yibao.rules.money import fen_to_yuan

__all__ = ["Finding", "check_folder", "check_region", "page_texts", "save_examples", "save_png"]

TITLE = "城乡居民基本医疗保险"
_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_BLANKET = re.compile(r"按期缴费的[,，]?自(\d{4}年\d{1,2}月\d{1,2}日)起享受待遇")


@dataclass
class Finding:
    """What one notice page holds against its rows."""

    region: str
    page: int
    household: object
    problems: list[tuple[str, str]] = field(default_factory=list)  # (kind, member name)


def _squeeze(line: str) -> str:
    """pypdf spaces CJK glyphs apart: the line without spaces."""
    return re.sub(r"[\s\x00]+", "", line)


def page_texts(path: Path, *, reader: str = "pdfium") -> list[list[str]]:
    """Each page's lines, spaces removed, as PDFium (Chromium's PDF engine) reads them, or
    pypdf (``reader="pypdf"``).

    pypdf 7.1.0 misreads a two-byte glyph code whose first byte is not 0 at the start of a
    string in fpdf2's subset CJK fonts (the font's own ToUnicode map says 王 for 0x0101;
    pypdf reads the bytes 01 01 as two codes, 城城): in a region with more than 255
    distinct characters some names come back wrong, so the notices are read with PDFium
    (pypdfium2), which renders and copies them as a viewer does.
    """
    if reader == "pypdf":
        pages = [(page.extract_text() or "") for page in PdfReader(path).pages]
    else:
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(path)
        try:
            pages = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
        finally:
            pdf.close()
    return [[_squeeze(line) for line in text.splitlines() if line.strip()] for text in pages]


def _cn(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _households(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    out: dict[object, list[dict[str, Any]]] = {}
    for r in rows:
        key = r["household_id"] if r["household_id"] is not None else f"p{r['person_id']}"
        out.setdefault(key, []).append(r)
    return list(out.values())


def _first_date_after(text: str, marker: str) -> dt.date | None:
    at = text.find(marker)
    if at < 0:
        return None
    found = _DATE.search(text, at + len(marker))
    return dt.date(*map(int, found.groups())) if found else None


def _check_page(lines: list[str], members: list[dict[str, Any]], year: int,
                phones: list[str], finding: Finding) -> None:
    text = "".join(lines)
    jan1 = dt.date(year, 1, 1)
    blanket = [dt.date(*map(int, _DATE.search(m).groups()))  # type: ignore[union-attr]
               for m in _BLANKET.findall(text)]
    for m in members:
        name = str(m["name"])
        if m["paid"] and m["balance_due"]:
            if fen_to_yuan(int(m["balance_due"])) not in text or "补缴差额" not in text:
                finding.problems.append(("owed", name))
            continue
        if m["error"]:
            continue
        marker = name + str(m["id_masked"] or "无身份证号")  # the member's row in the table
        if m["next_step"] == "nothing_to_pay":
            listed = marker in text
            if listed or not any(name in line and "医疗救助全额资助" in line for line in lines):
                finding.problems.append(("assisted", name))
            continue
        expected: dt.date | None = m["benefit_start"]
        printed = _first_date_after(text, marker)
        if printed != expected:
            finding.problems.append(("date", name))
        if expected is not None and blanket and any(b != expected for b in blanket):
            finding.problems.append(("blanket", name))
        if expected is not None and expected > jan1 and \
                f"{name}：{_cn(expected)}起享受待遇，原因：" not in text:
            finding.problems.append(("no_reason", name))
    for phone in phones:
        if phone in text and not any(phone in line for line in lines):
            finding.problems.append(("phone", phone))


def check_region(out: Path, region: str, year: int, reader: str = "pdfium") -> list[Finding]:
    """The findings of one region's notices (one per household page)."""
    rows = pq.read_table(out / "reminders" / f"{region}.parquet").to_pylist()
    households = _households(rows)
    pages = page_texts(out / "notices" / f"{region}.pdf", reader=reader)
    starts = [i for i, lines in enumerate(pages) if lines and lines[0].startswith(TITLE)]
    phones = [p.number for c in contacts_for(region) for p in c.phones]
    findings: list[Finding] = []
    for n, members in enumerate(households):
        if n >= len(starts):
            f = Finding(region, -1, members[0]["household_id"], [("missing_page", "")])
            findings.append(f)
            continue
        first = starts[n]
        last = starts[n + 1] if n + 1 < len(starts) else len(pages)
        lines = [line for page in pages[first:last] for line in page]
        f = Finding(region, first + 1, members[0]["household_id"])
        if f"{members[0]['name']}户" not in "".join(lines[:4]):
            f.problems.append(("wrong_page", str(members[0]["name"])))
        _check_page(lines, members, year, phones, f)
        findings.append(f)
    return findings


def check_folder(out: Path, year: int, reader: str = "pdfium") -> list[Finding]:
    """The findings of every region's notices in a renewal folder."""
    findings: list[Finding] = []
    for pdf in sorted((out / "notices").glob("*.pdf")):
        findings.extend(check_region(out, pdf.stem, year, reader))
    return findings


def save_png(pdf: Path, page: int, path: Path, scale: float = 1.6) -> Path:
    """One page (from 1) of a PDF as PNG (PDFium)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        doc[page - 1].render(scale=scale).to_pil().save(path)
    finally:
        doc.close()
    return path


#: What a saved example shows, and how its page is found in the page's text.
EXAMPLES = (("reason", "原因："), ("assisted", "由医疗救助全额资助参保"),
            ("owed", "还需补缴差额"), ("county-phones", "医疗保障局："))


def save_examples(out: Path, folder: Path, prefix: str = "notice") -> list[Path]:
    """The first household page of each kind in :data:`EXAMPLES` (one page may show more
    than one kind) as ``folder/<prefix>-<kind>.png``."""
    saved: list[Path] = []
    wanted = dict(EXAMPLES)
    for pdf in sorted((out / "notices").glob("*.pdf")):
        for n, lines in enumerate(page_texts(pdf), start=1):
            text = "".join(lines)
            for kind, mark in list(wanted.items()):
                if mark in text:
                    saved.append(save_png(pdf, n, folder / f"{prefix}-{kind}-{pdf.stem}-p{n}.png"))
                    del wanted[kind]
            if not wanted:
                return saved
    return saved


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out", type=Path)
    ap.add_argument("--year", type=int, default=None)
    ap.add_argument("--reader", choices=("pdfium", "pypdf"), default="pdfium")
    ap.add_argument("--png", type=Path, default=None,
                    help="save an example page of each kind as PNG in this folder")
    args = ap.parse_args(argv)
    year = args.year or int(next(args.out.glob("renewal-*.parquet")).stem.split("-")[1])
    findings = check_folder(args.out, year, args.reader)
    bad = [f for f in findings if f.problems]
    kinds = Counter(kind for f in bad for kind, _ in f.problems)
    members = sum(len({name for kind, name in f.problems if kind != "phone"}) for f in bad)
    print(f"通知 {len(findings)} 户,自相矛盾或与答复不符 {len(bad)} 户({members} 名成员);"
          f"{dict(kinds) or '无'}")
    print(f"{len(findings)} household notices, {len(bad)} contradicting ({members} members); "
          f"{dict(kinds) or 'none'}")
    for f in bad[:10]:
        print(f"  {f.region} p.{f.page}: {f.problems}")
    if args.png is not None:
        for path in save_examples(args.out, args.png):
            print(path)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
