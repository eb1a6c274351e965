"""How a package generated from a vendor document is laid out: small modules, loaded on use.

A vendor document has hundreds of operations and over a thousand schemas; one ``_client.py``
and one ``models.py`` holding all of them make every program pay for the whole API at import
time. The layout follows openai-python's:

* ``NAME/_client.py`` holds ``Client`` and ``AsyncClient`` only; each top-level resource is a
  ``functools.cached_property`` that imports its module on first access, typed with the
  resource class (imported under ``TYPE_CHECKING``) so type checkers see it.
* ``NAME/resources/<path>.py`` holds one resource (``resources/chat/completions.py``): its
  sync and async classes, their raw-response twins, stream classes and the ``OperationSpec``
  of each operation. A resource with sub-resources is a package (``resources/chat/__init__.py``)
  whose sub-resources load on first access the same way.
* ``NAME/models/`` holds the models, one module per group of classes that refer to each other
  (a strongly connected component of the reference graph, with the classes only it uses), so
  imports between the modules never form a cycle. ``NAME.models`` re-exports every class
  lazily (PEP 562 ``__getattr__``); its stub ``__init__.pyi`` re-exports them for type checkers.

The IR is unchanged (``package.modules`` is still the one ``models`` module the manifest and the
README list); only what is written differs.
"""

from __future__ import annotations

import dataclasses
import keyword
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jinja2

from generator.core import ir
from generator.core.naming import snake

MODELS = "models"
# Outputs of templates/package/ and module.py.jinja that this layout replaces.
REPLACES = frozenset({"_client.py", "_operations.py", f"{MODELS}.py"})
# What module.py.jinja imports from ``._models``: re-exported beside the model modules.
_MODEL_RUNTIME = (
    "KNOWN_VALUES_ONLY",
    "OpenEnum",
    "RequestModel",
    "SDKModel",
    "SendsDefaults",
    "UnionBase",
    "UnknownTag",
    "UnknownVariant",
    "attach",
    "bind_union",
    "union_class",
    "with_request_defaults",
)


@dataclass(frozen=True)
class Child:
    """A sub-resource as its parent's module imports it."""

    attr: str  # "completions"
    class_name: str  # "ChatCompletions"
    module: str  # the module to import it from, relative to the parent's package: "completions"


@dataclass(frozen=True)
class ResourceFile:
    """One resource module: where it is written and how it reaches the package root."""

    resource: ir.Resource
    path: str  # "resources/chat/completions.py" or "resources/chat/__init__.py"
    root: str  # the relative import of the package root from this module: "..."
    children: tuple[Child, ...]
    raw_module: str  # the sibling module of its raw-response classes: "_completions_raw"
    spec_module: str  # how that module imports this one's OperationSpecs: ".completions"
    rules: tuple[ir.AccumulateRules, ...] = ()  # what its streams' events fold by

    @property
    def raw_path(self) -> str:
        return self.path.rsplit("/", 1)[0] + f"/{self.raw_module}.py"

    @property
    def streaming_module(self) -> str:
        """The sibling module of its streaming-response classes: ``_completions_streaming``."""
        return self.raw_module.removesuffix("_raw") + "_streaming"

    @property
    def streaming_path(self) -> str:
        return self.path.rsplit("/", 1)[0] + f"/{self.streaming_module}.py"

    @property
    def init_path(self) -> str | None:
        """The ``__init__.py`` re-exporting a resource that has sub-resources."""
        if not self.resource.children:
            return None
        return self.path.rsplit("/", 1)[0] + "/__init__.py"

    @property
    def module(self) -> str:
        """This module's name in its folder: ``_chat``, ``completions``."""
        return self.path.rsplit("/", 1)[1][: -len(".py")]


def resource_files(package: ir.Package) -> list[ResourceFile]:
    """Every resource of ``package`` as a module under ``resources/``."""
    out = []
    for resource in package.resources:
        parts = resource.path.split(".")
        if resource.children:
            # Code in a module of its own, not __init__.py, where ruff keeps unused imports.
            path = "resources/" + "/".join(parts) + f"/_{parts[-1]}.py"
            depth = len(parts) + 2  # from NAME.resources.a.b._b up to NAME
            raw, spec = f"_{parts[-1]}_raw", f"._{parts[-1]}"
        else:
            path = "resources/" + "/".join(parts) + ".py"
            depth = len(parts) + 1
            raw, spec = f"_{parts[-1]}_raw", f".{parts[-1]}"
        children = tuple(Child(attr, cls, attr) for attr, cls in resource.children)
        out.append(ResourceFile(resource, path, "." * depth, children, raw, spec))
    return out


def _class_name(ref: str) -> str:
    return ref.rsplit(".", 1)[-1]


