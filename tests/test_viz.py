"""The explorer page in headless Chromium: self-contained, error-free and interactive."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import pyoxigraph
import pytest

from kg.network import RELATIONS, Filters, annotate_centrality, build_network
from kg.viz import PRECOMPUTED_LAYOUT_ABOVE, explorer_html, write_explorer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PERSON = "https://w3id.org/kgzh/id/person/张三"
RELATION = next(iri for iri, name in RELATIONS.items() if name == "位于")


def require_chromium() -> None:
    """Skip without Chromium on a developer machine; in CI (CI=true) its absence is a failure."""
    if Path(CHROMIUM).exists() and shutil.which(CHROMIUM):
        return
    message = f"{CHROMIUM} is missing (apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class LoadedPage:
    page: object
    console_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def js(self, expression: str) -> object:
        return self.page.evaluate(expression)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def sample_graph(explore_store_path: Path) -> nx.MultiDiGraph:
    store = pyoxigraph.Store.read_only(str(explore_store_path))
    return build_network(store, Filters())


@pytest.fixture(scope="module")
def explorer_file(explore_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = pyoxigraph.Store.read_only(str(explore_store_path))
    out = tmp_path_factory.mktemp("viz") / "explorer.html"
    summary = write_explorer(store, out)
    assert summary["nodes"] == 12
    return out


@pytest.fixture()
def loaded(browser: object, explorer_file: Path) -> Iterator[LoadedPage]:
    """The explorer opened from file://, every other request blocked and recorded."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    result = LoadedPage(page)

    def gate(route: object) -> None:
        url = route.request.url
        if url.startswith("file://") or url.startswith("http://127.0.0.1") or url.startswith("data:"):
            route.continue_()
        else:
            result.blocked.append(url)
            route.abort()

    page.route("**/*", gate)
    page.on("console", lambda message: message.type == "error" and result.console_errors.append(message.text))
    page.on("pageerror", lambda error: result.console_errors.append(str(error)))
    page.goto(explorer_file.as_uri())
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    yield result
    page.close()


def test_page_is_self_contained(explorer_file: Path) -> None:
    html = explorer_file.read_text(encoding="utf-8")
    assert "<script src" not in html and "<link rel=\"stylesheet\"" not in html
    assert "张三" in html  # UTF-8, not escaped


def test_loads_without_requests_or_errors(loaded: LoadedPage) -> None:
    assert loaded.blocked == []
    assert loaded.console_errors == []


def test_node_count_matches_graph(loaded: LoadedPage, sample_graph: nx.MultiDiGraph) -> None:
    assert loaded.js("window.kgExplorer.nodes.length") == sample_graph.number_of_nodes()
    assert loaded.js("window.kgExplorer.visibleNodeIds().length") == sample_graph.number_of_nodes()
    assert loaded.js("window.kgExplorer.edges.length") == sample_graph.number_of_edges()


def test_search_by_alias_focuses_the_node(loaded: LoadedPage) -> None:
    loaded.page.fill("#search", "张书记")
    loaded.page.press("#search", "Enter")
    assert loaded.js("window.kgExplorer.network.getSelectedNodes()") == [PERSON]
    centred = loaded.js(f"""(() => {{
        const view = window.kgExplorer.network.getViewPosition();
        const node = window.kgExplorer.network.getPosition({PERSON!r});
        return Math.hypot(view.x - node.x, view.y - node.y);
    }})()""")
    assert centred < 1
    assert "张三" in loaded.page.inner_text("#details")
    assert "县委书记张三主持召开会议。" in loaded.page.inner_text("#details")


def test_type_filter_hides_a_type(loaded: LoadedPage, sample_graph: nx.MultiDiGraph) -> None:
    people = [n for n, t in sample_graph.nodes(data="type") if t == "Person"]
    loaded.page.uncheck('#type-filters input[data-key="Person"]')
    visible = loaded.js("window.kgExplorer.visibleNodeIds()")
    assert not set(people) & set(visible)
    assert len(visible) == sample_graph.number_of_nodes() - len(people)
    loaded.page.check('#type-filters input[data-key="Person"]')
    assert len(loaded.js("window.kgExplorer.visibleNodeIds()")) == sample_graph.number_of_nodes()


def test_relation_filter_and_community_toggle(loaded: LoadedPage) -> None:
    total = loaded.js("window.kgExplorer.edgeView.length")
    loaded.page.uncheck('#relation-filters input[data-key="共现"]')
    assert loaded.js("window.kgExplorer.edgeView.length") == total - 2
    loaded.page.check("#colour-by-community")
    colours = loaded.js("new Set(window.kgExplorer.nodes.get().map((n) => n.color.background)).size")
    assert colours >= 3
    assert loaded.console_errors == []


