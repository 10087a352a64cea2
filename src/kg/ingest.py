"""Read news articles from files: text, HTML, Markdown and JSON Lines.

Every reader ends in the same place: article text with the headline on the
first line, followed by byline and body lines, and metadata (publisher,
authors, editors, date) parsed from the byline lines that this genre of
Chinese county news puts at the top or bottom of an article. The text is
handed to the NLP stage and offsets into it are published, so apart from
dropping page furniture (返回顶部, 分享到 …) and normalising line ends it is
kept exactly as read.
"""

from __future__ import annotations

import datetime
import glob
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import charset_normalizer
import trafilatura

from kg.nlp.text import to_simplified
from kg.resources import longest_first, word_rows, word_table

ARTICLE_SUFFIXES = (".txt", ".html", ".htm", ".md", ".jsonl")
HTML_SUFFIXES = (".html", ".htm")

CJK = "\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ebef"
"""CJK unified ideographs (the basic block and extensions A to F)."""

HEADER_LINES = 6
"""Non-empty lines after the headline searched for a byline; bylines sit right under the headline."""
FOOTER_LINES = 3
"""Last non-empty lines searched for a byline; editors (and some bylines) close the article."""

GB_ENCODINGS = {"gb2312", "gbk", "gb18030"}
PLAUSIBLE_TEXT_SHARE = 0.9
"""Share of characters that must be CJK, ASCII or CJK punctuation for a guessed decoding to count."""


class IngestError(Exception):
    """A file cannot be read as articles; ``str(e)`` is one user-facing line naming the file."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        super().__init__(f"{self.path}: {problem}")


@dataclass
class Article:
    """One news article: the text handed to NLP and the metadata read from its byline."""

    id: str
    text: str
    source: str
    headline: str | None
    publisher: str | None
    authors: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    date: str | None = None
    url: str | None = None


# --- finding and decoding files ------------------------------------------------


def find_article_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files given directly, plus article files found recursively in folders given, sorted.

    Hidden files and folders (``.git``, ``.ipynb_checkpoints``) inside a folder are skipped.
    """
    return [file for file, _ in find_article_sources(paths)]


def find_article_sources(paths: Iterable[str | Path]) -> list[tuple[Path, Path | None]]:
    """Each article file with the folder it was found in (None for a file given directly), sorted by file.

    A path that does not exist but holds ``*``, ``?`` or ``[`` is a glob pattern (e.g. a shared
    folder of ``*.jsonl`` feeds); its files count as found in the pattern's fixed leading folder.
    The folder decides the article id (see :func:`article_id`).
    """
    found: dict[Path, Path | None] = {}
    for given in paths:
        path = Path(given)
        if path.is_file():
            found.setdefault(path, None)
        elif path.is_dir():
            in_folder = [
                file
                for file in path.rglob("*")
                if file.is_file()
                and file.suffix.lower() in ARTICLE_SUFFIXES
                and not any(part.startswith(".") for part in file.relative_to(path).parts)
            ]
            if not in_folder:
                raise IngestError(path, f"folder holds no article files ({', '.join('*' + s for s in ARTICLE_SUFFIXES)}); check the path")
            for file in in_folder:
                found[file] = path
        elif _GLOB_CHARS.search(str(given)):
            matches = sorted(Path(m) for m in glob.glob(str(given), recursive=True) if Path(m).is_file())
            if not matches:
                raise IngestError(path, "the pattern matches no files; check the path")
            fixed = list(itertools.takewhile(lambda part: not _GLOB_CHARS.search(part), path.parts))
            root = Path(*fixed) if fixed else Path(".")
            for file in matches:
                found.setdefault(file, root)
        else:
            raise IngestError(path, "no such file or folder; check the path")
    return sorted(found.items())


_GLOB_CHARS = re.compile(r"[*?\[]")


def article_id(path: Path, root: Path | None) -> str:
    """The id of the article in ``path``: its path relative to ``root`` without the suffix
    (``site/a/index`` for ``root/site/a/index.html``), or its stem for a file given alone.

    Ids keep the folders, so ``a/index.txt`` and ``b/index.txt`` are two articles.
    """
    relative = path.relative_to(root) if root is not None and path.is_relative_to(root) else Path(path.name)
    return "/".join(make_id(part) for part in relative.with_suffix("").parts)


