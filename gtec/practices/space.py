"""Secure exchange spaces: a space per group of partners, with members and roles, message threads and documents.

Security model (say it plainly to users): documents are encrypted **at rest on the server** (Fernet: AES-128-CBC
with HMAC-SHA256) with a key from the deployment's secrets (``GTEC_SPACE_KEY`` or ``[gtec] space_key``). This is
server-side encryption, **not end-to-end**: whoever runs the server holds the key and can read the documents. It
protects a copied disk or backup, not against the operator. Without a key, uploads are refused.

Every read of a space and every download checks membership again, in the same transaction that writes the access
log row: a revoked member loses access at once, and a non-member calling :func:`download_document` with a
document id gets ``space.error.denied`` (the refusal is logged too). Files live under ``store_dir`` (the data
directory's ``space/`` folder, never a served folder), named by a random uid, never by the uploaded name.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gtec.core import auth
from gtec.core.errors import UserError
from gtec.core.text import clean
from gtec.practices import files
from gtec.storage.workspace import Connection, UniqueViolation, Workspace, name_key, now_iso

ROLES: tuple[str, ...] = ("owner", "member")
MAX_NAME = 120
MAX_MESSAGE = 4000
ENV_KEY = "GTEC_SPACE_KEY"


def resolve_key(environ: Mapping[str, str], secrets_gtec: Mapping[str, Any] | None = None) -> bytes | None:
    """The space key from the environment (``GTEC_SPACE_KEY``) or the ``[gtec] space_key`` secret, or None.

    Read once at the edge (components) and passed inward. A key is a Fernet key (32 bytes, URL-safe base64:
    ``python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"``).
    """
    value = environ.get(ENV_KEY) or (secrets_gtec or {}).get("space_key") or ""
    return str(value).strip().encode("ascii", "ignore") or None


def _cipher(key: bytes | None):  # -> cryptography.fernet.Fernet
    if not key:
        raise UserError("space.error.no_key")
    from cryptography.fernet import Fernet  # imported here: reading the library never needs it

    try:
        return Fernet(key)
    except (ValueError, TypeError):
        raise UserError("space.error.bad_key") from None


def account_of(actor: auth.Actor) -> str:
    """The account username of ``actor`` (its name is ``Display Name (username)`` or just ``username``)."""
    match = re.search(r"\(([^()]+)\)$", actor.name)
    return match.group(1) if match else actor.name


def create_space(ws: Workspace, actor: auth.Actor, name: str) -> int:
    """Create a space; its creator is its first owner."""
    name = clean(name).strip()
    if not name or len(name) > MAX_NAME:
        raise UserError("space.error.space_name", max=MAX_NAME)
    try:
        with ws.write(actor, "space.create", target=name) as conn:
            space_id = int(
                conn.scalar(
                    "INSERT INTO spaces(name, name_key, created_by, created_at) VALUES (?, ?, ?, ?) RETURNING id",
                    (name, name_key(name), actor.name, now_iso()),
                )
            )
            conn.execute(
                "INSERT INTO space_members(space_id, username, role, added_by, added_at) VALUES (?, ?, 'owner', ?, ?)",
                (space_id, account_of(actor), actor.name, now_iso()),
            )
    except UniqueViolation:
        raise UserError("space.error.space_taken") from None
    return space_id


def _role(conn: Connection, space_id: int, username: str) -> str | None:
    return conn.scalar(
        "SELECT role FROM space_members WHERE space_id = ? AND username = ? AND revoked_at IS NULL "
        "ORDER BY id DESC LIMIT 1",
        (space_id, username),
    )


def member_role(ws: Workspace, space_id: int, username: str) -> str | None:
    """The current role of ``username`` in the space (``owner``/``member``), or None (never or revoked)."""
    with ws.read() as conn:
        return _role(conn, space_id, username)


def add_member(ws: Workspace, actor: auth.Actor, space_id: int, username: str, role: str = "member") -> None:
    """Add (or re-add) a member; only an owner of the space or an admin may."""
    username = clean(username).strip()
    if not username or role not in ROLES:
        raise UserError("space.error.member")
    with ws.write(actor, "space.manage", target=str(space_id), detail={"add": username, "role": role}) as conn:
        if actor.role != "admin" and _role(conn, space_id, account_of(actor)) != "owner":
            raise UserError("space.error.not_owner")
        if _role(conn, space_id, username):
            raise UserError("space.error.already_member")
        conn.execute(
            "INSERT INTO space_members(space_id, username, role, added_by, added_at) VALUES (?, ?, ?, ?, ?)",
            (space_id, username, role, actor.name, now_iso()),
        )


def revoke_member(ws: Workspace, actor: auth.Actor, space_id: int, username: str) -> None:
    """Revoke a member: effective for the next read or download, which check membership each time."""
    with ws.write(actor, "space.manage", target=str(space_id), detail={"revoke": username}) as conn:
        if actor.role != "admin" and _role(conn, space_id, account_of(actor)) != "owner":
            raise UserError("space.error.not_owner")
        conn.execute(
            "UPDATE space_members SET revoked_at = ?, revoked_by = ? WHERE space_id = ? AND username = ? "
            "AND revoked_at IS NULL",
            (now_iso(), actor.name, space_id, username),
        )


def members(ws: Workspace, space_id: int) -> list[dict]:
    """Current members of a space (username, role, added_by, added_at)."""
    with ws.read() as conn:
        rows = conn.all(
            "SELECT username, role, added_by, added_at FROM space_members WHERE space_id = ? AND revoked_at IS NULL "
            "ORDER BY id",
            (space_id,),
        )
    return [dict(r) for r in rows]


def spaces_for(ws: Workspace, actor: auth.Actor) -> list[dict]:
    """The spaces ``actor`` is a current member of (admins see every space)."""
    with ws.read() as conn:
        if actor.role == "admin":
            rows = conn.all("SELECT id, name FROM spaces ORDER BY name_key")
        else:
            rows = conn.all(
                "SELECT DISTINCT s.id, s.name, s.name_key FROM spaces s JOIN space_members m ON m.space_id = s.id "
                "WHERE m.username = ? AND m.revoked_at IS NULL ORDER BY s.name_key",
                (account_of(actor),),
            )
    return [{"id": r["id"], "name": r["name"]} for r in rows]


def _log(conn: Connection, space_id: int, document_id: int | None, username: str, action: str) -> None:
    conn.execute(
        "INSERT INTO space_access_log(space_id, document_id, username, action, at) VALUES (?, ?, ?, ?, ?)",
        (space_id, document_id, username, action, now_iso()),
    )


def _allowed(conn: Connection, space_id: int, actor: auth.Actor) -> bool:
    # Admins manage spaces but read contents only as members, like everyone else.
    return _role(conn, space_id, account_of(actor)) is not None


def open_space(ws: Workspace, actor: auth.Actor, space_id: int) -> dict[str, Any]:
    """Messages and document list of a space, for a current member only (logged as ``read``)."""
    with ws.write(actor, "space.read", target=str(space_id), detail={"what": "space"}) as conn:
        ok = _allowed(conn, space_id, actor)
        _log(conn, space_id, None, account_of(actor), "read" if ok else "denied")
        if ok:
            messages = [
                dict(r)
                for r in conn.all(
                    "SELECT id, author, body, created_at FROM space_messages WHERE space_id = ? ORDER BY id",
                    (space_id,),
                )
            ]
            documents = [
                dict(r)
                for r in conn.all(
                    "SELECT id, name, mime, size, sha256, uploaded_by, uploaded_at FROM space_documents "
                    "WHERE space_id = ? ORDER BY id DESC",
                    (space_id,),
                )
            ]
    if not ok:
        raise UserError("space.error.denied")
    return {"messages": messages, "documents": documents}


def post_message(ws: Workspace, actor: auth.Actor, space_id: int, body: str) -> int:
    """Post a message in a space (members only)."""
    text = clean(body, keep_newlines=True).strip()
    if not text or len(text) > MAX_MESSAGE:
        raise UserError("space.error.message", max=MAX_MESSAGE)
    with ws.write(actor, "space.post", target=str(space_id)) as conn:
        if not _allowed(conn, space_id, actor):
            raise UserError("space.error.denied")
        return int(
            conn.scalar(
                "INSERT INTO space_messages(space_id, author, body, created_at) VALUES (?, ?, ?, ?) RETURNING id",
                (space_id, actor.name, text, now_iso()),
            )
        )


def document_path(store_dir: Path, uid: str) -> Path:
    """Where the encrypted bytes of a document live (named by its random uid only)."""
    return Path(store_dir) / uid[:2] / f"{uid}.bin"


def upload_document(
    ws: Workspace, actor: auth.Actor, space_id: int, name: str, data: bytes, *, store_dir: Path, key: bytes | None
) -> int:
    """Check, encrypt and store a document; returns its id. Refused (``space.error.*``) with nothing written
    when the key is missing, the actor is not a member or the file fails :func:`gtec.practices.files.check_upload`.

    The encrypted file is written to a temporary name and renamed inside the database transaction; if the
    transaction fails the file is removed, so no half-written document remains.
    """
    cipher = _cipher(key)
    checked = files.check_upload(name, data)
    digest = hashlib.sha256(data).hexdigest()
    uid = secrets.token_hex(16)
    path = document_path(store_dir, uid)
    tmp = path.with_suffix(".partial")
    try:
        with ws.write(
            actor, "space.upload", target=str(space_id), detail={"name": checked.name, "sha256": digest}
        ) as c:
            if not _allowed(c, space_id, actor):
                raise UserError("space.error.denied")
            doc_id = int(
                c.scalar(
                    "INSERT INTO space_documents(uid, space_id, name, kind, mime, size, sha256, inline_ok, "
                    "uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?) RETURNING id",
                    (uid, space_id, checked.name, checked.kind, checked.mime, len(data), digest, actor.name, now_iso()),
                )
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(cipher.encrypt(data))
            os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        raise
    return doc_id


def download_document(
    ws: Workspace, actor: auth.Actor, document_id: int, *, store_dir: Path, key: bytes | None
) -> tuple[dict[str, Any], bytes]:
    """``(metadata, bytes)`` of a document for a current member of its space, logged as ``download``.

    Membership is checked here, server-side, for this one document, whatever the page showed: a non-member or a
    revoked member gets ``space.error.denied`` (logged as ``denied``). The decrypted bytes are checked against
    the stored SHA-256 (``space.error.integrity``). Serve them as an attachment (``mime`` is for the header only).
    """
    cipher = _cipher(key)
    with ws.write(actor, "space.read", target=str(document_id), detail={"what": "document"}) as conn:
        row = conn.one("SELECT * FROM space_documents WHERE id = ?", (document_id,))
        ok = row is not None and _allowed(conn, row["space_id"], actor)
        _log(conn, row["space_id"] if row else 0, document_id, account_of(actor), "download" if ok else "denied")
    if not ok or row is None:
        raise UserError("space.error.denied")
    from cryptography.fernet import InvalidToken

    try:
        data = cipher.decrypt(document_path(store_dir, row["uid"]).read_bytes())
    except (OSError, InvalidToken):
        raise UserError("space.error.integrity") from None
    if hashlib.sha256(data).hexdigest() != row["sha256"]:
        raise UserError("space.error.integrity")
    return dict(row), data


def access_log(ws: Workspace, actor: auth.Actor, space_id: int, limit: int = 200) -> list[dict]:
    """Who read or downloaded what in a space, newest first: owners of the space and admins only."""
    with ws.read() as conn:
        if actor.role != "admin" and _role(conn, space_id, account_of(actor)) != "owner":
            raise UserError("space.error.not_owner")
        rows = conn.all(
            "SELECT l.at, l.username, l.action, d.name AS document FROM space_access_log l "
            "LEFT JOIN space_documents d ON d.id = l.document_id WHERE l.space_id = ? ORDER BY l.id DESC LIMIT ?",
            (space_id, limit),
        )
    return [dict(r) for r in rows]
