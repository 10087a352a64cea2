"""China's statistical divisions (NBS 2023 scheme): lookup by code and by name.

The data ship as ``kg/data/divisions.tsv.gz`` (built by ``scripts/build_divisions.py``)
with two tab-separated sections, laid out so loading is a handful of C-level splits
rather than a Python loop over 660,000 rows (about 0.3 s):

* ``# divisions``: ``code  level  name  parent  short_forms`` for provinces, cities,
  counties and towns (placeholder cities such as 市辖区 are dropped: their counties
  hang off the province; the parent of a province is empty; short forms, comma-separated,
  are those of ``short_forms`` at build time);
* ``# variants``: ``variant  name``, official names as the pipeline's conversion to
  Simplified script rewrites them (鲘门镇 for 鮜门镇), so such text still finds them;
* ``# villages``: ``name  codes`` (space-separated, sorted); a village's parent is its
  town, whose code is the village code with the last three digits zeroed.

Codes are always the 12-digit form (``441224106208``). Names are canonical: village
committees are written as the news writes them (旺兰村委会 → 旺兰村, 多福巷社区居委会 →
多福巷社区).
"""

from __future__ import annotations

import gzip
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

DATA_FILE = "divisions.tsv.gz"
DIVISIONS_HEADER = "# divisions"
VARIANTS_HEADER = "# variants"
CANDIDATE_CACHE_SIZE = 16384
VILLAGES_HEADER = "# villages"

LEVEL_DIGITS = {"province": 2, "city": 4, "county": 6, "town": 9, "village": 12}
"""Leading code digits that identify a division of each level: its code's prefix that every
division inside it shares (440000000000 → 44, 441403000000 → 441403)."""

ETHNIC_GROUPS = (
    "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡",
    "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬",
    "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安",
    "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
)
"""China's minority nationalities, to cut 乳源瑶族自治县 down to 乳源."""

_ETHNIC = "|".join(sorted(ETHNIC_GROUPS, key=len, reverse=True))
_AUTONOMOUS = re.compile(rf"^(.{{2,}}?)(?:(?:{_ETHNIC})族|维吾尔)+(?:自治[区州县旗]|乡|镇|苏木)$")
_ADMIN_SUFFIX = re.compile(r"(?:特别行政区|自治区|街道办事处|街道|办事处|新区|地区|省|市|县|区|旗|盟|镇|乡)$")
_TOWN_LOOKING_END = tuple("镇乡街")
"""A short form ending in one of these reads as a different town (东镇街道 ↛ 东镇)."""


def short_forms(name: str, level: str) -> list[str]:
    """The shorter names news uses for a division: 梅县区→梅县, 乳源瑶族自治县→乳源, 松口镇→松口.

    Villages have none (the news writes them in full), and forms of one character or
    forms that look like another division (东镇街道 → 东镇) are never produced.
    """
    if level == "village":
        return []
    autonomous = _AUTONOMOUS.match(name)
    stem = autonomous.group(1) if autonomous else _ADMIN_SUFFIX.sub("", name)
    if stem == name or len(stem) < 2 or stem.endswith(_TOWN_LOOKING_END):
        return []
    return [stem]


@dataclass(frozen=True, slots=True)
class DivisionRecord:
    """One division: 12-digit code, level, canonical name and the code of its parent ("" for a province)."""

    code: str
    level: str
    name: str
    parent: str


def village_parent(code: str) -> str:
    """A village's town: the village code with its last three digits zeroed."""
    return code[:9] + "000"


