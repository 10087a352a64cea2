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
