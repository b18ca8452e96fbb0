# sf_tb.py: readers and checks for the cocotb testbench of a semifreddo design.
#
# Hand-written, the same for every design (`semifreddo generate` copies it into tb/ verbatim);
# the generated test_<top>.py holds what is specific to one design. Everything here follows
# the documented formats, not the tool's own harness:
#   configuration image   docs/config.md, "Text format"
#   register map          regmap.json (docs/rtl.md, "Register map")
#   frozen-weight hash    <P>_FROZEN_SHA256 in <p>_regs.h (docs/integration.md, step 2)
#   golden outputs        `semifreddo golden --json` (values in HWC order, channel fastest)
#   input images          binary PPM/PGM/PAM (P6/P5/P7) or 8-bit grey/RGB PNG, as `golden`
# Needs only the Python standard library.

import json
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

# ID register value, "SFRD" (docs/integration.md, step 2).
MAGIC = 0x53465244


class TbError(Exception):
    """A wrong or inconsistent input file: the message names the file and what is wrong."""


# ---- configuration image -------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    """One line of a configuration image: read-and-check (`R`) or write (`W`)."""

    op: str
    addr: int
    value: int
    line: int


@dataclass(frozen=True)
class ConfigImage:
    model: str
    top: str
    accesses: list


def read_config_image(path):
    """Parses the text format of docs/config.md: `R|W <addr> <value>` in hex, `#` comments."""
    path = Path(path)
    model = top = ""
    accesses = []
    for n, raw in enumerate(path.read_text().splitlines(), start=1):
        m = re.match(r'#\s*model\s+"(.*)"\s+for\s+(\S+)', raw)
        if m:
            model, top = m.group(1), m.group(2)
        words = raw.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) != 3 or words[0] not in ("R", "W"):
            raise TbError(f"{path}:{n}: expected `R|W <addr> <value>`, found `{raw.strip()}`")
        try:
            addr, value = int(words[1], 16), int(words[2], 16)
        except ValueError:
            raise TbError(f"{path}:{n}: expected hexadecimal numbers, found `{raw.strip()}`")
        accesses.append(Access(words[0], addr, value, n))
    if not accesses:
        raise TbError(f"{path}: no accesses (is it a `semifreddo config` image?)")
    return ConfigImage(model, top, accesses)


# ---- generated folder: register map, C header, manifest ------------------------------------


class RegMap:
    """regmap.json: register arrays by name, with offset, count, bits, sign and reset."""

    def __init__(self, path):
        path = Path(path)
        try:
            data = json.loads(path.read_text())
            self.addr_bits = data["addr_bits"]
            self.arrays = {a["name"]: a for a in data["arrays"]}
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise TbError(f"{path}: not a semifreddo register map ({e})")
        self.path = path

    def addr(self, name):
        if name not in self.arrays:
            raise TbError(f"{self.path}: no register {name}")
        return self.arrays[name]["offset"]

    def reset(self, name):
        return self.arrays[name]["reset"][0]

    def spans(self):
        """(first byte, end byte) of every array."""
        for a in self.arrays.values():
            yield a["offset"], a["offset"] + 4 * a["count"]

    def name_of(self, addr):
        """`NAME[i]` of the array element at byte address `addr`."""
        for a in self.arrays.values():
            if a["offset"] <= addr < a["offset"] + 4 * a["count"]:
                return f"{a['name']}[{(addr - a['offset']) // 4}]"
        return "unmapped"


def read_header_hash(path):
    """The `<P>_FROZEN_SHA256` string of the register map's C header."""
    path = Path(path)
    m = re.search(r'#define\s+\w+_FROZEN_SHA256\s+"([0-9a-f]{64})"', path.read_text())
    if not m:
        raise TbError(f"{path}: no <P>_FROZEN_SHA256 definition")
    return m.group(1)


def read_manifest(path):
    path = Path(path)
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise TbError(f"{path}: cannot read the manifest ({e})")


# ---- golden outputs ------------------------------------------------------------------------