def _is_plausible_text(text: str) -> bool:
    """True when nearly all characters are CJK, ASCII or CJK/full-width punctuation.

    A wrong guess at a legacy encoding yields rare ideographs, Hangul, Latin-1
    symbols or control characters; a right one yields ordinary Chinese text.
    """
    ordinary = re.findall(
        rf"[\t\n\r\x20-\x7e{CJK}\u3000-\u303f\uff00-\uffef\u2010-\u206f\u00b7\u00a0\ufeff]", text
    )
    return len(ordinary) >= PLAUSIBLE_TEXT_SHARE * len(text)


def decode_text(data: bytes, path: str | Path) -> str:
    """Decode UTF-8 (with or without BOM), GB18030/GBK or Big5 bytes; reject binary data.

    Strict UTF-8 is tried first because it almost never decodes anything else
    by accident; otherwise charset-normalizer's candidates are tried in order,
    reading any GB-family guess as GB18030 (the superset of GB2312 and GBK).
    """
    undecodable = IngestError(path, "binary or undecodable file (expected UTF-8, GB18030 or Big5 text)")
    if b"\x00" in data:
        raise undecodable
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for match in charset_normalizer.from_bytes(data):
        encoding = "gb18030" if GB_ENCODINGS & set(match.could_be_from_charset) else match.encoding
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _is_plausible_text(text):
            return text.removeprefix("\ufeff")
    raise undecodable


def _read_bytes(path: Path, max_article_bytes: int) -> bytes:
    """The file's bytes, refusing files over the size limit before reading them."""
    try:
        size = path.stat().st_size
        if size > max_article_bytes:
            raise IngestError(
                path, f"file is {size:,} bytes, over the {max_article_bytes:,}-byte limit for one article; split it or raise the limit"
            )
        return path.read_bytes()
    except OSError as error:
        raise IngestError(path, f"cannot read file ({error.strerror or error}); check the path and its permissions") from error


# --- reading each kind of file -----------------------------------------------


def read_articles(path: Path, max_article_bytes: int = 5_000_000, root: Path | None = None) -> Iterator[Article]:
    """The articles in one file: one for text, HTML and Markdown, one per line for JSON Lines.

    ``root`` is the folder the file was found in; ids are paths relative to it (see :func:`article_id`).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from _read_jsonl(path, max_article_bytes, article_id(path, root))
        return
    text = decode_text(_read_bytes(path, max_article_bytes), path)
    if not text.strip():
        raise IngestError(path, "file is empty; remove it or add the article text")
    this_id = article_id(path, root)
    if suffix in HTML_SUFFIXES:
        yield _article_from_html(text, id=this_id, source=str(path))
    elif suffix == ".md":
        yield parse_article(strip_markdown(text), id=this_id, source=str(path))
    else:
        yield parse_article(text, id=this_id, source=str(path))


def _article_from_html(html: str, *, id: str, source: str) -> Article:
    """Main text and metadata of a web page via trafilatura, then the usual byline parsing.

    Trafilatura drops the byline under the headline (来源:… 作者:…) as boilerplate
    and ignores author names without a space, i.e. all Chinese ones, so the byline
    is recovered from the page's plain text and kept as the article's second line.
    """
    page = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=True)
    if page is None or not (page.text or "").strip():
        raise IngestError(source, "no article text found in the HTML page; save the article page itself, not an index or frame")
    byline = _page_byline(html, page.title, page.text)
    return _article_with_metadata(
        f"{byline}\n{page.text}" if byline else page.text,
        id=id,
        source=source,
        headline=page.title,
        publisher=page.sitename,
        authors=page.author,
        date=page.date,
        url=page.url,
    )


BYLINE_MAX_CHARS = 200
"""Longest text between headline and body still taken for a byline on a web page."""


def _page_byline(html: str, headline: str | None, body: str) -> str | None:
    """The byline between the headline and the first body line in the page's plain text, if it has one."""
    if not headline:
        return None
    page_text = " ".join(trafilatura.html2txt(html).split())
    body_start = page_text.find(" ".join(_first_line(body).split()))
    headline_start = page_text.rfind(" ".join(headline.split()), 0, max(body_start, 0))
    if body_start < 0 or headline_start < 0:
        return None
    between = page_text[headline_start + len(headline): body_start]
    byline = _FURNITURE_WORD.split(between, maxsplit=1)[0].strip()
    if len(byline) > BYLINE_MAX_CHARS or not _BYLINE_LABEL.search(to_simplified(byline)):
        return None
    return byline


