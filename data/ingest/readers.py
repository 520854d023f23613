"""Opening what other systems export: UTF-8 with or without BOM or Windows-1252, comma, semicolon or tab
separated CSV (quoted newlines kept), JSON arrays streamed record by record, JSON Lines, and a byte
counter for progress bars, so a file of any size is read in constant memory.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

SAMPLE_BYTES = 1 << 20
JSON_CHUNK = 1 << 16
Progress = Callable[[int], None]  # called with the bytes read so far


class FileUnreadableError(ValueError):
    """The file as a whole cannot be read (missing, wrong format, missing columns): nothing was loaded."""


def header_key(name: str) -> str:
    """Compare headers as people mean them: 'Sensor ID', 'sensor_id' and ' sensor-id ' are one name."""
    return re.sub(r"[\s_\-]+", "_", name.replace("\ufeff", "").strip().lower())


def detect_encoding(path: Path) -> str:
    with open(path, "rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not just a character cut by the sample's end
            return "cp1252"
    return "utf-8-sig"


def sniff_delimiter(first_line: str) -> str:
    """The separator that splits the header into the most fields (Excel in Indonesia writes ';')."""
    counts = {d: len(next(csv.reader([first_line], delimiter=d))) for d in (",", ";", "\t", "|")}
    return max(counts, key=lambda d: (counts[d], d == ","))


class _CountingReader(io.RawIOBase):
    """Wraps a binary file and reports bytes read, so text streams can drive a progress bar."""

    def __init__(self, raw: IO[bytes], progress: Progress | None) -> None:
        self._raw = raw
        self._progress = progress
        self.done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001 - a writable buffer
        n = self._raw.readinto(buffer)
        self.done += n or 0
        if self._progress:
            self._progress(self.done)
        return n or 0

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_text(path: Path, progress: Progress | None = None) -> IO[str]:
    """Open a file as text in its detected encoding; `progress` hears how many bytes were read."""
    path = Path(path)
    if not path.is_file():
        raise FileUnreadableError(f"{path}: no such file")
    encoding = detect_encoding(path)
    raw = io.BufferedReader(_CountingReader(open(path, "rb"), progress), buffer_size=JSON_CHUNK)  # noqa: SIM115
    return io.TextIOWrapper(raw, encoding=encoding, newline="")


@dataclass
class CsvChunk:
    header: list[str]
    rows: list[list[str]]
    lines: list[int]  # the file line each row starts on (quoted newlines counted)


def iter_csv_chunks(path: Path, size: int = 50_000, progress: Progress | None = None) -> Iterator[CsvChunk]:
    """Rows of a CSV in chunks, with the header and each row's line number; blank rows are skipped."""
    with open_text(path, progress) as fh:
        try:
            first = fh.readline()
        except UnicodeDecodeError as exc:
            raise FileUnreadableError(f"{path}: not UTF-8 or Windows-1252 text ({exc.reason})") from exc
        if not first.strip():
            raise FileUnreadableError(f"{path}: the file is empty (no header row)")
        delimiter = sniff_delimiter(first.rstrip("\r\n"))
        header = [h.replace("\ufeff", "").strip() for h in next(csv.reader([first], delimiter=delimiter))]
        reader = csv.reader(fh, delimiter=delimiter)
        line = 1  # the last line consumed so far
        while True:
            try:
                rows = list(itertools.islice(reader, size))
            except (UnicodeDecodeError, csv.Error) as exc:
                raise FileUnreadableError(f"{path}, near line {reader.line_num + 2}: {exc}") from exc
            if not rows:
                return
            lines = _start_lines(rows, line, reader.line_num + 1)
            line = reader.line_num + 1
            keep = [i for i, r in enumerate(rows) if not r or (len(r) == 1 and not r[0].strip())]
            if keep:  # blank rows: drop them and their line numbers
                blank = set(keep)
                rows = [r for i, r in enumerate(rows) if i not in blank]
                lines = [n for i, n in enumerate(lines) if i not in blank]
            if rows:
                yield CsvChunk(header, rows, lines)


