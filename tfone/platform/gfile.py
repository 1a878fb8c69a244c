"""``tf.gfile``: TF1's file helpers, on the local file system (``os``, ``shutil``, ``glob``).

    if tf.gfile.Exists(log_dir):
        tf.gfile.DeleteRecursively(log_dir)
    tf.gfile.MakeDirs(log_dir)
    with tf.gfile.GFile(path, "w") as f: f.write(text)

Failures raise ``tf.errors.NotFoundError`` (missing files) or ``tf.errors.OpError``
subclasses as in TF1.
"""
import glob as _glob
import os as _os
import shutil as _shutil

from tfone import errors

__all__ = ["Exists", "IsDirectory", "MakeDirs", "MkDir", "Glob", "ListDirectory", "Walk",
           "Remove", "DeleteRecursively", "Rename", "Copy", "Stat", "GFile", "Open",
           "FastGFile"]


def _not_found(path, what="file or directory"):
    return errors.NotFoundError(None, None, "%s: %s not found" % (path, what))


def Exists(filename):  # noqa: N802 - TF1's names
    return _os.path.exists(filename)


def IsDirectory(dirname):  # noqa: N802
    return _os.path.isdir(dirname)


def MakeDirs(dirname):  # noqa: N802
    """Create ``dirname`` and its parents; fine if it exists."""
    _os.makedirs(dirname, exist_ok=True)


def MkDir(dirname):  # noqa: N802
    """Create ``dirname`` (its parent must exist); fine if it exists."""
    if _os.path.isdir(dirname):
        return
    parent = _os.path.dirname(_os.path.abspath(dirname))
    if not _os.path.isdir(parent):
        raise _not_found(parent, "parent directory")
    _os.mkdir(dirname)


def Glob(filename):  # noqa: N802
    return sorted(_glob.glob(filename))


def ListDirectory(dirname):  # noqa: N802
    if not _os.path.isdir(dirname):
        raise _not_found(dirname, "directory")
    return sorted(_os.listdir(dirname))


def Walk(top, in_order=True):  # noqa: N802
    """Yield ``(dirname, subdirs, files)`` like os.walk (top-down when ``in_order``)."""
    for entry in _os.walk(top, topdown=in_order):
        yield entry


def Remove(filename):  # noqa: N802
    if not _os.path.isfile(filename):
        raise _not_found(filename, "file")
    _os.remove(filename)


def DeleteRecursively(dirname):  # noqa: N802
    if not _os.path.exists(dirname):
        raise _not_found(dirname)
    if _os.path.isdir(dirname):
        _shutil.rmtree(dirname)
    else:
        _os.remove(dirname)


def Rename(oldname, newname, overwrite=False):  # noqa: N802
    if not _os.path.exists(oldname):
        raise _not_found(oldname)
    if _os.path.exists(newname) and not overwrite:
        raise errors.AlreadyExistsError(None, None, "%s already exists (pass overwrite=True)"
                                        % newname)
    _os.replace(oldname, newname)


def Copy(oldpath, newpath, overwrite=False):  # noqa: N802
    if not _os.path.isfile(oldpath):
        raise _not_found(oldpath, "file")
    if _os.path.exists(newpath) and not overwrite:
        raise errors.AlreadyExistsError(None, None, "%s already exists (pass overwrite=True)"
                                        % newpath)
    _shutil.copyfile(oldpath, newpath)


def Stat(filename):  # noqa: N802
    """An object with ``length``, ``mtime_nsec`` and ``is_directory``."""
    if not _os.path.exists(filename):
        raise _not_found(filename)
    st = _os.stat(filename)

    class FileStatistics:
        length = st.st_size
        mtime_nsec = st.st_mtime_ns
        is_directory = _os.path.isdir(filename)
    return FileStatistics()


class GFile:
    """A file object (``read``, ``readline``, ``readlines``, iteration, ``write``, ``seek``,
    ``tell``, ``size``, ``flush``, ``close``, ``with``). Text in modes without 'b'."""

    def __init__(self, name, mode="r"):
        if "r" in mode and not _os.path.exists(name):
            raise _not_found(name, "file")
        self.name, self.mode = name, mode
        self._f = open(name, mode)

    def read(self, n=-1):
        return self._f.read(n)

    def readline(self):
        return self._f.readline()

    def readlines(self):
        return self._f.readlines()

    def write(self, data):
        self._f.write(data)

    def seek(self, offset=None, whence=0, position=None):
        self._f.seek(position if offset is None else offset, whence)

    def tell(self):
        return self._f.tell()

    def size(self):
        return _os.path.getsize(self.name)

    def flush(self):
        self._f.flush()

    def close(self):
        self._f.close()

    def __iter__(self):
        return iter(self._f)

    def __next__(self):
        return next(self._f)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


Open = GFile
FastGFile = GFile