def _read_jsonl(path: Path, max_article_bytes: int, file_id: str) -> Iterator[Article]:
    """One article per JSON object line; blank lines are skipped, a bad line stops with its number."""
    try:
        with path.open("rb") as lines:
            yielded = False
            for line_no, raw in enumerate(lines, start=1):
                if not raw.strip():
                    continue
                if len(raw) > max_article_bytes:
                    raise IngestError(
                        path,
                        f"line {line_no} is {len(raw):,} bytes, over the {max_article_bytes:,}-byte limit for one article; split it or raise the limit",
                    )
                yield _article_from_record(raw, path, line_no, file_id)
                yielded = True
    except OSError as error:
        raise IngestError(path, f"cannot read file ({error.strerror or error}); check the path and its permissions") from error
    if not yielded:
        raise IngestError(path, "file is empty; remove it or add one JSON object per line")


def _article_from_record(raw: bytes, path: Path, line_no: int, file_id: str) -> Article:
    """An article from one JSON Lines record with a required "text" and optional metadata keys.

    Its id is the record's "id", else its "url" (without the scheme), else the file's id and
    the line number.
    """
    where = f"line {line_no}"
    if b"\x00" in raw:
        raise IngestError(path, f"{where}: binary or undecodable file (expected UTF-8 JSON Lines)")
    try:
        record = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise IngestError(path, f"{where} is not UTF-8; save the file as UTF-8") from error
    except json.JSONDecodeError as error:
        raise IngestError(path, f"{where} is not valid JSON ({error.msg}); fix or remove that line") from error
    if not isinstance(record, dict) or not isinstance(record.get("text"), str) or not record["text"].strip():
        raise IngestError(path, f'{where} has no "text"; each line must be a JSON object with the article in "text"')
    return _article_with_metadata(
        record["text"],
        id=_record_id(record, file_id, line_no),
        source=f"{path}:{line_no}",
        headline=_string_field(record, "title", "headline"),
        publisher=_string_field(record, "publisher", "source"),
        authors=record.get("author") or record.get("authors"),
        date=_string_field(record, "date"),
        url=_string_field(record, "url"),
    )


