"""The package's version, as installed (manifests, caches and Dask workers compare it)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("versterking")
except PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
    __version__ = "0+unknown"
