"""Running a service built by its composition root inside a test."""

from services.common.runtime import running

__all__ = ["running"]