def stream_rules(
    package: ir.Package, resource: ir.Resource, graph: dict[str, set[str]]
) -> tuple[ir.AccumulateRules, ...]:
    """The accumulation rules of the classes ``resource``'s accumulating streams can meet:
    those reachable from each stream's event union and final object in ``graph`` (the
    classes each model refers to), so a resource module names no class it cannot use."""
    seen: set[str] = set()
    todo = [
        _class_name(ref)
        for op in resource.operations
        if op.stream is not None and op.stream.final_ref is not None
        for ref in (op.stream.item_ref, op.stream.final_ref)
    ]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(graph.get(name, ()))
    out = []
    for rules in package.accumulators:
        name = _class_name(rules.class_ref)
        if name not in graph and name.startswith("Unknown"):
            name = name[len("Unknown") :]  # a union's unknown variant, defined with the union
        if name in seen:
            out.append(rules)
    return tuple(out)


def reference_graph(package: ir.Package) -> dict[str, set[str]]:
    """The classes each model class of ``package`` refers to, by name."""
    (module,) = (m for m in package.modules if m.name == MODELS)
    nodes = _nodes(module)
    names = frozenset(nodes)
    return {name: references(node, names) for name, node in nodes.items()}


def top_children(package: ir.Package) -> list[Child]:
    """The client's own attributes, with the module under ``resources`` each is imported from."""
    return [Child(attr, cls, attr) for attr, cls in package.top_resources]


def specs(resource: ir.Resource) -> dict[str, str]:
    """The OperationSpec expression of each operation, in the module that defines the specs."""
    return {op.const_name: op.spec_expr.removeprefix("_operations.") for op in resource.operations}


# --- models ----------------------------------------------------------------------------------

Node = ir.Model | ir.Enum | ir.Union | ir.Alias
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_IDENTIFIER = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
# Fields of IR nodes that hold prose or wire text, never Python code naming a class.
_PROSE = frozenset({"description", "source", "wire_name", "message", "tag", "discriminator"})


def _code_strings(value: Any, key: str = "") -> Iterator[str]:
    if key in _PROSE:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _code_strings(v, str(k))
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _code_strings(v, key)


def references(node: Node, names: frozenset[str], params: dict[str, str] | None = None) -> set[str]:
    """The names of ``names`` (and of the TypedDicts in ``params``) the code printed for
    ``node`` may use (bases, hints, variants).

    Read from the IR's print-ready strings, string literals left out: a name too many only
    joins two groups or adds an import ruff removes; a name too few would fail at import.
    """
    found: set[str] = set()
    for text in _code_strings(dataclasses.asdict(node)):
        found.update(_IDENTIFIER.findall(_QUOTED.sub("", text)))
    own = {node.name} | {p for p, owner in (params or {}).items() if owner == node.name}
    return (found & (names | frozenset(params or {}))) - own


def components(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan, iterative), each listed in ``graph``'s order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    order = {name: i for i, name in enumerate(graph)}
    for start in graph:
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [
            (start, iter(sorted(graph[start], key=order.__getitem__)))
        ]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            advanced = False
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target], key=order.__getitem__))))
                    advanced = True
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == node:
                        break
                out.append(sorted(members, key=order.__getitem__))
    return out


def model_groups(module: ir.Module) -> list[tuple[str, list[str]]]:
    """The classes of ``module`` in groups whose imports of each other form no cycle, each with
    the class it is named after.

    A group is a strongly connected component of the reference graph, to which every
    component that only it refers to (directly or through other such components) is added:
    those are loaded with it anyway, and one file for them keeps the package small.
    """
    nodes = _nodes(module)
    names = frozenset(nodes)
    params = _param_owners(module)
    graph = {
        name: {params.get(r, r) for r in references(node, names, params)} - {name}
        for name, node in nodes.items()
    }
    parts = components(graph)
    part_of = {name: i for i, members in enumerate(parts) for name in members}
    users: dict[int, set[int]] = {i: set() for i in range(len(parts))}
    for name, targets in graph.items():
        for target in targets:
            if part_of[target] != part_of[name]:
                users[part_of[target]].add(part_of[name])
    # Tarjan lists a component after every component it refers to: users come later.
    owner = list(range(len(parts)))

    def find(i: int) -> int:
        while owner[i] != i:
            owner[i] = owner[owner[i]]
            i = owner[i]
        return i

    for i in reversed(range(len(parts))):
        owners = {find(u) for u in users[i]}
        if len(owners) == 1:
            owner[i] = owners.pop()
    grouped: dict[int, list[str]] = {}
    for i, members in enumerate(parts):
        grouped.setdefault(find(i), []).extend(members)
    order = {name: i for i, name in enumerate(nodes)}
    # Named after the first class of the component the others joined, in document order.
    groups = [
        (parts[root][0], sorted(members, key=order.__getitem__))
        for root, members in grouped.items()
    ]
    return sorted(groups, key=lambda g: order[g[1][0]])


def _nodes(module: ir.Module) -> dict[str, Node]:
    out: dict[str, Node] = {}
    for kind in (module.enums, module.unions, module.models, module.aliases):
        for node in kind:
            out[node.name] = node
    return out


def _param_owners(module: ir.Module) -> dict[str, str]:
    """TypedDict name → the class it is printed with (``MessageParam`` → ``Message``)."""
    owners = {m.param.name: m.name for m in module.models if m.param is not None}
    owners.update({u.param_name: u.name for u in module.unions if u.param_name})
    return owners


