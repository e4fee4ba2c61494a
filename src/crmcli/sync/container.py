"""The file format of batches and snapshots: a header, framed payload, a checksum trailer.

    CRMSYNC1\\n
    {"kind": "batch", "replica": …, "seq": …, "encrypted": true, …}\\n   (header, JSON)
    [4-byte length][frame] …  [0000]                                    (payload frames)
    [32 bytes: SHA-256 of everything above]

A file whose trailer does not match is incomplete (a sync tool still copying it) and is
read again next time. With a team key each frame is sealed with AES-256-GCM; the header and
the frame's position are its associated data, so a frame cannot be altered, reordered,
dropped or moved to another file without the tag failing: such a file is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

MAGIC = b"CRMSYNC1\n"
FRAME = 4 * 1024 * 1024  # plaintext bytes per frame: bounded memory for any snapshot size
DIGEST = 32
KEY_PREFIX = "crmkey-"


class Incomplete(Exception):
    """The file is not complete yet (or was damaged in transit)."""


class Refused(Exception):
    """The file is complete but cannot be trusted (tampered, foreign key, unencrypted)."""


class NeedsKey(Exception):
    """The file is encrypted and this replica has no team key."""


@dataclass(frozen=True)
class TeamKey:
    """A 256-bit team key; ``key_id`` names it without revealing it."""

    secret: bytes

    @property
    def key_id(self) -> str:
        return hashlib.sha256(b"crmcli team key id\0" + self.secret).hexdigest()[:16]

    @property
    def text(self) -> str:
        import base64

        return KEY_PREFIX + base64.urlsafe_b64encode(self.secret).decode().rstrip("=")

    @classmethod
    def generate(cls) -> TeamKey:
        return cls(secrets.token_bytes(32))

    @classmethod
    def parse(cls, text: str) -> TeamKey | None:
        """The key a person pasted, or None if it is not one."""
        import base64
        import binascii

        raw = text.strip()
        if not raw.startswith(KEY_PREFIX):
            return None
        body = raw[len(KEY_PREFIX) :]
        try:
            secret = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError):
            return None
        return cls(secret) if len(secret) == 32 else None


def _aad(header_line: bytes, index: int, last: bool) -> bytes:
    return hashlib.sha256(header_line).digest() + struct.pack(">Q?", index, last)


def write(
    stream: IO[bytes],
    header: dict[str, Any],
    chunks: Iterator[bytes],
    *,
    key: TeamKey | None,
    codec: str | None = "zlib",
) -> None:
    """Write a container to ``stream`` (header fields for encryption are added here).

    ``codec`` compresses each frame: "zlib" (small batches) or "zstd" (snapshots, where
    decompression speed is what a joining rep waits for).
    """
    header = dict(header)
    header["compression"] = codec
    squeeze = _compressor(codec)
    cipher = None
    prefix = b""
    if key is not None:
        # deferred: cryptography costs ~40 ms to import, paid only by encrypted teams
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        cipher = AESGCM(key.secret)
        prefix = secrets.token_bytes(4)
        header.update(encrypted=True, key_id=key.key_id, nonce=prefix.hex())
    else:
        header["encrypted"] = False
    digest = hashlib.sha256()

    def put(data: bytes) -> None:
        digest.update(data)
        stream.write(data)

    header_line = json.dumps(header, sort_keys=True).encode() + b"\n"
    put(MAGIC)
    put(header_line)
    index = 0
    pending = next(chunks, None)
    while pending is not None:
        following = next(chunks, None)
        data = squeeze(pending)
        if cipher is not None:
            nonce = prefix + struct.pack(">Q", index)
            data = cipher.encrypt(nonce, data, _aad(header_line, index, following is None))
        put(struct.pack(">I", len(data)))
        put(data)
        index += 1
        pending = following
    put(struct.pack(">I", 0))
    stream.write(digest.digest())


def read_header(stream: IO[bytes]) -> tuple[dict[str, Any], bytes]:
    """The header of a container (and its raw line); Incomplete if it is not there yet."""
    if stream.read(len(MAGIC)) != MAGIC:
        raise Incomplete("not a crm sync file (yet)")
    line = stream.readline(1 << 16)
    if not line.endswith(b"\n"):
        raise Incomplete("the header is incomplete")
    try:
        header = json.loads(line)
    except ValueError as exc:
        raise Incomplete("the header is damaged") from exc
    if not isinstance(header, dict):
        raise Incomplete("the header is damaged")
    return header, line


def read(
    stream: IO[bytes], *, key: TeamKey | None, size: int
) -> tuple[dict[str, Any], Iterator[bytes]]:
    """Open a container: its header, and an iterator over its plaintext chunks.

    The iterator checks the trailer when it ends (Incomplete if it does not match) and each
    encrypted frame as it goes (Refused if one fails). Callers must drain it before trusting
    what it gave.
    """
    if size < len(MAGIC) + DIGEST + 4:
        raise Incomplete("the file is too short")
    header, line = read_header(stream)
    encrypted = bool(header.get("encrypted"))
    if encrypted and key is None:
        raise NeedsKey("the file is encrypted with a team key")
    if encrypted and key is not None and header.get("key_id") != key.key_id:
        raise Refused("encrypted with another team's key")
    if not encrypted and key is not None:
        raise Refused("not encrypted, in a folder whose team encrypts")
    return header, _frames(stream, header, line, key if encrypted else None, size)


def _frames(
    stream: IO[bytes], header: dict[str, Any], line: bytes, key: TeamKey | None, size: int
) -> Iterator[bytes]:
    digest = hashlib.sha256(MAGIC + line)
    consumed = len(MAGIC) + len(line)
    cipher = None
    prefix = b""
    if key is not None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # see write()

        cipher = AESGCM(key.secret)
        prefix = bytes.fromhex(str(header.get("nonce", "")))
    compressed = _decompressor(header.get("compression"))
    held: bytes | None = None
    index = 0
    while True:
        raw_len = stream.read(4)
        if len(raw_len) < 4:
            raise Incomplete("the file ends early")
        digest.update(raw_len)
        (length,) = struct.unpack(">I", raw_len)
        consumed += 4 + length
        if length == 0:
            break
        if consumed + DIGEST > size:
            raise Incomplete("the file ends early")
        data = stream.read(length)
        if len(data) < length:
            raise Incomplete("the file ends early")
        digest.update(data)
        # hold one frame back: whether it is the last one is part of its associated data
        if held is not None:
            yield _open(held, cipher, prefix, line, index, False, compressed)
            index += 1
        held = data
    if consumed + DIGEST != size:
        # a terminator before the end: zeros of a preallocated file still being copied
        raise Incomplete("the file is still being written")
    last = None if held is None else _open(held, cipher, prefix, line, index, True, compressed)
    if stream.read(DIGEST) != digest.digest():
        if cipher is not None:
            raise Refused("its checksum was altered")
        raise Incomplete("the checksum does not match (still being copied?)")
    if last is not None:
        yield last


def _compressor(codec: str | None) -> Any:
    if codec == "zstd":
        import zstandard  # deferred: only snapshots use it

        return zstandard.ZstdCompressor(level=1).compress
    if codec == "zlib":
        return lambda data: zlib.compress(data, 6)
    return lambda data: data


def _decompressor(codec: Any) -> Any:
    if codec == "zstd":
        import zstandard  # deferred: only snapshots use it

        reader = zstandard.ZstdDecompressor()
        return lambda data: reader.decompress(data, max_output_size=FRAME)
    if codec == "zlib":
        return zlib.decompress
    if codec is None:
        return None
    raise Refused(f"it uses a compression this crmcli does not know ({codec})")


def _open(
    data: bytes, cipher: Any, prefix: bytes, line: bytes, index: int, last: bool, compressed: Any
) -> bytes:
    if cipher is not None:
        from cryptography.exceptions import InvalidTag

        try:
            data = cipher.decrypt(prefix + struct.pack(">Q", index), data, _aad(line, index, last))
        except InvalidTag as exc:
            raise Refused("it fails authentication: tampered, or not from this team") from exc
    if compressed is not None:
        try:
            data = compressed(data)
        except Exception as exc:  # zlib.error, zstandard.ZstdError: a damaged frame
            raise Refused("its payload is damaged") from exc
    return data


def chunked(data: bytes) -> Iterator[bytes]:
    for start in range(0, max(len(data), 1), FRAME):
        yield data[start : start + FRAME]


def fsync_dir(path: os.PathLike[str] | str) -> None:
    """Make a rename durable (no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some network filesystems
        pass
    finally:
        os.close(fd)
