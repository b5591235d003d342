"""perfreport: reproducible performance reporting for UK health and social care bodies."""

from importlib.metadata import PackageNotFoundError, version

from perfreport.moved import install

try:
    __version__ = version("perfreport")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

install()

__all__ = ["__version__"]