class Divisions:
    """All divisions, indexed by code, by canonical name and by short form.

    Villages (620,000) stay as their sorted ``name  codes`` lines and are found by
    binary search: building a dict of them would cost more than the rest of the load.
    """

    def __init__(self, rows: dict[str, tuple[str, str, str]], short_names: dict[str, list[str]],
                 variants: dict[str, str], village_lines: list[str]) -> None:
        self._rows = rows
        """Code → (level, name, parent) above village level; records are made on demand."""
        self._records: dict[str, DivisionRecord] = {}
        self._by_short = short_names
        self._variants = variants
        self._village_lines = village_lines
        self._village_names: dict[str, str] | None = None
        self._candidates = lru_cache(maxsize=CANDIDATE_CACHE_SIZE)(self._lookup)
        self._by_name: dict[str, list[str]] = {}
        for code, (_, name, _) in rows.items():
            self._by_name.setdefault(name, []).append(code)

    @classmethod
    @cache
    def load(cls) -> Divisions:
        """The shipped division list, read once per process."""
        data = gzip.decompress((resources.files("kg") / "data" / DATA_FILE).read_bytes())
        divisions_start = data.index(DIVISIONS_HEADER.encode()) + len(DIVISIONS_HEADER) + 1
        variants_header = data.index(f"\n{VARIANTS_HEADER}\n".encode(), divisions_start)
        villages_header = data.index(f"\n{VILLAGES_HEADER}\n".encode(), variants_header)
        rows = data[divisions_start:variants_header].decode("utf-8").replace("\n", "\t").split("\t")
        variant_fields = data[variants_header + len(VARIANTS_HEADER) + 2:villages_header].decode("utf-8")
        variants = dict(line.split("\t") for line in variant_fields.splitlines())
        codes, levels, names, parents, shorts = (rows[i::5] for i in range(5))
        division_rows = dict(zip(codes, zip(levels, names, parents)))
        short_names: dict[str, list[str]] = {}
        for code, forms in zip(codes, shorts):
            for short in forms.split(",") if forms else ():
                short_names.setdefault(short, []).append(code)
        villages_start = villages_header + len(VILLAGES_HEADER.encode()) + 2
        village_lines = data[villages_start:-1].decode("utf-8").split("\n")
        return cls(division_rows, short_names, variants, village_lines)

    def get(self, code: str) -> DivisionRecord | None:
        """The division with this 12-digit code, or None."""
        if code in self._rows:
            return self._record(code)
        name = self._village_index().get(code) if code[9:] not in ("", "000") else None
        return DivisionRecord(code, "village", name, village_parent(code)) if name else None

    def ancestors(self, code: str) -> list[DivisionRecord]:
        """The divisions containing ``code``, nearest first, up to the province."""
        row = self._rows.get(code)
        parent = row[2] if row is not None else village_parent(code)
        chain = []
        while parent in self._rows:
            record = self._record(parent)
            chain.append(record)
            parent = record.parent
        return chain

    def official_name(self, name: str) -> str:
        """The official name behind a Simplified-script rewrite of it (鲘门镇 → 鮜门镇), else ``name``."""
        return self._variants.get(name, name)

    def variants(self) -> dict[str, str]:
        """Simplified-script rewrite → official name."""
        return self._variants

    def candidates(self, name: str) -> tuple[DivisionRecord, ...]:
        """Every division called ``name``, by canonical name (or its Simplified-script rewrite)
        or accepted short form (cached: the same names come up again and again)."""
        return self._candidates(self.official_name(name))

    def _lookup(self, name: str) -> tuple[DivisionRecord, ...]:
        codes = self._by_name.get(name, []) + self._by_short.get(name, [])
        villages = (DivisionRecord(code, "village", name, village_parent(code)) for code in self.village_codes(name))
        return (*(self._record(code) for code in codes), *villages)

    def village_codes(self, name: str) -> list[str]:
        """The codes of the villages called ``name`` (canonical name: 旺兰村, 多福巷社区)."""
        key = name + "\t"
        lines = self._village_lines
        index = bisect_left(lines, key)
        if index < len(lines) and lines[index].startswith(key):
            return lines[index][len(key):].split(" ")
        return []

    def is_village(self, name: str) -> bool:
        """Whether some village is called ``name`` (or its Simplified-script rewrite)."""
        key = self.official_name(name) + "\t"
        index = bisect_left(self._village_lines, key)
        return index < len(self._village_lines) and self._village_lines[index].startswith(key)

    def short_form_names(self) -> dict[str, list[str]]:
        """Short form → codes of the divisions it may stand for."""
        return self._by_short

    def full_names(self) -> dict[str, list[str]]:
        """Canonical name → codes, for provinces, cities, counties and towns."""
        return self._by_name

    def _record(self, code: str) -> DivisionRecord:
        """The record of a division above village level, made once."""
        record = self._records.get(code)
        if record is None:
            record = self._records[code] = DivisionRecord(code, *self._rows[code])
        return record

    def _village_index(self) -> dict[str, str]:
        """Village code → name, built on first use (village codes are rarely looked up)."""
        if self._village_names is None:
            self._village_names = {}
            for line in self._village_lines:
                name, codes = line.split("\t")
                self._village_names.update(dict.fromkeys(codes.split(" "), name))
        return self._village_names