def test_click_shows_neighbourhood(loaded: LoadedPage) -> None:
    position = loaded.js(f"window.kgExplorer.network.canvasToDOM(window.kgExplorer.network.getPosition({PERSON!r}))")
    box = loaded.page.locator("#network").bounding_box()
    loaded.page.mouse.click(box["x"] + position["x"], box["y"] + position["y"])
    visible = set(loaded.js("window.kgExplorer.visibleNodeIds()"))
    assert visible == {
        PERSON,
        "https://w3id.org/kgzh/id/org/平远县委",
        "https://w3id.org/kgzh/id/place/平远县",
        "https://w3id.org/kgzh/id/person/李四",
    }
    loaded.page.click("#show-all")
    assert len(loaded.js("window.kgExplorer.visibleNodeIds()")) == 12


def test_script_safe_embedding(sample_graph: nx.MultiDiGraph) -> None:
    """A label that tries to close the data <script> stays data."""
    graph = sample_graph.copy()
    graph.nodes[PERSON]["label"] = "</script><script>alert(1)</script>"
    html = explorer_html(graph)
    data = html.split('id="graph-data">', 1)[1].split("</script>", 1)[0]
    assert "alert(1)" in data


def test_large_graph_uses_precomputed_layout(browser: object, tmp_path: Path) -> None:
    """Above PRECOMPUTED_LAYOUT_ABOVE nodes the page draws at once, without physics."""
    graph = nx.MultiDiGraph()
    types = ["Person", "Place", "Organization", "Programme"]
    size = PRECOMPUTED_LAYOUT_ABOVE + 200
    for i in range(size):
        graph.add_node(f"urn:kg:{i}", iri=f"urn:kg:{i}", type=types[i % 4], label=f"实体{i}", aliases=[],
                       division_code="", division_level="")
    for i in range(1, size):
        graph.add_edge(f"urn:kg:{i}", f"urn:kg:{i // 2}", key="r", predicate=RELATION, label="位于",
                       weight=1, evidence=[])
    annotate_centrality(graph)
    out = tmp_path / "large.html"
    out.write_text(explorer_html(graph), encoding="utf-8")
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(out.as_uri())
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    assert page.evaluate("window.kgExplorer.nodes.length") == size
    assert page.evaluate("window.kgExplorer.network.physics.options.enabled") is False
    assert errors == []
    page.close()


# ------------------------------------------------------------------ the explorer findings of issue 12

POSITIONS = "JSON.stringify(window.kgExplorer.network.getPositions())"


def moved(before: dict, after: dict) -> list[str]:
    """The nodes whose position changed by more than a pixel."""
    return [n for n in before if n in after and abs(before[n]["x"] - after[n]["x"]) + abs(before[n]["y"] - after[n]["y"]) > 1]


def positions(loaded: LoadedPage) -> dict:
    import json

    return json.loads(loaded.js(POSITIONS))


def test_type_filter_off_and_on_keeps_positions(loaded: LoadedPage) -> None:
    before = positions(loaded)
    loaded.page.uncheck('#type-filters input[data-key="Place"]')
    loaded.page.check('#type-filters input[data-key="Place"]')
    after = positions(loaded)
    assert set(after) == set(before)
    assert moved(before, after) == []


def test_show_all_after_a_click_keeps_positions(loaded: LoadedPage) -> None:
    before = positions(loaded)
    position = loaded.js(f"window.kgExplorer.network.canvasToDOM(window.kgExplorer.network.getPosition({PERSON!r}))")
    box = loaded.page.locator("#network").bounding_box()
    loaded.page.mouse.click(box["x"] + position["x"], box["y"] + position["y"])
    assert len(loaded.js("window.kgExplorer.visibleNodeIds()")) == 4
    loaded.page.click("#show-all")
    after = positions(loaded)
    assert set(after) == set(before)
    assert len(moved(before, after)) <= 1  # at most the clicked node, if the click nudged it


def test_relation_count_follows_the_filters(loaded: LoadedPage, sample_graph: nx.MultiDiGraph) -> None:
    total = sample_graph.number_of_edges()
    assert loaded.js("Number(document.getElementById('counts').dataset.visibleEdges)") == total
    loaded.page.uncheck('#type-filters input[data-key="Person"]')
    people = {n for n, t in sample_graph.nodes(data="type") if t == "Person"}
    expected = sum(1 for a, b in sample_graph.edges() if a not in people and b not in people)
    assert loaded.js("Number(document.getElementById('counts').dataset.visibleEdges)") == expected
    assert f"{expected} / {total} 条关系" in loaded.page.inner_text("#counts")


