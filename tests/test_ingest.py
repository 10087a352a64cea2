"""How articles are read from files: encodings, formats, folders, and the byline of county news."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.ingest import Article, IngestError, find_article_files, parse_article, read_articles

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEV_SET = SHARED / "data" / "genre-dev"
SAMPLE = SHARED / "samples" / "meixian-2024-10-25.txt"

NEWS = (
    "龙门县推进农村人居环境整治\n"
    "记者:黄志明 通讯员:李晓燕\n"
    "近日,龙门县召开农村人居环境整治工作推进会,部署下一阶段重点任务。\n"
    "会议要求,各镇要压实责任,确保年底前完成村庄清洁行动。\n"
    "(责任编辑:陈丽华)\n"
)


def read_one(path: Path, **options: int) -> Article:
    """The single article a non-JSON-Lines file holds."""
    [article] = read_articles(path, **options)
    return article


# --- encodings -------------------------------------------------------------------


def test_utf8_with_bom_loses_the_bom_and_crlf_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + NEWS.replace("\n", "\r\n").encode("utf-8"))
    article = read_one(path)
    assert article.text == NEWS.strip()
    assert article.headline == "龙门县推进农村人居环境整治"


def test_gbk_file_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes(NEWS.encode("gbk"))
    article = read_one(path)
    assert article.text == NEWS.strip()
    assert article.authors == ["黄志明", "李晓燕"]


def test_gb18030_characters_beyond_gbk_survive(tmp_path: Path) -> None:
    """A GBK guess is read as GB18030, so four-byte characters such as 𠮷 are not lost."""
    text = NEWS.replace("近日", "近日,𠮷田村")
    path = tmp_path / "gb18030.txt"
    path.write_bytes(text.encode("gb18030"))
    assert "𠮷田村" in read_one(path).text


def test_big5_file_is_decoded(tmp_path: Path) -> None:
    text = "臺灣縣政府舉行記者會\n記者:陳志明\n縣長表示,將持續推動鄉村發展計畫,改善偏鄉交通與醫療。\n"
    path = tmp_path / "big5.txt"
    path.write_bytes(text.encode("big5"))
    article = read_one(path)
    assert article.text == text.strip()
    assert article.authors == ["陳志明"]


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), bytes(range(128, 256)) * 40],
    ids=["with-nul-bytes", "high-bytes-no-text"],
)
def test_binary_file_is_refused(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "picture.txt"
    path.write_bytes(data)
    with pytest.raises(IngestError) as caught:
        read_one(path)
    assert str(caught.value) == f"{path}: binary or undecodable file (expected UTF-8, GB18030 or Big5 text)"
    assert caught.value.path == str(path)


@pytest.mark.parametrize("content", ["", " \n\t\r\n "])
def test_empty_or_blank_file_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "blank.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(IngestError, match="empty"):
        read_one(path)


def test_file_over_the_size_limit_is_refused_naming_size_and_limit(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text(NEWS, encoding="utf-8")
    size = path.stat().st_size
    with pytest.raises(IngestError) as caught:
        read_one(path, max_article_bytes=100)
    assert str(caught.value).startswith(f"{path}: file is {size:,} bytes, over the 100-byte limit")
    assert read_one(path, max_article_bytes=size).text == NEWS.strip()


# --- HTML, Markdown, JSON Lines ------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="{charset}">
<title>平远县推进乡村道路提档升级_平远县人民政府门户网站</title>
<meta property="og:site_name" content="平远县人民政府门户网站">
<meta property="og:url" content="https://www.pingyuan.gov.cn/xwzx/2024/0315/1234.html">
</head><body>
<div class="nav"><a href="/">首页</a> | <a href="/xwzx/">新闻中心</a> | <a href="/zwgk/">政务公开</a></div>
<div class="crumb">当前位置:首页 &gt; 新闻中心 &gt; 本地新闻</div>
<div class="article">
<h1>平远县推进乡村道路提档升级</h1>
<div class="info">来源:平远县融媒体中心 作者:林晓峰 发布时间:2024-03-15 10:20 字号:大 中 小</div>
<div class="content">
<p>近日,平远县交通运输局组织施工队伍对仁居镇至差干镇的县道进行拓宽改造,预计年底前完工。</p>
<p>据介绍,该项目全长18公里,总投资约6500万元,建成后将缩短沿线村民的出行时间,带动乡村旅游发展。</p>
<p>“以前这段路坑坑洼洼,下雨天车都开不进来。”仁居镇邹坊村村民刘志强说。</p>
<p>(责任编辑:曾美玲)</p>
</div>
<div class="share">分享到:微信 微博 QQ空间</div>
<div class="tools"><a href="javascript:print()">【打印本页】</a> <a href="javascript:close()">【关闭窗口】</a></div>
<div class="pages">上一篇:平远县召开春耕备耕工作会议<br>下一篇:平远县开展植树节义务植树活动</div>
</div>
<div class="related"><h3>相关阅读</h3><ul><li><a href="/a.html">梅州市部署农村公路建设</a></li></ul></div>
<div class="footer">主办:平远县人民政府办公室 粤ICP备12345678号 <a href="#">返回顶部</a></div>
</body></html>
"""


