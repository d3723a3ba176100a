"""``NamedTuple`` without importing ``typing``.

Every report defines the records it reads, and importing ``typing`` costs a report more
than its query (about 2 ms: the module and ``contextlib``, ``re`` and the rest it brings),
and ``typing.NamedTuple`` also turns each field's annotation into a ``ForwardRef``, compiling
its text. The records need none of that at run time: annotations are for mypy, which sees
``typing.NamedTuple`` here. At run time a class written ``class Name(NamedTuple):`` becomes
the same ``collections.namedtuple`` that ``typing`` would make, with the same fields,
defaults, methods, properties and docstring; only its annotations stay the strings they
were written as (``from __future__ import annotations``), never evaluated.

A module that imports ``typing`` for nothing but ``TYPE_CHECKING`` writes
``TYPE_CHECKING = False`` itself, as mypy and the ``typing`` documentation expect.
"""

from __future__ import annotations

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:
    from collections import namedtuple

    # What the class body may not define because namedtuple makes it, and what it carries
    # that is not the class's to take over: as typing.NamedTuple has them.
    _MADE = frozenset({"__new__", "__init__", "__slots__", "__getnewargs__", "_fields",
                       "_field_defaults", "_make", "_replace", "_asdict", "_source"})
    _OWN = frozenset({"__module__", "__annotations__"})

    class _RecordType(type):
        def __new__(cls, typename: str, bases: tuple[type, ...],
                    namespace: dict[str, object]) -> type:
            if not bases:  # NamedTuple itself
                return super().__new__(cls, typename, bases, namespace)
            if bases != (NamedTuple,):
                raise TypeError("a record derives from NamedTuple alone")
            annotations = namespace.get("__annotations__", {})
            assert isinstance(annotations, dict)
            fields = list(annotations)
            defaults = [namespace[field] for field in fields if field in namespace]
            record: type = namedtuple(typename, fields, defaults=defaults,
                                      module=str(namespace["__module__"]))
            record.__annotations__ = dict(annotations)
            for key, value in namespace.items():
                if key in _MADE:
                    raise AttributeError(f"Cannot overwrite NamedTuple attribute {key}")
                if key not in _OWN and key not in fields:
                    setattr(record, key, value)
            return record

    class NamedTuple(metaclass=_RecordType):
        pass
