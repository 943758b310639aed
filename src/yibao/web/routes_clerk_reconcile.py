"""Clerk console: channel statements reconciled with the ledger (list, one run with its
difference lines by category), and a statement uploaded here: checked (the run is stored
and shown) and, on the clerk's word, its lines missing from the ledger imported. Both are
the operation ``yibao reconcile`` runs (:func:`yibao.operations.reconcile.reconcile`),
called in process; every staff role reads the runs; ID numbers are masked.

    POST /clerk/reconciliations/upload     multipart: channel, year, statement, action
    POST /clerk/reconciliations/import     the file just checked (kept by its digest,
                                           privately, until imported or an hour old:
                                           ``statement_files.py``)

An upload above :data:`MAX_STATEMENT_BYTES` is refused with words before it is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from yibao.errors import YibaoError
from yibao.http.auth import CLERK
from yibao.operations.reconcile import get_run, layouts, list_runs, reconcile
from yibao.operations.reconcile.matching import CATEGORIES
from yibao.operations.reconcile.words import COUNT_WORDS
from yibao.web.console import Staff, StaffLogin, row_id, status_of
from yibao.web.csrf import csrf_protect
from yibao.web.forms import FieldErrors, coverage_year_of
from yibao.web.routes_clerk import staff
from yibao.web.statement_files import forget, keep, kept
from yibao.web.templating import render

__all__ = ["MAX_STATEMENT_BYTES", "UPLOAD_PATH", "UPLOAD_SLACK", "router", "uploads"]

router = APIRouter(prefix="/clerk", include_in_schema=False, dependencies=[Depends(csrf_protect)])
#: the upload's own router: its size is checked before the form (and its token) is read
uploads = APIRouter(prefix="/clerk", include_in_schema=False)

MAX_STATEMENT_BYTES = 20 * 1024 * 1024  # 20 MB: a county channel's year is ~3 MB of CSV
#: the form's other fields and the multipart framing around the file
UPLOAD_SLACK = 256 * 1024
UPLOAD_PATH = "/clerk/reconciliations/upload"


def _page_number(raw: str) -> int | None:
    text = raw.strip() or "1"
    if text.isascii() and text.isdigit() and 1 <= int(text[:7]) <= 100_000:
        return int(text)
    return None


_PAGE_WORDS = ("页码应为 1 至 100000 之间的整数", "the page is a whole number from 1")


def _channels() -> list[str]:
    return sorted(layouts())


async def _runs_page(request: Request, who: Staff, page: int = 1, *,
                     errors: FieldErrors | None = None, form: dict[str, str] | None = None,
                     status: int = 200) -> Response:
    ctx: dict[str, Any] = {"runs": None, "count_keys": list(COUNT_WORDS), "errors": errors or {},
                           "form": form or {}, "channels": _channels(),
                           "max_mb": MAX_STATEMENT_BYTES // (1024 * 1024), **staff(who)}
    try:
        ctx["runs"] = await who.read(list_runs, channel=None, page=page, per_page=50)
    except YibaoError as exc:
        ctx["failed"] = (exc.message, exc.message_en)
        return render(request, "clerk/reconciliations.html", ctx, status_code=status_of(exc))
    return render(request, "clerk/reconciliations.html", ctx, status_code=status)


@router.get("/reconciliations")
async def runs(request: Request, who: StaffLogin, page: str = "1") -> Response:
    number = _page_number(page)
    if number is None:
        return await _runs_page(request, who, errors={"page": _PAGE_WORDS}, status=422)
    return await _runs_page(request, who, number)


@router.get("/reconciliations/{run_id:int}")
async def run(request: Request, who: StaffLogin, run_id: int, category: str = "",
              page: str = "1", done: str = "", file: str = "", year: str = "") -> Response:
    chosen = category if category in CATEGORIES else ""
    ctx: dict[str, Any] = {"run": None, "category": chosen, "categories": CATEGORIES,
                           "count_keys": list(COUNT_WORDS), "done": done,
                           # the import is offered while the statement is still kept
                           "request_file": file if kept(file) else "",
                           "request_year": year if coverage_year_of(year) else "",
                           **staff(who)}
    number = _page_number(page)
    if number is None:
        ctx["failed"] = _PAGE_WORDS
        return render(request, "clerk/reconciliation.html", ctx, status_code=422)
    try:
        ctx["run"] = await who.read(get_run, row_id(run_id, "run_id"),
                                    category=chosen or None, page=number,
                                    per_page=100, actor=who.actor)
    except YibaoError as exc:
        ctx["failed"] = (exc.message, exc.message_en)
        return render(request, "clerk/reconciliation.html", ctx, status_code=status_of(exc))
    return render(request, "clerk/reconciliation.html", ctx)


def _too_large() -> tuple[str, str]:
    mb = MAX_STATEMENT_BYTES // (1024 * 1024)
    return (f"对账单文件不能超过 {mb} MB；请按年度或月份分成几个文件上传",
            f"the statement may be at most {mb} MB: split it by year or month and upload "
            "each part")


async def _reconcile(request: Request, who: Staff, path: Path, form: dict[str, str],
                     import_missing: bool) -> Response:
    year = coverage_year_of(form.get("year")) if form.get("year") else None
    if form.get("year") and year is None:
        return await _runs_page(request, who, errors={"year": (
            "参保年度应为四位年份，例如 2025；不填则比对对账单中的全部年度",
            "the coverage year is four digits, e.g. 2025; leave it empty for every year in "
            "the statement")}, form=form, status=422)
    try:
        summary = await who.call(reconcile, path, form.get("channel", ""), year=year,
                                 import_missing=import_missing, roles=CLERK)
    except YibaoError as exc:
        field = {"channel": "channel", "year": "year"}.get(str(exc.field or ""), "statement")
        return await _runs_page(request, who, errors={field: (exc.message, exc.message_en)},
                                form=form, status=status_of(exc))
    if import_missing:  # imported: the statement (ID numbers, payments) is not needed again
        forget(path)
    done = "imported" if import_missing else "checked"
    digest = path.parent.name
    target = f"/clerk/reconciliations/{summary['run_id']}?done={done}"
    if not import_missing:
        target += f"&file={digest}" + (f"&year={year}" if year else "")
    return RedirectResponse(target, status_code=303)


@uploads.post(UPLOAD_PATH.removeprefix("/clerk"))
async def upload(request: Request, who: StaffLogin) -> Response:
    """Check a statement (and store the run), or check and import what is missing."""
    if not who.writes:
        return render(request, "clerk/not_for_role.html", staff(who), status_code=403)
    declared = request.headers.get("content-length", "")
    if not declared.isdigit() or int(declared) > MAX_STATEMENT_BYTES + UPLOAD_SLACK:
        return await _runs_page(request, who, errors={"statement": _too_large()}, status=413)
    await csrf_protect(request)  # reads the form: bounded by the length checked above
    raw = await request.form()
    form = {k: str(v).strip() for k, v in raw.items() if isinstance(v, str)}
    upload = raw.get("statement")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _runs_page(request, who, errors={"statement": (
            "请选择对账单文件（.csv 或 .xlsx）", "choose the statement file (.csv or .xlsx)")},
            form=form, status=422)
    data = await upload.read(MAX_STATEMENT_BYTES + 1)
    if len(data) > MAX_STATEMENT_BYTES:
        return await _runs_page(request, who, errors={"statement": _too_large()}, form=form,
                                status=413)
    if Path(upload.filename).suffix.lower() not in (".csv", ".xlsx"):
        return await _runs_page(request, who, errors={"statement": (
            "只能上传 .csv 或 .xlsx 文件", "only .csv and .xlsx files can be uploaded")},
            form=form, status=422)
    path = keep(data, upload.filename)
    return await _reconcile(request, who, path, form, form.get("action") == "import")


@router.post("/reconciliations/import")
async def import_checked(request: Request, who: StaffLogin) -> Response:
    """Import the lines missing from the ledger of the statement just checked."""
    form = {k: str(v).strip() for k, v in (await request.form()).items()}
    path = kept(form.get("file", ""))
    if path is None:
        return await _runs_page(request, who, errors={"statement": (
            "找不到刚才核对的文件，请重新上传", "the file checked is gone: upload it again")},
            form=form, status=410)
    return await _reconcile(request, who, path, form, True)
