"""Uploaded sheets, parsed once, kept on the server between the preview and the commit.

Why here and not elsewhere: sending the rows back through the browser (hidden fields) would mean trusting, and
re-checking, whatever comes back; asking for a second upload is friction and lets the committed file differ from
the previewed one; a blob column would change the models for data that lives a few minutes.

How: the file is parsed once, at upload, and the parsed preview goes to `<COHORT_IMPORT_DIR>/<token>.preview.json`
(default: `instance/cohort-imports/`, mode 0600, written to a temporary name and renamed, so a reader never sees
half of it), with `<token>.json` beside it naming the uploading user, the school, the graduation year, the original
file name and the time. The preview page and the commit read the kept preview: parsing costs seconds of CPU, and a
page view must not. The uploaded bytes themselves are not kept (nothing reads them again). The token is 32 random
bytes (URL-safe base64) and is also added to the user's session. A commit is accepted only with a token that is in
the session, whose JSON names the same user and school, and which is less than an hour old; the files are then
deleted. Stale files are removed whenever someone uploads. Every web worker must see the same folder (one host,
or a shared volume).
"""

import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, session

from marketplace.cohorts.importer import Preview

MAX_AGE_SECONDS = 3600
SESSION_KEY = "cohort_imports"
MAX_PENDING_PER_SESSION = 5
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
PREVIEW = ".preview.json"


@dataclass(frozen=True)
class PendingUpload:
    token: str
    filename: str
    school_id: int
    user_id: int
    graduation_year: int
    created: float
    preview: Preview


def _folder() -> Path:
    folder = Path(current_app.config.get("COHORT_IMPORT_DIR") or Path(current_app.instance_path) / "cohort-imports")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _write(path: Path, content: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as fh:
        fh.write(content)


def clean_filename(filename: str) -> str:
    """Only the last path component, without control characters, at most 120 characters (extension kept)."""
    name = re.sub(r"[\x00-\x1f\x7f]", "", filename.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    stem, dot, extension = name.rpartition(".")
    return (stem[: 120 - len(extension) - 1] + dot + extension) if dot else name[:120]


def _write_atomically(path: Path, content: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    _write(partial, content)
    os.replace(partial, path)


def save(preview: Preview, *, filename: str, school_id: int, user_id: int, graduation_year: int) -> str:
    """Keep the parsed preview; the JSON naming the uploader is written last, so that `load` finds both or none."""
    purge_stale()
    token = secrets.token_urlsafe(32)
    folder = _folder()
    _write_atomically(folder / f"{token}{PREVIEW}", json.dumps(preview.to_dict(), ensure_ascii=False).encode())
    meta = {
        "filename": clean_filename(filename),
        "school_id": school_id,
        "user_id": user_id,
        "graduation_year": graduation_year,
        "created": time.time(),
    }
    _write_atomically(folder / f"{token}.json", json.dumps(meta).encode())
    session[SESSION_KEY] = [*session.get(SESSION_KEY, []), token][-MAX_PENDING_PER_SESSION:]
    return token


def load(token: str, *, school_id: int, user_id: int) -> PendingUpload | None:
    """The pending upload, if this session made it, for this user and school, within the hour."""
    if token not in session.get(SESSION_KEY, []):
        return None
    pending = read(token, school_id=school_id, user_id=user_id)
    if pending is None and _TOKEN.match(token) and not (_folder() / f"{token}.json").exists():
        discard(token)  # stale or removed: the session forgets it
    return pending


def read(token: str, *, school_id: int, user_id: int) -> PendingUpload | None:
    """The pending upload for this user and school within the hour, whatever the session: a background import reads
    it in the worker (on another machine, COHORT_IMPORT_DIR must be shared storage)."""
    if not _TOKEN.match(token):
        return None
    try:
        meta = json.loads((_folder() / f"{token}.json").read_text())
    except (OSError, ValueError):
        return None
    if meta.get("school_id") != school_id or meta.get("user_id") != user_id:
        return None
    if time.time() - meta.get("created", 0) > MAX_AGE_SECONDS:
        remove(token)
        return None
    try:
        preview = Preview.from_dict(json.loads((_folder() / f"{token}{PREVIEW}").read_bytes()))
    except (OSError, ValueError, KeyError, TypeError):  # removed as stale meanwhile, or not ours
        remove(token)
        return None
    return PendingUpload(token=token, preview=preview, **meta)


def discard(token: str) -> None:
    remove(token)
    session[SESSION_KEY] = [t for t in session.get(SESSION_KEY, []) if t != token]


def remove(token: str) -> None:
    """Delete the upload's files (the session forgets the token by itself when it no longer finds them)."""
    if not _TOKEN.match(token):
        return
    for suffix in (PREVIEW, ".json", ".bin"):  # .bin: uploads kept before previews were
        (_folder() / f"{token}{suffix}").unlink(missing_ok=True)


def purge_stale() -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in _folder().glob("*.*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            continue
