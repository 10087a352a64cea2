"""China's statistical divisions (NBS 2023 scheme): lookup by code and by name.

The data ship as ``kg/data/divisions.tsv.gz`` (built by ``scripts/build_divisions.py``)
with two tab-separated sections, laid out so loading is a handful of C-level splits
rather than a Python loop over 660,000 rows:

* ``# divisions``: ``code  level  name  parent  short_forms`` for provinces, cities,
  counties and towns (placeholder cities such as 市辖区 are dropped: their counties
  hang off the province; the parent of a province is empty; short forms, comma-separated,
  are those of ``short_forms`` at build time);
* ``# villages``: ``name  codes`` (space-separated, sorted); a village's parent is its
  town, whose code is the village code with the last three digits zeroed.

Codes are always the 12-digit form (``441224106208``). Names are canonical: village
committees are written as the news writes them (旺兰村委会 → 旺兰村, 多福巷社区居委会 →
多福巷社区).
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

LEVELS = ("province", "city", "county", "town", "village")
DATA_FILE = "divisions.tsv.gz"
DIVISIONS_HEADER = "# divisions"
VILLAGES_HEADER = "# villages"

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
    """All divisions, indexed by code, by canonical name and by short form."""

    def __init__(self, records: dict[str, DivisionRecord], short_names: dict[str, list[str]],
                 villages: dict[str, str]) -> None:
        self._records = records
        self._by_short = short_names
        self._villages = villages
        self._village_names: dict[str, str] | None = None
        self._by_name: dict[str, list[str]] = {}
        for record in records.values():
            self._by_name.setdefault(record.name, []).append(record.code)

    @classmethod
    @cache
    def load(cls) -> Divisions:
        """The shipped division list, read once per process."""
        data = resources.files("kg") / "data"
        text = gzip.decompress((data / DATA_FILE).read_bytes()).decode("utf-8")
        divisions_start = text.index(DIVISIONS_HEADER) + len(DIVISIONS_HEADER) + 1
        villages_header = text.index(f"\n{VILLAGES_HEADER}\n", divisions_start)
        rows = text[divisions_start:villages_header].replace("\n", "\t").split("\t")
        codes, levels, names, parents, shorts = (rows[i::5] for i in range(5))
        records = dict(zip(codes, map(DivisionRecord, codes, levels, names, parents)))
        short_names: dict[str, list[str]] = {}
        for code, forms in zip(codes, shorts):
            for short in forms.split(",") if forms else ():
                short_names.setdefault(short, []).append(code)
        villages_start = villages_header + len(VILLAGES_HEADER) + 2
        fields = text[villages_start:len(text) - 1].replace("\n", "\t").split("\t")
        villages = dict(zip(fields[0::2], fields[1::2]))
        return cls(records, short_names, villages)

    def get(self, code: str) -> DivisionRecord | None:
        """The division with this 12-digit code, or None."""
        record = self._records.get(code)
        if record is not None or code[9:] in ("", "000"):
            return record
        name = self._village_index().get(code)
        return DivisionRecord(code, "village", name, village_parent(code)) if name else None

    def ancestors(self, code: str) -> list[DivisionRecord]:
        """The divisions containing ``code``, nearest first, up to the province."""
        record = self._records.get(code)
        parent = record.parent if record is not None else village_parent(code)
        chain = []
        while parent in self._records:
            record = self._records[parent]
            chain.append(record)
            parent = record.parent
        return chain

    def candidates(self, name: str) -> list[DivisionRecord]:
        """Every division called ``name``, by canonical name or accepted short form."""
        codes = self._by_name.get(name, []) + self._by_short.get(name, [])
        found = [self._records[code] for code in codes]
        village_codes = self._villages.get(name)
        if village_codes:
            found += [DivisionRecord(code, "village", name, village_parent(code))
                      for code in village_codes.split(" ")]
        return found

    def is_full_name(self, name: str) -> bool:
        """Whether ``name`` is the canonical name of some division."""
        return name in self._by_name or name in self._villages

    def short_form_names(self) -> dict[str, list[str]]:
        """Short form → codes of the divisions it may stand for."""
        return self._by_short

    def full_names(self) -> dict[str, list[str]]:
        """Canonical name → codes, for provinces, cities, counties and towns."""
        return self._by_name

    def village_names(self) -> dict[str, str]:
        """Village canonical name → its codes, space-separated."""
        return self._villages

    def _village_index(self) -> dict[str, str]:
        """Village code → name, built on first use (village codes are rarely looked up)."""
        if self._village_names is None:
            self._village_names = {code: name for name, codes in self._villages.items()
                                   for code in codes.split(" ")}
        return self._village_names