def test_search_with_several_matches_offers_the_list(loaded: LoadedPage) -> None:
    loaded.page.fill("#search", "平远")
    loaded.page.press("#search", "Enter")
    assert loaded.js("window.kgExplorer.network.getSelectedNodes()") == []
    offered = loaded.page.locator("#search-results button").all_inner_texts()
    assert {"平远县", "平远县委", "平远县人民政府", "平远县融媒体中心"} <= set(offered)
    loaded.page.locator("#search-results button", has_text="平远县委").first.click()
    assert loaded.js("window.kgExplorer.network.getSelectedNodes()") == ["https://w3id.org/kgzh/id/org/平远县委"]
    assert loaded.page.locator("#search-results").is_hidden()


def test_labels_are_readable_at_the_first_zoom(browser: object, tmp_path: Path) -> None:
    """A graph too big to read when fitted opens zoomed in so the smallest label is >= 12 px."""
    graph = nx.MultiDiGraph()
    types = ["Person", "Place", "Organization", "Programme"]
    for i in range(400):
        graph.add_node(f"urn:kg:{i}", iri=f"urn:kg:{i}", type=types[i % 4], label=f"实体{i}", aliases=[],
                       division_code="", division_level="")
    for i in range(1, 400):
        graph.add_edge(f"urn:kg:{i}", f"urn:kg:{(i * 7) % i}", key="r", predicate=RELATION, label="位于", weight=1,
                       evidence=[])
    annotate_centrality(graph)
    out = tmp_path / "medium.html"
    out.write_text(explorer_html(graph), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(out.as_uri())
    page.wait_for_selector("body[data-ready=true]", timeout=60_000)
    assert page.evaluate("window.kgExplorer.network.getScale() * window.kgExplorer.labelMin") >= 12
    page.close()


def test_only_http_links_in_the_details(browser: object, sample_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    graph = sample_graph.copy()
    out = tmp_path / "links.html"
    out.write_text(explorer_html(graph, href=lambda iri: "javascript:alert(1)" if iri == PERSON else iri), encoding="utf-8")
    page = browser.new_page()
    page.goto(out.as_uri())
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    page.evaluate(f"window.kgExplorer.focusNode({PERSON!r})")
    assert page.locator('#details a[href^="javascript"]').count() == 0
    assert "javascript:alert(1)" in page.inner_text("#details")
    page.close()


GLYPH_CHECK = """(text) => {
  const canvas = document.createElement("canvas");
  canvas.width = 120; canvas.height = 40;
  const context = canvas.getContext("2d");
  const draw = (value) => {
    context.clearRect(0, 0, 120, 40);
    context.font = `28px ${getComputedStyle(document.body).fontFamily}`;
    context.fillText(value, 0, 30);
    return Array.from(context.getImageData(0, 0, 120, 40).data).join(",");
  };
  // Private-use characters have no glyph in any font: they draw the missing-glyph box.
  return draw(text) !== draw("\\uE000\\uE001");
}"""


def test_chinese_labels_render_with_real_glyphs(loaded: LoadedPage, tmp_path: Path) -> None:
    """`make chromium` installs fonts-noto-cjk: Chinese is drawn with glyphs, not missing-glyph boxes."""
    assert loaded.page.evaluate(GLYPH_CHECK, "张三") is True
    loaded.page.screenshot(path=str(tmp_path / "explorer.png"))


def test_query_page_buttons_are_chinese(browser: object, explore_store_path: Path) -> None:
    """The saved-query buttons of the SPARQL page carry Chinese titles and still run their query."""
    from endpoint_helpers import start

    from kg.server import ServerConfig

    for base in start(ServerConfig(explore_store_path, port=0)):
        page = browser.new_page()
        page.goto(base + "/sparql")
        buttons = page.locator("#examples button")
        titles = buttons.all_inner_texts()
        assert len(titles) == 5 and all(any("\u4e00" <= c <= "\u9fff" for c in t) for t in titles)
        page.locator('#examples button[data-name="people-and-posts"]').click()
        page.click("#form button[type=submit]")
        page.wait_for_function("/\\d+ 行|错误/.test(document.getElementById('status').textContent)", timeout=60_000)
        assert "张三" in page.inner_text("#results"), page.inner_text("#status")
        page.close()
