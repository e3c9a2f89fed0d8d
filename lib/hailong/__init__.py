"""hailong: reports of the Hai Phong cooperatives' satisfaction survey."""

from .errors import HailongError

__version__ = "0.1.0"
__all__ = ["HailongError", "__version__"]