@pytest.mark.parametrize("charset", ["utf-8", "gbk"])
def test_html_page_gives_article_text_and_metadata_without_furniture(tmp_path: Path, charset: str) -> None:
    path = tmp_path / "1234.html"
    path.write_bytes(PAGE.format(charset=charset).encode(charset))
    article = read_one(path)
    lines = article.text.split("\n")
    assert lines[0] == "平远县推进乡村道路提档升级"
    assert lines[1].startswith("来源:平远县融媒体中心 作者:林晓峰")
    assert "仁居镇邹坊村村民刘志强说" in article.text
    assert lines[-1] == "(责任编辑:曾美玲)"
    for furniture in ("首页", "分享到", "打印本页", "上一篇", "相关阅读", "返回顶部", "字号", "ICP"):
        assert furniture not in article.text
    assert article.headline == "平远县推进乡村道路提档升级"
    assert article.publisher == "平远县融媒体中心"  # the outlet, not the website
    assert article.authors == ["林晓峰"]
    assert article.editors == ["曾美玲"]
    assert article.date == "2024-03-15"
    assert article.url == "https://www.pingyuan.gov.cn/xwzx/2024/0315/1234.html"
    assert article.id == "1234"


def test_html_page_without_article_is_refused(tmp_path: Path) -> None:
    """E.g. a page whose article is rendered by JavaScript, saved before it ran."""
    path = tmp_path / "app.html"
    path.write_text(
        "<html><head><title>新闻</title></head><body><div id='app'></div><script src='app.js'></script></body></html>",
        encoding="utf-8",
    )
    with pytest.raises(IngestError, match="no article text"):
        read_one(path)