def read_golden(path, heads):
    """`semifreddo golden --json` output: {head name: values}, checked against the design's
    heads (name, pooling and number of values per frame)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
        by_name = {h["name"]: h for h in data["heads"]}
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise TbError(f"{path}: not a `semifreddo golden --json` file ({e})")
    values = {}
    for head in heads:
        g = by_name.get(head.name)
        if g is None:
            raise TbError(f"{path}: no {head.name}; the golden outputs are of another model")
        if g["pooled"] != head.pooled or len(g["values"]) != head.beats_per_frame:
            raise TbError(
                f"{path}: {head.name} has {len(g['values'])} values (pooled {g['pooled']}), "
                f"the design's {head.port} sends {head.beats_per_frame} per frame "
                f"(pooled {head.pooled}); the golden outputs are of another model"
            )
        values[head.name] = list(g["values"])
    return data.get("model", ""), data.get("image", ""), values


# ---- input images --------------------------------------------------------------------------


def read_image(path):
    """(height, width, channels, bytes in raster order, channel fastest)."""
    path = Path(path)
    data = path.read_bytes()
    if data[:2] in (b"P5", b"P6"):
        return _read_pnm(path, data)
    if data[:3] == b"P7\n":
        return _read_pam(path, data)
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return _read_png(path, data)
    raise TbError(f"{path}: not a binary PPM/PGM/PAM (P6/P5/P7) or PNG file")


def _read_pnm(path, data):
    fields, pos = [], 2
    while len(fields) < 3:
        m = re.compile(rb"(\s|#[^\n]*\n)*(\d+)").match(data, pos)
        if not m:
            raise TbError(f"{path}: malformed PNM header")
        fields.append(int(m.group(2)))
        pos = m.end()
    w, h, maxval = fields
    if maxval != 255:
        raise TbError(f"{path}: expected 8-bit samples (maxval 255), found maxval {maxval}")
    c = 3 if data[:2] == b"P6" else 1
    pixels = data[pos + 1 : pos + 1 + w * h * c]
    if len(pixels) != w * h * c:
        raise TbError(f"{path}: {len(pixels)} pixel bytes, expected {w * h * c}")
    return h, w, c, pixels


def _read_pam(path, data):
    """PAM: `KEY value` lines (WIDTH, HEIGHT, DEPTH, MAXVAL, TUPLTYPE, # comments) to ENDHDR."""
    end = data.find(b"\nENDHDR\n")
    if end < 0:
        raise TbError(f"{path}: PAM header without ENDHDR")
    fields = {}
    for line in data[3:end].decode("ascii", "replace").splitlines():
        words = line.split()
        if words and not words[0].startswith("#"):
            fields[words[0]] = words[1] if len(words) > 1 else ""
    try:
        w, h, c, maxval = (int(fields[k]) for k in ("WIDTH", "HEIGHT", "DEPTH", "MAXVAL"))
    except (KeyError, ValueError):
        raise TbError(f"{path}: PAM header needs numeric WIDTH, HEIGHT, DEPTH and MAXVAL")
    if maxval != 255:
        raise TbError(f"{path}: expected 8-bit samples (MAXVAL 255), found {maxval}")
    pixels = data[end + 8 : end + 8 + w * h * c]
    if len(pixels) != w * h * c:
        raise TbError(f"{path}: {len(pixels)} pixel bytes, expected {w * h * c}")
    return h, w, c, pixels


def _read_png(path, data):
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    if header is None:
        raise TbError(f"{path}: PNG without IHDR")
    w, h, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (0, 2) or interlace:
        raise TbError(
            f"{path}: expected an 8-bit grey or RGB PNG, not interlaced; found bit depth "
            f"{depth}, colour type {colour}, interlace {interlace} (convert it to a PPM)"
        )
    c = 3 if colour == 2 else 1
    return h, w, c, _png_unfilter(zlib.decompress(idat), w * c, h, c)


def _png_unfilter(raw, stride, h, bpp):
    out, prev = bytearray(), bytearray(stride)
    for r in range(h):
        start = r * (stride + 1)
        kind, row = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            a = row[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                row[i] = (row[i] + a) & 0xFF
            elif kind == 2:
                row[i] = (row[i] + b) & 0xFF
            elif kind == 3:
                row[i] = (row[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                row[i] = (row[i] + pred) & 0xFF
        out += row
        prev = row
    return bytes(out)


# ---- comparing head outputs ----------------------------------------------------------------


def signed16(v):
    return v - 0x10000 if v & 0x8000 else v


@dataclass(frozen=True)
class Head:
    """One model head as the design streams it (filled in by the generated test)."""

    name: str
    port: str
    source: str
    outputs: int
    pooled: bool
    # Output feature-map size (rows, columns); 1 x 1 with pooling.
    rows: int
    cols: int

    @property
    def beats_per_frame(self):
        return self.outputs if self.pooled else self.outputs * self.rows * self.cols

    def describe(self):
        per = "frame" if self.pooled else "pixel"
        return f"{self.name} ({self.source}, {self.outputs} outputs per {per})"

    def position(self, beat):
        """Where beat k of a frame sits: 'pooled' or 'pixel (row r, col c)', and its channel."""
        pixel, channel = divmod(beat, self.outputs)
        if self.pooled:
            return "pooled", channel
        row, col = divmod(pixel, self.cols)
        return f"pixel (row {row}, col {col})", channel


def frame_problems(head, frame_index, beats, tuser, expected):
    """Every difference between one received frame of a head and its golden values, framing
    included, as readable lines (empty when the frame is exact). `beats` are the raw 16-bit
    tdata values of the frame up to its tlast; `expected` None skips the value comparison
    (a malformed frame, whose padded contents have no golden values here)."""
    problems = []
    if len(beats) != head.beats_per_frame:
        problems.append(
            f"{head.name}: frame {frame_index}: {len(beats)} beats up to tlast, "
            f"expected {head.beats_per_frame}"
        )
    if tuser and (tuser[0] != 1 or any(tuser[1:])):
        problems.append(f"{head.name}: frame {frame_index}: tuser must mark the first beat only")
    if expected is not None:
        for k, (found, want) in enumerate(zip((signed16(b) for b in beats), expected)):
            if found != want:
                where, channel = head.position(k)
                problems.append(
                    f"{head.name}: frame {frame_index}, {where}, channel {channel}: "
                    f"expected {want}, found {found}"
                )
    return problems