def module_names(groups: list[tuple[str, list[str]]]) -> list[str]:
    """A module name per group, after its first class: ``_create_chat_completion_request``.

    Two groups whose first classes snake-case alike (``ABTest``, ``AbTest``) are told apart by
    their class names spelt exactly, lower-cased letter by letter with ``_`` before capitals.
    """
    names = [f"_{snake(label)}" for label, _ in groups]
    seen: dict[str, int] = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
    out = []
    for (label, _), name in zip(groups, names, strict=True):
        if seen[name] > 1:
            name = "_" + "".join(f"_{c.lower()}" if c.isupper() else c for c in label)
        if keyword.iskeyword(name):
            name += "_"
        out.append(name)
    if len(set(out)) != len(out):
        raise ValueError(f"two model modules would have one name: {sorted(out)}")
    return out


@dataclass(frozen=True)
class ModelFile:
    name: str  # "_chat_completion_request"
    module: ir.Module  # its classes, importing the others' from their modules
    exports: tuple[str, ...]


def model_files(module: ir.Module) -> list[ModelFile]:
    """``module`` split into the modules of :func:`model_groups`."""
    nodes = _nodes(module)
    labelled = model_groups(module)
    names = module_names(labelled)
    groups = [members for _, members in labelled]
    home = {cls: name for name, group in zip(names, groups, strict=True) for cls in group}
    all_names = frozenset(nodes)
    params = _param_owners(module)
    out = []
    for name, group in zip(names, groups, strict=True):
        members = set(group)
        needed: dict[str, set[str]] = {}
        for cls in group:
            for target in references(nodes[cls], all_names, params):
                owner = params.get(target, target)
                if owner not in members:
                    needed.setdefault(home[owner], set()).add(target)
        imports = tuple(
            f"from .{other} import {', '.join(sorted(classes))}"
            for other, classes in sorted(needed.items())
        )
        part = dataclasses.replace(
            module,
            imports=imports,
            enums=tuple(e for e in module.enums if e.name in members),
            unions=tuple(u for u in module.unions if u.name in members),
            models=tuple(m for m in module.models if m.name in members),
            aliases=tuple(a for a in module.aliases if a.name in members),
            exports=tuple(e for e in module.exports if params.get(e, e) in members),
        )
        out.append(ModelFile(name, part, part.exports))
    return out


# --- rendering ---------------------------------------------------------------------------------


class VendorLayout:
    """The files of the layout above; :func:`generator.core.render.render` calls it."""

    replaces = REPLACES

    def render(self, env: jinja2.Environment, package: ir.Package, header: str) -> dict[str, str]:
        name = package.name
        graph = reference_graph(package) if package.accumulators else {}
        files: dict[str, str] = {}
        files[f"{name}/_client.py"] = env.get_template("vendor/_client.py.jinja").render(
            package=package, header=header, top=top_children(package)
        )
        resource = env.get_template("vendor/resource.py.jinja")
        files[f"{name}/resources/__init__.py"] = env.get_template(
            "vendor/resources_init.py.jinja"
        ).render(package=package, header=header)
        raw = env.get_template("vendor/resource_raw.py.jinja")
        init = env.get_template("vendor/resource_init.py.jinja")
        for file in resource_files(package):
            if graph:
                file = dataclasses.replace(file, rules=stream_rules(package, file.resource, graph))
            values = {"package": package, "header": header, "file": file}
            files[f"{name}/{file.path}"] = resource.render(**values, specs=specs(file.resource))
            if file.init_path is not None:
                files[f"{name}/{file.init_path}"] = init.render(**values)
            if file.resource.operations:
                for path, streaming in ((file.raw_path, False), (file.streaming_path, True)):
                    files[f"{name}/{path}"] = raw.render(
                        **values, specs=specs(file.resource), streaming=streaming
                    )
        files.update(self.models(env, package))
        return files

    def models(self, env: jinja2.Environment, package: ir.Package) -> dict[str, str]:
        from generator.core.render import header

        (module,) = (m for m in package.modules if m.name == MODELS)
        parts = model_files(module)
        base = f"{package.name}/{MODELS}"
        files: dict[str, str] = {}
        template = env.get_template("module.py.jinja")
        for part in parts:
            files[f"{base}/{part.name}.py"] = template.render(
                module=part.module, package=package, header=header(module.source)
            )
        index = {"package": package, "header": header(module.source), "module": module}
        lazy = [(part.name, part.exports) for part in parts if part.exports]
        files[f"{base}/__init__.py"] = env.get_template("vendor/models_init.py.jinja").render(
            **index, parts=lazy
        )
        files[f"{base}/__init__.pyi"] = env.get_template("vendor/models_init.pyi.jinja").render(
            **index, parts=lazy
        )
        files[f"{base}/_models.py"] = env.get_template("vendor/models_runtime.py.jinja").render(
            **index, names=_MODEL_RUNTIME
        )
        return files
