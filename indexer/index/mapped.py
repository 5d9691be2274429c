"""Reading a generation's Whoosh files through memory maps, without a private copy.

Whoosh 2.7.4 memory-maps a compound segment file (``*.seg``) but hands every part of it
to the codecs as a ``BufferFile``, whose ``__init__`` copies the part into a ``BytesIO``:
the postings (``.pst``) and terms (``.trm``) of every segment end up in each process's
private memory, growing with the archive. :class:`MappedStorage` opens every file as a
:class:`MappedFile` instead: its own read-only ``mmap`` of the file (or of one part of
it), so reads come from the page cache, shared by every worker.

A :class:`MappedFile` has no ``fileno``, so ``CompoundStorage`` cannot map it again and
takes its parts with :meth:`MappedFile.subset`, which maps that range of the file: each
part keeps its own read position (as the ``BytesIO`` did), and ``get`` slices the map.
"""
from __future__ import annotations

import mmap
import os
import weakref
from pathlib import Path
from typing import Any, Callable

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile, StructFile
from whoosh.index import _DEF_INDEX_NAME, FileIndex


class MappedFile(StructFile):
    """A read-only file, or the range ``[offset, offset + length)`` of one, read from its own mmap.

    ``self.file`` is the ``mmap`` itself (``read``, ``readline`` and ``read_pickle`` run in
    C); the map starts at the page boundary at or before ``offset``, so positions given
    to :meth:`seek`, :meth:`tell` and :meth:`get` are shifted by ``self._delta``. The file
    made by :meth:`open` owns the descriptor (closed with it, or when it is collected); its
    :meth:`subset` parts keep it alive and map their ranges from the same descriptor.
    """

    def __init__(self, fd: int, offset: int, length: int, name: str | None = None,
                 onclose: Callable[[StructFile], Any] | None = None, root: MappedFile | None = None):
        start = offset - offset % mmap.ALLOCATIONGRANULARITY
        self._fd = fd
        self._root = root
        self._offset = offset
        self._delta = offset - start
        self._length = length
        self._release: Callable[[], Any] | None = None
        self.file = mmap.mmap(fd, self._delta + length, access=mmap.ACCESS_READ, offset=start)
        self.file.seek(self._delta)
        self._name = name
        self.onclose = onclose
        self.is_real = False  # no fileno: read_array() goes through read(), CompoundStorage through subset()
        self.is_closed = False

    @classmethod
    def open(cls, path: str | Path, name: str | None = None, **kwargs: Any) -> StructFile:
        """The whole file at ``path`` (a plain empty ``BufferFile`` when it is empty: mmap cannot map 0 bytes)."""
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            length = os.fstat(fd).st_size
            if length:
                mapped = cls(fd, 0, length, name=name, **kwargs)
                mapped._release = weakref.finalize(mapped, os.close, fd)
                return mapped
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
        return BufferFile(b"", name=name, **kwargs)

    def seek(self, where: int, whence: int = os.SEEK_SET) -> None:
        if whence == os.SEEK_SET:
            where += self._delta
        self.file.seek(where, whence)

    def tell(self) -> int:
        return self.file.tell() - self._delta

    def get(self, position: int, length: int) -> bytes:
        start = self._delta + position
        return self.file[start:start + length]

    get_array = BufferFile.get_array  # reads through get(): Whoosh's own, byte order included

    def subset(self, position: int, length: int, name: str | None = None) -> StructFile:
        """The range ``[position, position + length)`` of this file, mapped on its own (nothing copied)."""
        if length == 0:
            return BufferFile(b"", name=name or self._name)
        return MappedFile(self._fd, self._offset + position, length, name=name or self._name, root=self._root or self)

    def close(self) -> None:
        super().close()  # onclose, then the mmap
        if self._release is not None:
            self._release()


class MappedStorage(FileStorage):
    """A read-only ``FileStorage`` whose files, compound segment files and their parts, are :class:`MappedFile`.

    ``supports_mmap`` is False so that ``CompoundStorage`` never maps a segment file itself
    (its own map hands the parts out as ``BytesIO`` copies); the map is made here.
    """

    supports_mmap = False

    def __init__(self, path: str | Path):
        super().__init__(str(path), supports_mmap=False, readonly=True)

    def open_file(self, name: str, **kwargs: Any) -> StructFile:
        return MappedFile.open(self._fpath(name), name=name, **kwargs)


def open_mapped(path: str | Path, indexname: str = _DEF_INDEX_NAME) -> FileIndex:
    """``whoosh.index.open_dir(path, readonly=True)``, its files read through :class:`MappedStorage`."""
    return FileIndex(MappedStorage(path), indexname=indexname)
