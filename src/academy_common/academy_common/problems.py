"""One error type for "this input has problems": every problem listed, each naming its source."""

from __future__ import annotations


class ProblemsError(Exception):
    """An input (file, document) is invalid; ``problems`` holds one line per problem.

    Packages derive their own typed errors from it and from their base error, e.g.
    ``class InvalidStationError(ProblemsError, SimError)``.
    """

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: " + f"\n{source}: ".join(problems))
        self.source = source
        self.problems = problems
