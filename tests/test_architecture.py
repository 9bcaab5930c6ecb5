"""The shape of the code: feature packages depend on one another in one direction only."""

import ast
from pathlib import Path

import app

APP_DIR = Path(app.__file__).parent
# Shared layers every feature may use; they import no feature.
CORE = {"config", "db", "errors", "security", "text", "web", "clock"}
# Composition: the application, the command line and their wiring see every feature.
TOP = {"main", "cli", "wiring", "jobs", "demo", "models"}


def _imports_by_package() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in APP_DIR.rglob("*.py"):
        parts = path.relative_to(APP_DIR).parts
        package = parts[0].removesuffix(".py")
        found = graph.setdefault(package, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                bits = name.split(".")
                if bits[0] == "app" and len(bits) > 1 and bits[1] != package:
                    found.add(bits[1])
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if state.get(target) is None and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if state.get(node) is None and (found := visit(node)):
            return found
    return None


def test_feature_packages_import_one_another_without_a_cycle() -> None:
    graph = _imports_by_package()
    features = {name: targets - CORE - TOP for name, targets in graph.items()}
    features = {name: targets for name, targets in features.items() if name not in CORE | TOP}
    assert {"accounts", "contacts", "events", "gives", "network", "calendar"} <= features.keys()
    assert _cycle(features) is None, f"import cycle between features: {_cycle(features)}"


def test_core_imports_no_feature() -> None:
    graph = _imports_by_package()
    for name in CORE & graph.keys():
        assert graph[name] <= CORE, f"app.{name} imports {sorted(graph[name] - CORE)}"


def test_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_the_api_schema_lists_the_allowed_values_of_every_kind_and_status(tmp_path: Path) -> None:
    from app.config import Settings
    from app.main import create_app

    schema = create_app(Settings(data_dir=tmp_path, secret_key="s" * 40)).openapi()
    components = schema["components"]["schemas"]

    def values(prop: dict[str, object]) -> list[object]:
        if "$ref" in prop:
            return values(components[str(prop["$ref"]).rsplit("/", 1)[1]])
        for key in ("anyOf", "allOf", "oneOf"):
            for option in prop.get(key, []):  # type: ignore[attr-defined]
                if found := values(option):
                    return found
        return list(prop.get("enum", []))  # type: ignore[call-overload]

    checked = 0
    for name, model in components.items():
        for field, prop in model.get("properties", {}).items():
            if field in {"kind", "status", "intro_state"}:
                assert values(prop), f"{name}.{field} does not list its allowed values"
                checked += 1
    assert checked >= 8
