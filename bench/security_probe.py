"""A bounded hostile probe of a yibao server on 127.0.0.1 (docs/security.md, issue 16).

    python -m bench.security_probe [--backend sqlite|postgres] [--fuzz 3000] [-o out.json]

Starts ``yibao serve`` on a fresh database with the demo data and staff accounts (a
Guigang clerk, an auditor, an admin), then tries each failure of issue 16 once and sends
``--fuzz`` hostile requests (formatted and oversized numbers, far dates, control and
invisible characters, duplicate JSON keys, wildcards, forged addresses) across the API,
the console and the resident pages. It counts, per check, what the issue counts; for the
fuzz, the answers in the documented shape (the JSON error shape under ``/api``, a page in
words elsewhere, each with the security headers) and any 5xx. Runs against whatever yibao
the interpreter imports, so the same probe measures a branch and main (``PYTHONPATH``).
Only 127.0.0.1 is ever used.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from yibao.local_server import running_server

PG_ADMIN = os.environ.get("YIBAO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "probe-pass-8642"
GUESSABLE = ["please-change-this-secret-key-before-deploy", "YIBAO_SECRET_KEY_CHANGE_ME_IN_PRODUCTION",
             "0123456789" * 4, "changeme" * 5, "secretsecretsecretsecretsecretsecret",
             "yibao-production-signing-key-2025-guangxi", "qwertyuiopasdfghjklzxcvbnm1234567890",
             "abcdefghijklmnopqrstuvwxyz0123456789", "a" * 64]
HEADERS = ("x-content-type-options", "x-frame-options", "content-security-policy")
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _cli(env: dict[str, str], cwd: Path, *args: str, stdin: str | None = None
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "yibao", *args], env=env, cwd=cwd, input=stdin,
                          text=True, capture_output=True, timeout=900)


def _database(backend: str, work: Path) -> tuple[str, Any]:
    if backend == "sqlite":
        return f"sqlite:///{work / 'probe.sqlite3'}", None
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"yibao_probe_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", (admin, name)


def _drop(handle: Any) -> None:
    if handle is None:
        return
    from sqlalchemy import text

    admin, name = handle
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _login(base: str, user: str, where: str = "192.0.2.1") -> httpx.Client:
    r = httpx.post(f"{base}/api/v1/auth/token", data={"username": user, "password": PASSWORD},
                   headers={"X-Forwarded-For": where}, timeout=60)
    r.raise_for_status()
    return httpx.Client(base_url=base, timeout=60,
                        headers={"Authorization": f"Bearer {r.json()['access_token']}"})


def _console(base: str, user: str) -> tuple[httpx.Client, str]:
    c = httpx.Client(base_url=base, timeout=60, headers={"Origin": base})
    token = _TOKEN.search(c.get("/clerk/login").text)
    assert token
    c.post("/clerk/login", data={"username": user, "password": PASSWORD,
                                 "csrf_token": token.group(1), "next": "/clerk"})
    form = _TOKEN.search(c.get("/clerk/persons").text)
    assert form
    return c, form.group(1)


def _shaped(r: httpx.Response, path: str) -> bool:
    """Refused in the documented shape: JSON error shape under /api, a page otherwise; and
    the security headers on it."""
    if not all(h in r.headers for h in HEADERS):
        return False
    if path.startswith("/api/"):
        try:
            err = r.json()["error"]
        except Exception:
            return False
        return set(err) == {"code", "message", "message_en", "field"} and bool(err["message"])
    return "text/html" in r.headers.get("content-type", "")


def probe(backend: str, fuzz: int) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="yibao-probe-"))
    url, handle = _database(backend, work)
    env = {k: v for k, v in os.environ.items() if not k.startswith("YIBAO_")}
    env.update(YIBAO_DATABASE_URL=url, YIBAO_SECRET_KEY=secrets.token_urlsafe(48),
               YIBAO_ACCESS_LOG="1", YIBAO_LOOKUP_PER_CLIENT="5/600",
               YIBAO_LOOKUP_PER_NUMBER="5/3600",
               # as behind nginx on this host: X-Forwarded-For names the client
               YIBAO_TRUSTED_PROXIES="127.0.0.1")
    out: dict[str, Any] = {"backend": backend}
    try:
        started = time.perf_counter()
        _cli(env, work, "db", "upgrade").check_returncode()
        _cli(env, work, "demo", "load").check_returncode()
        out["seconds_setup"] = round(time.perf_counter() - started, 1)
        regions = {"probe-clerk": "450800", "probe-auditor": None, "probe-admin": None}
        scoped = True
        for user, role in (("probe-clerk", "clerk"), ("probe-auditor", "auditor"),
                           ("probe-admin", "admin")):
            args = ["user", "add", user, "--role", role, "--password-stdin"]
            region = regions[user]
            done = _cli(env, work, *args, *(["--region", region] if region else []),
                        stdin=PASSWORD + "\n")
            if done.returncode != 0:  # a yibao without scope
                scoped = False
                _cli(env, work, *args, stdin=PASSWORD + "\n").check_returncode()
        out["scope_supported"] = scoped
        log = (work / "server.log").open("a")
        args = ["-m", "yibao", "serve", "--host", "127.0.0.1", "--port", "{port}",
                "--access-log"]
        with running_server(args, env=env, cwd=work, log=log, timeout=60) as base:
            started = time.perf_counter()
            out.update(_checks(base, work))
            _ROTATE[:] = out.pop("_guigang")
            _FREEZE[:] = out.pop("_freeze_number")
            out["seconds_checks"] = round(time.perf_counter() - started, 1)
            started = time.perf_counter()
            out["fuzz"] = _fuzz(base, fuzz)
            out["seconds_fuzz"] = round(time.perf_counter() - started, 1)
            out.update(_freeze(base))
        # the default (no proxy named): a forged X-Forwarded-For changes nothing
        plain = {k: v for k, v in env.items() if k != "YIBAO_TRUSTED_PROXIES"}
        with running_server(args, env=plain, cwd=work, log=log, timeout=60) as base:
            out["lookup_rotating_xff_not_limited"] = _rotating(base)
        log.close()
        text = unicodedata.normalize("NFKC", (work / "server.log").read_text(errors="replace"))
        out["log_unmasked_ids"] = sum(n in re.sub(r"[\s\-._/·]", "", text).upper()
                                      for n in out.pop("_logged"))
        db = work / "probe.sqlite3"
        if db.exists():
            out["sqlite_modes"] = {p.name: oct(p.stat().st_mode & 0o777)
                                   for p in work.iterdir() if p.name.startswith("probe.sqlite3")}
    finally:
        _drop(handle)
        shutil.rmtree(work, ignore_errors=True)
    return out


def _checks(base: str, work: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    clerk, auditor, admin = (_login(base, u) for u in ("probe-clerk", "probe-auditor",
                                                      "probe-admin"))
    everyone = admin.get("/api/v1/persons", params={"per_page": 500}).json()["items"]
    liuzhou = [p for p in everyone if p["region"].startswith("4502") and p["id_number"]]
    guigang = [p for p in everyone if p["region"].startswith("4508") and p["id_number"]]
    # 2. scope
    seen = clerk.get("/api/v1/persons", params={"per_page": 500}).json()["items"]
    out["scope_other_city_listed"] = sum(not p["region"].startswith("4508") for p in seen)
    out["scope_full_ids_listed"] = sum(bool(p["id_number"]) and "*" not in p["id_number"]
                                       for p in seen)
    reads = [clerk.get(f"/api/v1/persons/{p['id_number']}").status_code for p in liuzhou[:50]]
    out["scope_other_city_reads_200"] = reads.count(200)
    moved = clerk.patch(f"/api/v1/persons/{guigang[0]['id_number']}", json={"region": "450202"})
    out["scope_moved_to_other_city"] = moved.status_code == 200
    # 3. four eyes: a clerk's reversal of a Guigang payment
    payments = clerk.get("/api/v1/payments", params={"per_page": 50}).json()["items"]
    paid = next(p for p in payments if p["settlement"] in ("exact", "under"))
    asked = clerk.post(f"/api/v1/payments/{paid['id']}/reversals", json={
        "kind": "reversal", "reference": "PROBE-1", "reason": "probe by clerk, no channel report"})
    out["four_eyes_clerk_reversal_status"] = asked.status_code
    out["four_eyes_enrollment_after"] = asked.json().get("enrollment", {}).get("status")
    # 4. masks
    masked = auditor.get("/api/v1/persons", params={"per_page": 500}).json()["items"]
    out["masks_rebuildable"] = sum(bool(p["id_number"]) and "*" in p["id_number"]
                                   and bool(p.get("birth_date")) for p in masked)
    out["masks_total"] = len(masked)
    # 5. keys
    from yibao.settings import check_secret_key

    accepted = 0
    for key in GUESSABLE:
        try:
            check_secret_key(key)
            accepted += 1
        except Exception:
            pass
    out["keys_guessable_accepted"] = f"{accepted} of {len(GUESSABLE)}"
    # 6. logins: 20 concurrent wrong guesses for the admin from one address
    def guess(_: int) -> int:
        return httpx.post(f"{base}/api/v1/auth/token", timeout=120,
                          data={"username": "probe-admin", "password": "wrong-guess"},
                          headers={"X-Forwarded-For": "192.0.2.66"}).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = Counter(pool.map(guess, range(20)))
    out["login_concurrent_checked"] = statuses.get(401, 0)
    out["login_concurrent_statuses"] = dict(statuses)
    owner = httpx.post(f"{base}/api/v1/auth/token", timeout=60,
                       data={"username": "probe-admin", "password": PASSWORD},
                       headers={"X-Forwarded-For": "192.0.2.77"})
    out["login_owner_from_clean_address"] = owner.status_code
    out["logins_audited"] = "login" in str(admin.get("/api/v1/audit", params={
        "action": "login_failed", "per_page": 5}).json())
    out["password_change_route"] = admin.post("/api/v1/auth/password", json={
        "current_password": "x", "new_password": "y"}).status_code
    # 7. hostile 500s
    anon = httpx.Client(base_url=base, timeout=60)
    c, _token = _console(base, "probe-clerk")
    out["plan_far_date"] = anon.post("/plan", data={
        "region": "450802", "coverage_year": "2025", "payment_date": "9999-12-31",
        "birth_date": "1980-01-01"}).status_code
    out["dashboard_years"] = {y: c.get("/clerk", params={"year": y}).status_code
                              for y in ("-1", "2147483648", "20250101")}
    guard = anon.get("/api/v1/persons/%00")
    out["guard_answer_headers"] = all(h in guard.headers for h in HEADERS)
    # 8. logs: formatted ID numbers
    number = guigang[1]["id_number"]
    logged = [f"{number[:6]} {number[6:14]} {number[14:]}", "-".join((number[:6], number[6:])),
              number.translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"}), number.lower()]
    for shown in logged:
        anon.get(f"/api/v1/persons/{shown}")
    out["_logged"] = [number]
    # 9. look-up: household amounts, a stranger spending a person's look-ups, rotating XFF
    head = next((p for p in guigang if p["household_id"]), guigang[0])
    house = admin.get(f"/api/v1/households/{head['household_id']}").json()
    page = anon.post("/lookup", data={"id_number": head["id_number"], "name": head["name"]}).text
    part = page[page.find('id="household"'):]
    part = part[:part.find("</table>")]
    # what the household part says beyond paid / not paid: amounts, assistance, numbers
    out["lookup_household_extra"] = sum(part.count(w) for w in ("¥", "金额", "资助", "****"))
    out["lookup_household_members"] = len(house.get("members", [])) - 1
    victim = guigang[2]
    for n in range(5):
        anon.post("/lookup", data={"id_number": victim["id_number"], "name": "某某"},
                  headers={"X-Forwarded-For": f"198.51.100.{n + 1}"})
    own = anon.post("/lookup", data={"id_number": victim["id_number"], "name": victim["name"]},
                    headers={"X-Forwarded-For": "198.51.100.200"})
    out["lookup_owner_after_strangers"] = own.status_code
    out["_guigang"] = [p["id_number"] for p in guigang[10:22]]
    # failure 1 needs a resident whose history holds covered years (the loop runs from them)
    out["_freeze_number"] = [next(
        p["id_number"] for p in guigang[30:]
        if clerk.get(f"/api/v1/persons/{p['id_number']}/history").json().get("covered_years"))]
    # 10. text
    blank = admin.post("/api/v1/persons", json={"id_number": _new_id(), "name": "\u3000",
                                                "region": "450802"})
    out["text_blank_name"] = blank.status_code
    bidi = admin.post("/api/v1/persons", json={"id_number": _new_id(), "name": "韦\u202e明",
                                               "region": "450802"})
    out["text_bidi_name"] = bidi.status_code
    dup = admin.post("/api/v1/persons", headers={"Content-Type": "application/json"},
                     content=('{"id_number": "' + _new_id() + '", "name": "a", "name": "b", '
                              '"region": "450802"}').encode())
    out["text_duplicate_keys"] = dup.status_code
    out["text_wildcard_matches"] = admin.get("/api/v1/persons", params={
        "name": "%_%", "per_page": 1}).json().get("total")
    out["text_persons_total"] = len(everyone)
    c.close()
    anon.close()
    for client in (clerk, auditor, admin):
        client.close()
    return out


_serial = iter(range(1, 10**6))


_ROTATE: list[str] = []
_FREEZE: list[str] = []


def _rotating(base: str) -> int:
    """Look-ups of 12 numbers, each with another X-Forwarded-For, from 127.0.0.1: how many
    were answered (the per-client limit is 5)."""
    with httpx.Client(base_url=base, timeout=60) as anon:
        return [anon.post("/lookup", data={"id_number": number, "name": "某某"},
                          headers={"X-Forwarded-For": f"203.0.113.{n + 1}"}).status_code
                for n, number in enumerate(_ROTATE)].count(200)


def _new_id() -> str:
    import datetime as dt

    from yibao.idcard import make_id_number

    n = next(_serial)
    return make_id_number("450802", dt.date(1970, 1, 1) + dt.timedelta(days=n * 7 + 11),
                          n % 500, "male")


def _fuzz(base: str, n: int) -> dict[str, Any]:
    """``n`` hostile requests; answers counted by class."""
    rng = random.Random(16)
    token = httpx.post(f"{base}/api/v1/auth/token", data={
        "username": "probe-clerk", "password": PASSWORD},
        headers={"X-Forwarded-For": "192.0.2.9"}).json()["access_token"]
    api = httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"})
    anon = httpx.Client(base_url=base, timeout=30)
    numbers = ["9" * 400, "30000000", "-1", "2147483648", "1e309", "NaN", "２０２５", "0x7e9",
               "20250101", "", " ", "2025.5"]
    texts = ["\u3000", "\u202e韦", "\u200b", "\x00", "\x85", "%_%", "' OR 1=1 --", "<script>",
             "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"), "a" * 5000]
    dates = ["9999-12-31", "0001-01-01", "2025-02-30", "2025-13-01", "1e9", "２０２５-01-01"]
    shapes: Counter[str] = Counter()
    fivexx: list[str] = []
    for _ in range(n):
        kind = rng.randrange(8)
        num, txt, day = rng.choice(numbers), rng.choice(texts), rng.choice(dates)
        if kind == 0:
            segment = rng.choice([num, txt, "450802 19800101 001X"])
            path = f"/api/v1/persons/{quote(segment, safe='')}"
            r = api.get(path)
        elif kind == 1:
            path = "/api/v1/payments"
            body = (f'{{"id_number": {json.dumps(txt)}, "coverage_year": {num or "0"}, '
                    f'"channel": "tax_hall", "channel_txn_id": "F", "amount": "4", '
                    f'"paid_at": "{day}"}}')
            r = api.post(path, content=body.encode("utf-8", "surrogatepass"),
                         headers={"Content-Type": "application/json"})
        elif kind == 2:
            path = "/api/v1/quote"
            r = anon.post(path, json={"region": "450802", "coverage_year": num,
                                      "payment_date": day, "covered_years": [2020] * 300})
        elif kind == 3:
            path = "/plan"
            r = anon.post(path, data={"region": "450802", "coverage_year": num,
                                      "payment_date": day, "birth_date": day})
        elif kind == 4:
            path = "/api/v1/persons"
            r = api.get(path, params={"name": txt, "page": num or "1", "per_page": num or "1"})
        elif kind == 5:
            path = "/api/v1/persons"
            r = api.post(path, content=b'{"name": "a", "name": "b", "id_number": "x"}',
                         headers={"Content-Type": "application/json"})
        elif kind == 6:
            path = f"/api/v1/reports/{quote(num or '0', safe='')}"
            r = api.get(path, params={"as_of": day})
        else:
            path = "/lookup"
            r = anon.post(path, data={"id_number": txt, "name": txt},
                          headers={"X-Forwarded-For": f"10.9.{rng.randrange(256)}.1"})
        if r.status_code >= 500:
            fivexx.append(f"{r.status_code} {path[:60]}")
        elif r.status_code >= 400:
            shapes["refused_in_shape" if _shaped(r, path) else "refused_other"] += 1
        else:
            shapes["accepted"] += 1
    api.close()
    anon.close()
    return {"requests": n, **shapes, "5xx": len(fivexx), "5xx_examples": fivexx[:5]}


def _freeze(base: str) -> dict[str, Any]:
    """Failure 1 last: a console payment with a huge ``coverage_year`` while health is
    asked; how long each took (a server that freezes is stopped by the harness)."""
    c, token = _console(base, "probe-clerk")
    out: dict[str, Any] = {}
    for name, year in (("freeze_30000000", "30000000"), ("freeze_400_digits", "9" * 400)):
        form = {"csrf_token": token, "id_number": _FREEZE[0], "coverage_year": year,
                "channel": "tax_hall", "channel_txn_id": "FREEZE", "amount": "400.00",
                "paid_at": "2024-11-20"}

        def hostile(form: dict[str, str] = form) -> tuple[int, float]:
            started = time.perf_counter()
            try:
                status = c.post("/clerk/payments/new", data=form, timeout=15).status_code
            except httpx.TimeoutException:
                status = 0
            return status, time.perf_counter() - started

        def health() -> float:
            time.sleep(0.05)
            started = time.perf_counter()
            try:
                httpx.get(f"{base}/api/v1/health", timeout=15)
            except httpx.TimeoutException:
                return 15.0
            return time.perf_counter() - started

        with ThreadPoolExecutor(max_workers=2) as pool:
            h, w = pool.submit(hostile), pool.submit(health)
            status, took = h.result()
            out[name] = {"status": status, "seconds": round(took, 3),
                         "health_seconds": round(w.result(), 3)}
        if status == 0:
            break  # the server no longer answers: stop here
    c.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--fuzz", type=int, default=3000)
    parser.add_argument("-o", "--output", type=Path)
    args = parser.parse_args()
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    results = [probe(b, args.fuzz) for b in backends]
    text = json.dumps(results, ensure_ascii=False, indent=2)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