def _start_lines(rows: list[list[str]], before: int, last: int) -> list[int]:
    """The line each row starts on; cheap when no cell holds a newline, counted when some do."""
    if last - before == len(rows):
        return list(range(before + 1, last + 1))
    lines, at = [], before + 1
    for row in rows:
        lines.append(at)
        at += 1 + sum(cell.count("\n") for cell in row)
    return lines


def csv_records(path: Path, size: int = 5_000, progress: Progress | None = None) -> Iterator[tuple[int, dict]]:
    """Each CSV row as (line, {header: value}); short rows get None, extra cells are kept under '_extra'."""
    for chunk in iter_csv_chunks(path, size, progress):
        width = len(chunk.header)
        for line, row in zip(chunk.lines, chunk.rows, strict=True):
            record = dict(zip(chunk.header, row + [None] * (width - len(row)), strict=False))
            if len(row) > width:
                record["_extra"] = row[width:]
            yield line, record


def _skip_space(buf: str, pos: int) -> int:
    while pos < len(buf) and buf[pos] in " \t\r\n,":
        pos += 1
    return pos


def iter_json_array(fh: IO[str]) -> Iterator[object]:
    """Yield the items of a top-level JSON array one by one, holding one item in memory at a time."""
    decoder = json.JSONDecoder()
    buf = fh.read(JSON_CHUNK).lstrip("\ufeff \t\r\n")
    if not buf.startswith("["):
        raise FileUnreadableError("expected a JSON array")
    pos = 1
    while True:
        pos = _skip_space(buf, pos)
        if pos < len(buf) and buf[pos] == "]":
            return
        try:
            item, end = decoder.raw_decode(buf, pos)
        except json.JSONDecodeError as exc:
            more = fh.read(JSON_CHUNK)
            if not more:
                raise FileUnreadableError(f"broken JSON near character {exc.pos}: {exc.msg}") from exc
            buf = buf[pos:] + more
            pos = 0
            continue
        if end == len(buf):  # a number may continue in the next chunk
            more = fh.read(JSON_CHUNK)
            if more:
                buf = buf[pos:] + more
                pos = 0
                continue
        yield item
        pos = end
        if pos > JSON_CHUNK:
            buf, pos = buf[pos:], 0


def json_records(path: Path, progress: Progress | None = None) -> Iterator[tuple[str, object]]:
    """Top-level items of a JSON file as (location, item): an array is streamed, JSON Lines read line by
    line, a single object yielded whole."""
    path = Path(path)
    if not path.is_file():
        raise FileUnreadableError(f"{path}: no such file")
    with open(path, "rb") as raw:
        head = raw.read(4096).decode(detect_encoding(path), errors="ignore")
    start = head.lstrip("\ufeff \t\r\n")[:1]
    with open_text(path, progress) as fh:
        if start == "[":
            for i, item in enumerate(iter_json_array(fh)):
                yield f"[{i}]", item
            return
        if start != "{":
            raise FileUnreadableError(f"{path}: not JSON (it starts with {head[:20]!r})")
        text_lines = head.lstrip("\ufeff \t\r\n").splitlines()
        if len(text_lines) > 1 and _is_json(text_lines[0]):
            for number, line in enumerate(fh, start=1):
                if line.strip():
                    try:
                        yield f"line {number}", json.loads(line)
                    except json.JSONDecodeError as exc:
                        yield f"line {number}", _Broken(f"broken JSON: {exc.msg}", line)
            return
        try:
            yield "document", json.loads(fh.read().lstrip("\ufeff"))
        except json.JSONDecodeError as exc:
            raise FileUnreadableError(f"{path}: broken JSON at line {exc.lineno}: {exc.msg}") from exc


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return False
    return True


@dataclass
class _Broken:
    """A JSON Lines record that did not parse; the caller rejects it with this reason."""

    reason: str
    text: str


Broken = _Broken
