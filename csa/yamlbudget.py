"""YAML from users (mappings, KPI registries, import settings) read within a budget.

A YAML alias (``*a``) names a node written earlier (``&a``); PyYAML composes it as that same node,
so a 1 KB file of nested aliases (a "billion laughs" bomb) composes quickly but expands to billions
of values as soon as anything walks it. :func:`compose` composes the document, then counts the
values it stands for, each alias counted as what it expands to (shared nodes counted once per
use, with a memo: linear in the file), and refuses it past :data:`MAX_VALUES`, or when an alias
refers to the node it is in. A file is at most :data:`MAX_BYTES`.

>>> import yaml
>>> _loader, node = compose("a: &x [1, 2]\\nb: *x\\n", yaml.SafeLoader)
>>> expanded(node)
9
>>> bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\\n" + "".join(
...     f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\\n" for p, c in zip("abcdefgh", "bcdefghi"))
>>> compose(bomb, yaml.SafeLoader)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
csa.yamlbudget.YAMLBudgetError: the YAML expands to more than 100,000 values through its aliases ...
"""

from __future__ import annotations

__all__ = ["MAX_BYTES", "MAX_VALUES", "LinedYAML", "YAMLBudgetError", "compose", "expanded", "read_text"]

#: a YAML file larger than this is refused before it is parsed
MAX_BYTES = 1_000_000
#: values (scalars, lists, mappings) a YAML document may expand to, aliases expanded
MAX_VALUES = 100_000


class YAMLBudgetError(ValueError):
    """A YAML text over its budget: too large, expanding to too many values, or recursive."""


def expanded(node, limit: int | None = None) -> int:
    """The number of values ``node`` stands for, aliases expanded (stops counting past ``limit``).

    Raises :class:`YAMLBudgetError` for an alias that refers to the node it is in (a cycle).
    """
    import yaml

    size: dict[int, int] = {}
    visiting: set[int] = set()
    stack = [(node, False)]
    while stack:
        n, done = stack.pop()
        key = id(n)
        if done:
            visiting.discard(key)
            if isinstance(n, yaml.MappingNode):
                children = [c for pair in n.value for c in pair]
            else:
                children = n.value
            total = 1 + sum(size[id(c)] for c in children)
            size[key] = total
            if limit is not None and total > limit:
                return total
            continue
        if key in size:
            continue
        if key in visiting:
            raise YAMLBudgetError("the YAML refers to itself: an alias (*name) stands inside the node its anchor "
                                  "(&name) marks, which would never end")
        if isinstance(n, yaml.ScalarNode):
            size[key] = 1
            continue
        visiting.add(key)
        stack.append((n, True))
        children = [c for pair in n.value for c in pair] if isinstance(n, yaml.MappingNode) else n.value
        stack.extend((c, False) for c in children if id(c) not in size)
    return size[id(node)]


def compose(text: str, loader_class, *, max_values: int = MAX_VALUES):
    """``(loader, node)``: the one document of ``text`` composed by ``loader_class``, within the budget.

    Construct it with ``loader.construct_document(node)`` (or walk it); call ``loader.dispose()``
    when done. Raises :class:`YAMLBudgetError` (over the budget) or :class:`yaml.YAMLError`.
    """
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            n = expanded(node, max_values)
            if n > max_values:
                raise YAMLBudgetError(f"the YAML expands to more than {max_values:,} values through its aliases "
                                      "(&name … *name): a file of nested aliases (a \"billion laughs\" bomb?) is "
                                      "not read")
    except BaseException:
        loader.dispose()
        raise
    return loader, node


def read_text(path, what: str = "file", max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of a YAML file: a regular file of at most ``max_bytes`` (a device such as /dev/zero, a
    folder or a larger file is refused with :class:`YAMLBudgetError` before it is read)."""
    import os
    import stat

    st = os.stat(path)  # FileNotFoundError as it is
    if not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file (a pipe, socket or device)"
        raise YAMLBudgetError(f"the {what} {path} is {kind}")
    if st.st_size > max_bytes:
        raise YAMLBudgetError(f"the {what} is {st.st_size / 1e6:.1f} MB; it may be at most {max_bytes / 1e6:g} MB")
    with open(path, "rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise YAMLBudgetError(f"the {what} is larger than {max_bytes / 1e6:g} MB")
    return data


class LinedYAML:
    """YAML to plain Python, within the budget, with the line of every node and the problems found on the way.

    A subclass says how a problem is recorded (:meth:`add`); ``fix_budget`` is the advice when the
    text is refused for its aliases. ``data`` is ``None`` when the text is not valid YAML.

    >>> class Notes(LinedYAML):
    ...     def add(self, path, message, fix, *, line=None):
    ...         self.problems.append((line if line is not None else self.line(path or ()), message))
    >>> r = Notes("a: 1\\nb: [2, 3]\\na: 4\\n", "x.yaml", fix_budget="write it out")
    >>> r.data, r.line(("b", 1)), r.problems
    ({'a': 4, 'b': [2, 3]}, 2, [(3, "'a' is given twice (the second would silently win)")])
    """

    def __init__(self, text: str, source: str, *, fix_budget: str) -> None:
        import yaml

        self.source, self.lines, self.problems = source, {}, []
        self.data = None
        try:
            loader, node = compose(text, yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            self.add(None, f"not valid YAML ({what})", "check the indentation and the quotes around that line; a "
                     "text with ':' or '#' needs quotes", line=mark.line + 1 if mark else None)
            return
        except (YAMLBudgetError, RecursionError) as exc:
            self.add(None, f"refused: {exc}" if isinstance(exc, YAMLBudgetError) else "not valid YAML (nested too "
                     "deeply)", fix_budget, line=1)
            return
        try:
            self.loader = loader
            self.data = None if node is None else self._walk(node, ())
        finally:
            loader.dispose()

    def _walk(self, node, path: tuple):
        import yaml

        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            out = {}
            for k, v in node.value:
                key = self.loader.construct_object(k)
                if key in out:
                    self.add((*path, key), f"{key!r} is given twice (the second would silently win)",
                             "keep one of them", line=k.start_mark.line + 1)
                out[key] = self._walk(v, (*path, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self._walk(v, (*path, i)) for i, v in enumerate(node.value)]
        return self.loader.construct_object(node)

    def line(self, path: tuple) -> int | None:
        """The line of ``path`` (keys and list positions), or of its nearest parent with one."""
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path)

    def add(self, path: tuple | None, message: str, fix: str, *, line: int | None = None) -> None:
        raise NotImplementedError
