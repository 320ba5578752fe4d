"""A read-only mapping that, unlike :class:`types.MappingProxyType`, can be pickled.

Records that cross process boundaries (the site handed to render workers, the state saved
between builds) hold their mappings as :class:`FrozenDict`.
"""

from __future__ import annotations

from typing import Any, NoReturn


class FrozenDict(dict):
    """A ``dict`` whose contents cannot change after it is made."""

    __slots__ = ()

    def _read_only(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("FrozenDict is read-only")

    __setitem__ = __delitem__ = __ior__ = _read_only  # type: ignore[assignment]
    clear = pop = popitem = setdefault = update = _read_only  # type: ignore[assignment]

    def __reduce__(self):
        return (FrozenDict, (dict(self),))


EMPTY: FrozenDict = FrozenDict()
