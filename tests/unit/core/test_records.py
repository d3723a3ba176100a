"""core.records' NamedTuple makes the very class typing.NamedTuple makes, but for the
annotations, which stay the strings they were written as."""

from __future__ import annotations

import typing

import pytest

from pyshelf.core import model
from pyshelf.core.records import NamedTuple


def record_class(base):
    """The same class body on either base."""

    class Record(base):
        """A record."""

        name: str
        spec: str
        kind: str = "index"
        extra: tuple[str, ...] = ()

        def shout(self) -> str:
            return self.name.upper()

        @property
        def both(self) -> str:
            return f"{self.name} {self.spec}"

    return Record


Cheap, Typed = record_class(NamedTuple), record_class(typing.NamedTuple)


def test_a_record_behaves_as_typing_would_make_it():
    cheap, typed = Cheap("a", "a>=1"), Typed("a", "a>=1")
    assert tuple(cheap) == tuple(typed) == ("a", "a>=1", "index", ())
    assert Cheap._fields == Typed._fields
    assert Cheap._field_defaults == Typed._field_defaults
    assert cheap._replace(kind="url") == typed._replace(kind="url")
    assert cheap._asdict() == typed._asdict()
    assert (cheap.shout(), cheap.both) == (typed.shout(), typed.both)
    assert Cheap.__doc__ == Typed.__doc__
    assert repr(cheap) == repr(typed)
    assert Cheap.__mro__[1:] == Typed.__mro__[1:] == (tuple, object)
    assert (Cheap.__module__, Cheap.__qualname__) == (__name__, "record_class.<locals>.Record")
    assert Cheap.__annotations__ == {"name": "str", "spec": "str", "kind": "str",
                                     "extra": "tuple[str, ...]"}
    with pytest.raises(AttributeError):
        cheap.name = "b"  # type: ignore[misc]


def test_what_namedtuple_makes_cannot_be_redefined():
    with pytest.raises(AttributeError, match="_replace"):
        class Bad(NamedTuple):
            name: str

            def _replace(self) -> None:  # type: ignore[override]
                pass


def test_the_model_records_are_named_tuples_with_defaults():
    entry = model.IntentEntry("black", "black>=24")
    assert entry == ("black", "black>=24", "index", "explicit", None, "")
    assert isinstance(entry, tuple)