def _record_id(record: dict, file_id: str, line_no: int) -> str:
    if record.get("id") not in (None, ""):
        return make_id(str(record["id"]))
    url = _string_field(record, "url")
    if url:
        parts = [make_id(part) for part in re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", url).split("/")]
        return "/".join(part for part in parts if part) or "article"
    return f"{file_id}-{line_no}"


def _string_field(record: dict, *keys: str) -> str | None:
    """The first of ``keys`` holding a non-empty string, stripped."""
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _article_with_metadata(
    text: str,
    *,
    id: str,
    source: str,
    headline: str | None,
    publisher: str | None,
    authors: str | list[str] | None,
    date: str | None,
    url: str | None,
) -> Article:
    """Parse ``text`` as an article and fill what its byline lacks from metadata found elsewhere.

    The given headline is put on the first line when the text does not start
    with it. The byline wins over the other metadata: it is what the article
    itself says, while page metadata is often the site's, not the article's.
    """
    headline = " ".join(headline.split()) if headline else None
    if headline and _first_line(text) != headline:
        text = f"{headline}\n{text}"
    article = parse_article(text, id=id, source=source)
    if isinstance(authors, str):
        authors = [authors]
    article.publisher = article.publisher or _publisher_name(publisher or "")
    article.authors = article.authors or _names(" ".join(str(name) for name in authors or []))
    article.date = article.date or _iso_date(date or "")
    article.url = url
    return article


def _first_line(text: str) -> str:
    """The first non-empty line, stripped."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


# --- Markdown ------------------------------------------------------------------

_MARKDOWN_MARKUP = [
    (re.compile(r"^\s{0,3}#{1,6}\s+|\s+#+\s*$", re.MULTILINE), ""),  # ATX headings
    (re.compile(r"^\s{0,3}>\s?", re.MULTILINE), ""),  # block quotes
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links keep their text
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # strong emphasis
    (re.compile(r"(?<!\*)\*(?![\s*])(.+?)(?<![\s*])\*(?!\*)"), r"\1"),  # emphasis
]


def strip_markdown(text: str) -> str:
    """Remove the Markdown markup news exports use (headings, emphasis, links, quotes), keeping the words."""
    for pattern, replacement in _MARKDOWN_MARKUP:
        text = pattern.sub(replacement, text)
    return text


# --- plain text and its byline ---------------------------------------------------

_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
"""Zero-width and direction-control characters: invisible on the page, but inside a name they make
a second, invisibly different entity (百千万\u200b工程) or hide a person from every rule."""


_INSERTED_PINYIN = re.compile(r"(?<=[\u4e00-\u9fff])\((?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}\)")
"""A tone-marked pinyin reading in parentheses right after a character, which some mirror sites
insert into Traditional text (優(yōu)勢): page debris that splits words, dropped on reading."""


def clean_text(text: str) -> str:
    """Line ends normalised to \\n and invisible characters removed; everything visible is kept."""
    return _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


FURNITURE_WORDS = "返回顶部|返回首页|精彩推荐|旗下栏目|分享到|分享至|扫一扫|打印本页|关闭窗口|上一篇|下一篇|上一条|下一条|相关阅读|相关新闻|相关链接|字号|字体|浏览次数|访问次数"
"""Words that start website navigation lines; 责任编辑 lines are not furniture, editors are read from them."""
_FURNITURE = re.compile(rf"^[•·]?\s*(?:[【\[(]?(?:{FURNITURE_WORDS})|[【\[](?:打印|关闭|收藏)[】\]])")
_FURNITURE_WORD = re.compile(rf"[【\[(]?(?:{FURNITURE_WORDS})")
FURNITURE_MAX_CHARS = 20
"""A line starting with a furniture word is dropped when this short or when a colon follows the word."""


def _is_furniture(line: str) -> bool:
    """True for website navigation lines (返回顶部, 上一篇:…, 分享到) that are not part of the article."""
    stripped = line.strip()
    match = _FURNITURE.match(stripped)
    return bool(match) and (len(stripped) <= FURNITURE_MAX_CHARS or stripped[match.end():][:1] in (":", ":"))


_ROLE_OF_LABEL = word_table("byline_labels")
"""Byline label → what its value names: author, editor, publisher, date, or other (other labels only
end the value before them). The one list of byline labels, shared with the NLP rules; Simplified
only, as lines are matched in Simplified form."""
_LABELS = "|".join(map(re.escape, longest_first(tuple(_ROLE_OF_LABEL))))
_BARE_LABELS = "|".join(map(re.escape, longest_first(tuple(row[0] for row in word_rows("byline_labels") if "bare" in row[2:]))))

_BYLINE_LABEL = re.compile(
    # a label followed by a colon, slash or space, not in the middle of a word ...
    rf"(?:(?<![{CJK}])|(?<=[讯电]))(?P<label>{_LABELS})(?:\s*[::/]\s*|\s+)"
    # ... or a label that may be glued to the name, as in (记者何思琪) or 讯 记者何思琪
    rf"|(?<=[((\s/讯电])(?P<bare>{_BARE_LABELS})(?=[{CJK}])"
)
_VALUE_END = re.compile(r"[|\uff5c()\uff08\uff09\[\]【】]|\s{2,}")
_NAME = re.compile(rf"[{CJK}]{{2,4}}")
_NAME_SEPARATORS = re.compile(r"[、,,;;\s]+")
_LEAD_BRACKET = re.compile(r"^【([^】]{2,12})】")
_LEAD_OUTLET = re.compile(rf"^[{CJK}A-Za-z0-9]{{2,12}}$")
NOT_PUBLISHERS = {"本报", "本网", "本站", "原创", "网络", "互联网", "编者按", "导读", "摘要", "提要"}
DATE_LINE_MAX_CHARS = 80
"""Outside a date label (发表时间:…) a date is read only from lines this short: bylines, not body paragraphs."""
_DATE = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")


def parse_article(text: str, *, id: str, source: str) -> Article:
    """An article from plain text: headline from the first line, metadata from the byline lines.

    Byline lines are looked for among the first lines after the headline and
    the last lines of the article; a line counts as one only if it carries a
    byline label (作者:, 文/, 记者 …, 编辑:, 来源:) or is a bare date.
    """
    text = _INSERTED_PINYIN.sub("", clean_text(text))
    text = "\n".join(line for line in text.split("\n") if not _is_furniture(line)).strip()
    if not text:
        raise IngestError(source, "no article text; the file holds only whitespace or page furniture")
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    headline, body = lines[0], lines[1:]
    header = body[:HEADER_LINES]
    footer = body[HEADER_LINES:][-FOOTER_LINES:]
    fields = _Byline()
    for line in header:
        fields.read_line(line, in_header=True)
    for line in footer:
        fields.read_line(line, in_header=False)
    return Article(
        id=id,
        text=text,
        source=source,
        headline=headline,
        publisher=fields.publisher,
        authors=fields.authors,
        editors=fields.editors,
        date=fields.date,
    )


@dataclass
class _Byline:
    """Metadata gathered line by line; the first publisher and date found win, names accumulate."""

    publisher: str | None = None
    authors: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    date: str | None = None

    def read_line(self, line: str, *, in_header: bool) -> None:
        """Take what a byline line says; a short line without labels may still give the date."""
        if len(line) <= DATE_LINE_MAX_CHARS:
            self.date = self.date or _iso_date(line)
        labels = list(_BYLINE_LABEL.finditer(to_simplified(line)))  # same length: offsets hold in ``line``
        if not labels:
            return
        ends = [label.start() for label in labels[1:]] + [len(line)]
        values = [_VALUE_END.split(line[label.end(): end], maxsplit=1)[0].strip() for label, end in zip(labels, ends)]
        for index in range(len(values) - 2, -1, -1):
            values[index] = values[index] or values[index + 1]  # 文/图 李明: both labels share the name
        for label, value in zip(labels, values):
            role = _ROLE_OF_LABEL[label["label"] or label["bare"]]
            if role == "author":
                _add_new(self.authors, _names(value))
            elif role == "editor":
                _add_new(self.editors, _names(value))
            elif role == "publisher":
                self.publisher = self.publisher or _publisher_name(value.split()[0] if value else "")
            elif role == "date":
                self.date = self.date or _iso_date(value)
        if in_header:
            self.publisher = self.publisher or _lead_publisher(line[: labels[0].start()])


def _lead_publisher(lead: str) -> str | None:
    """The outlet named before a byline: 【信宜融媒】记者/… or 金羊网  作者:…; 阳春讯(… names a place."""
    bracketed = _LEAD_BRACKET.match(lead)
    lead = bracketed[1] if bracketed else lead.strip(" ((【[")
    if not _LEAD_OUTLET.match(lead) or lead.endswith(("讯", "电")):
        return None
    return _publisher_name(lead)


def _publisher_name(value: str) -> str | None:
    """``value`` as an outlet name, or None for empty values and non-names such as 本报 or 原创."""
    value = value.strip()
    return value if value and value not in NOT_PUBLISHERS else None


def _names(value: str) -> list[str]:
    """Personal names in a byline value: 2–4 CJK characters each, separated by 、, commas or spaces."""
    tokens = (token.removesuffix("报道") for token in _NAME_SEPARATORS.split(value))
    return [token for token in tokens if _NAME.fullmatch(token) and to_simplified(token) not in _ROLE_OF_LABEL]


def _add_new(names: list[str], new: list[str]) -> None:
    """Append names not yet listed, keeping byline order."""
    names.extend(name for name in new if name not in names)


def _iso_date(value: str) -> str | None:
    """The first real calendar date in ``value`` (2024-10-25, 2024/10/25, 2024年10月25日) as yyyy-mm-dd."""
    for match in _DATE.finditer(value):
        try:
            return datetime.date(*(int(part) for part in match.groups())).isoformat()
        except ValueError:
            continue
    return None


def make_id(name: str) -> str:
    """A stable article id from a file stem or record id: only ASCII letters, digits, ``_.-`` and CJK kept."""
    return re.sub(rf"[^A-Za-z0-9_.\-{CJK}]", "", name) or "article"