def test_markdown_markup_is_stripped_and_words_kept(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text(
        "# 蕉岭县召开富硒产业推进会\n\n**记者:钟文婷**\n\n会议提出要打造*区域公共品牌*,详见[通知](https://example.org/a)。\n",
        encoding="utf-8",
    )
    article = read_one(path)
    assert article.text == "蕉岭县召开富硒产业推进会\n\n记者:钟文婷\n\n会议提出要打造区域公共品牌,详见通知。"
    assert article.authors == ["钟文婷"]


def write_jsonl(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_yields_one_article_per_line_with_record_metadata(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "feed.jsonl",
        json.dumps(
            {
                "id": "xy/2024 04 12",
                "title": "信宜启动结对帮扶行动",
                "text": "【信宜融媒】记者/钟婉婷\n4月12日,信宜市举行启动仪式。",
                "date": "2024年4月12日",
                "url": "https://example.org/xy",
            },
            ensure_ascii=False,
        ),
        "",
        json.dumps({"text": "怀集县召开会议\n会议部署工作。", "author": ["何思琪", "本报记者"], "source": "怀集发布"}, ensure_ascii=False),
    )
    first, second = read_articles(path)
    assert (first.id, first.source) == ("xy20240412", f"{path}:1")
    assert first.text.split("\n")[0] == "信宜启动结对帮扶行动"  # the title becomes the first line
    assert (first.headline, first.publisher, first.authors) == ("信宜启动结对帮扶行动", "信宜融媒", ["钟婉婷"])
    assert (first.date, first.url) == ("2024-04-12", "https://example.org/xy")
    assert (second.id, second.source) == ("feed-3", f"{path}:3")
    assert (second.headline, second.publisher, second.authors) == ("怀集县召开会议", "怀集发布", ["何思琪"])


@pytest.mark.parametrize(
    "bad_line, problem",
    [("{not json", "not valid JSON"), ('{"title": "无正文"}', 'has no "text"'), ('["a list"]', 'has no "text"')],
)
def test_jsonl_bad_line_is_refused_naming_file_and_line(tmp_path: Path, bad_line: str, problem: str) -> None:
    path = write_jsonl(tmp_path / "feed.jsonl", json.dumps({"text": "标题\n正文。"}), bad_line)
    with pytest.raises(IngestError) as caught:
        list(read_articles(path))
    assert str(caught.value).startswith(f"{path}: line 2 ")
    assert problem in str(caught.value)


def test_jsonl_line_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "feed.jsonl", json.dumps({"text": "标题\n" + "正文。" * 50}))
    with pytest.raises(IngestError, match=r"line 1 is [\d,]+ bytes, over the 100-byte limit"):
        list(read_articles(path, max_article_bytes=100))


# --- finding files -----------------------------------------------------------------


def test_folders_are_searched_recursively_for_article_files_only(tmp_path: Path) -> None:
    for name in ["b.txt", "a/x.HTML", "a/deep/y.md", "a/z.jsonl", "a/w.htm", "notes.docx", "a/image.png", ".git/c.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    explicit = tmp_path / "notes.docx"
    found = find_article_files([tmp_path, explicit])
    assert found == sorted(
        [tmp_path / n for n in ["b.txt", "a/x.HTML", "a/deep/y.md", "a/z.jsonl", "a/w.htm"]] + [explicit]
    )


def test_folder_without_article_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "readme.pdf").write_bytes(b"%PDF")
    with pytest.raises(IngestError) as caught:
        find_article_files([tmp_path])
    assert caught.value.path == str(tmp_path)
    assert "no article files" in str(caught.value)


def test_missing_path_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.txt"
    with pytest.raises(IngestError) as caught:
        find_article_files([missing])
    assert str(caught.value) == f"{missing}: no such file or folder; check the path"


# --- byline parsing --------------------------------------------------------------------


def parse(*lines: str) -> Article:
    return parse_article("\n".join(lines), id="t", source="test")


@pytest.mark.parametrize(
    "byline, authors",
    [
        ("作者:欧阳志远、司马文涛、上官明辉", ["欧阳志远", "司马文涛", "上官明辉"]),
        ("文/何思琪 黎振宇 司徒敏", ["何思琪", "黎振宇", "司徒敏"]),
        ("文/本报记者 何思琪 通讯员 黎振宇", ["何思琪", "黎振宇"]),
        ("记者/钟婉婷 通讯员/陈国栋", ["钟婉婷", "陈国栋"]),
        ("记者:钟文婷", ["钟文婷"]),
        ("记者:钟文婷", ["钟文婷"]),
        ("阳春讯(记者 谭晓晴 通讯员 许家豪)6月18日,市委常委会召开会议。", ["谭晓晴", "许家豪"]),
        ("本报讯(记者何思琪 通讯员黎振宇)近日,县里召开会议。", ["何思琪", "黎振宇"]),
        ("文/图 李明", ["李明"]),
        ("作者:张伟(广州日报)", ["张伟"]),
    ],
)
def test_authors_are_read_from_byline_forms(byline: str, authors: list[str]) -> None:
    assert parse("标题", byline, "正文第一段。").authors == authors


def test_sentences_mentioning_reporters_name_no_author() -> None:
    assert parse("标题", "4月12日,启动仪式举行。记者从会上获悉,资金已到位。", "记者了解到,项目进展顺利。").authors == []


@pytest.mark.parametrize(
    "closing, editors",
    [
        ("(责任编辑:苏雅雯)", ["苏雅雯"]),
        ("(值班编辑:何嘉欣)", ["何嘉欣"]),
        ("编辑/刘嘉怡", ["刘嘉怡"]),
        ("编辑:邬嘉宏", ["邬嘉宏"]),
        ("来源:蕉岭县融媒体中心 | 记者:钟文婷 | 编审:黄思源", ["黄思源"]),
    ],
)
def test_editors_are_read_from_the_closing_lines(closing: str, editors: list[str]) -> None:
    body = [f"第{n}段正文。" for n in range(12)]
    assert parse("标题", *body, closing).editors == editors


@pytest.mark.parametrize(
    "byline, publisher",
    [
        ("来源:金羊网 作者:危健峰", "金羊网"),
        ("【信宜融媒】记者/钟婉婷", "信宜融媒"),
        ("金羊网  作者:危健峰、陈世明  2024-10-25", "金羊网"),
        ("阳春讯(记者 谭晓晴)6月18日,会议召开。", None),  # 讯 names a place, not an outlet
        ("本报讯 记者 何思琪", None),
        ("来源:本报 作者:何思琪", None),
    ],
)
def test_publisher_is_the_outlet_named_in_the_byline(byline: str, publisher: str | None) -> None:
    assert parse("标题", byline, "正文。").publisher == publisher


@pytest.mark.parametrize(
    "byline, date",
    [
        ("发表时间:2024-10-25 09:00", "2024-10-25"),
        ("2024年3月5日 来源:平远县融媒体中心", "2024-03-05"),
        ("2024/03/05", "2024-03-05"),
        ("发布时间:2024-13-40", None),  # not a calendar date
        (  # a body paragraph opening with a byline
            "阳春讯(记者 谭晓晴)6月18日,市委常委会召开会议,传达学习2024年10月1日起施行的《阳春市农村"
            "集体资产管理条例》有关精神,研究部署下一阶段重点工作。会议强调,各镇要压实责任,抓好落实。",
            None,
        ),
    ],
)
def test_date_is_read_from_byline_lines_as_iso(byline: str, date: str | None) -> None:
    assert parse("标题", byline, "正文。").date == date


def test_furniture_lines_are_dropped_but_editor_lines_kept() -> None:
    article = parse("标题", "正文。", "扫一扫在手机打开当前页", "(责任编辑:苏雅雯)", "上一篇:某某新闻标题", "【打印】【关闭】", "返回顶部",
                    "上一条:李某某到某某镇调研春耕工作 下一条:县里召开某某会议")
    assert article.text == "标题\n正文。\n(责任编辑:苏雅雯)"
    assert article.editors == ["苏雅雯"]


def test_body_line_starting_like_furniture_is_kept() -> None:
    line = "扫一扫二维码就能办理社保业务,群众办事更加方便快捷,受到广泛好评。"
    assert line in parse("标题", line).text


def test_headline_is_the_first_non_empty_line_and_text_keeps_inner_blank_lines() -> None:
    article = parse("", "  标题  ", "", "第一段。", "", "第二段。")
    assert article.headline == "标题"
    assert article.text == "标题  \n\n第一段。\n\n第二段。"


def test_file_stem_becomes_an_id_of_safe_characters(tmp_path: Path) -> None:
    path = tmp_path / "梅县 新闻(2024).txt"
    path.write_text(NEWS, encoding="utf-8")
    article = read_one(path)
    assert (article.id, article.source) == ("梅县新闻2024", str(path))


# --- the shared development data ---------------------------------------------------------

DEV_BYLINES = {
    "d01": (["何思琪", "黎振宇"], ["苏雅雯"], None),
    "d02": (["钟婉婷", "陈国栋"], ["刘嘉怡"], "信宜融媒"),
    "d03": (["钟文婷"], ["黄思源"], "蕉岭县融媒体中心"),
    "d04": (["谭晓晴", "许家豪"], ["何嘉欣"], None),
}


@pytest.mark.parametrize("article_id", sorted(DEV_BYLINES))
def test_dev_set_bylines(article_id: str) -> None:
    path = DEV_SET / f"{article_id}.json"
    if not path.exists():
        pytest.skip(f"{path} not present")
    record = json.loads(path.read_text(encoding="utf-8"))
    article = parse_article(record["text"], id=record["id"], source=str(path))
    assert (article.authors, article.editors, article.publisher) == DEV_BYLINES[article_id]
    assert article.text == record["text"]  # annotation offsets stay valid


def test_sample_article_byline() -> None:
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE} not present")
    article = read_one(SAMPLE)
    assert article.id == "meixian-2024-10-25"
    assert article.authors == ["危健峰", "陈世明", "萧潇", "陈震寰"]
    assert (article.publisher, article.date, article.editors) == ("金羊网", "2024-10-25", ["邬嘉宏"])
    assert article.headline == article.text.split("\n")[0]
    assert not article.text.endswith(("返回顶部", "精彩推荐"))


def test_pinyin_a_mirror_site_inserted_after_characters_is_dropped_but_other_brackets_stay() -> None:
    article = parse("標題", "南州優(yōu)勢資源推介會(GDP)簽約(a)活動,小鎮(zhèn)建設(shè)。")
    assert article.text == "標題\n南州優勢資源推介會(GDP)簽約(a)活動,小鎮建設。"
