"""One objective chooser for every explorer that has a "function" dropdown.

The chooser resolves what the student picks or types into an
:class:`~i2dl_helpers.objectives.Objective`: a catalogue name, a typed-in
function (parsed by ``expressions.parse``), or an Objective passed from code.
Typed and passed-in functions are remembered, so the dropdown can come back to
them. Defaults (start θ_0, learning rate α, best value L*) are fields of the
objective itself, not tables in the explorers.
"""
from __future__ import annotations

from .. import objectives as _objectives
from ..objectives import Objective

__all__ = ["ObjectiveChooser"]


class ObjectiveChooser:
    """Mixin for :class:`~.base.Explorer` subclasses with a function dropdown.

    Set ``chooser_dim`` (1 or 2) and, if the dropdown is not called "objective",
    ``chooser_control``. Call ``self._init_chooser(objective)`` in ``__init__``
    before ``super().__init__``; declare the dropdown as
    ``Control(chooser_control, "function", "choice", redraw=True)`` and pass
    ``self._chooser_options()`` as its options. In ``_update``, when the
    dropdown changed, call ``self._follow_chooser()``. Override
    ``_from_catalogue(name)`` to build a catalogue function with the explorer's
    own parameters (e.g. a condition number).
    """

    chooser_dim: int = 1
    chooser_control: str = "objective"

    def _init_chooser(self, objective) -> None:
        self._typed: dict[str, Objective] = {}
        self._objective = self._resolve(objective)

    def _catalogue_names(self) -> list[str]:
        return _objectives.names(dim=self.chooser_dim)

    def _from_catalogue(self, name: str) -> Objective:
        return _objectives.get(name)

    def _is_typed(self, name: str) -> bool:
        """True for a function typed in or passed from code (not built from the catalogue)."""
        return name in self._typed

    def _resolve(self, objective) -> Objective:
        d, what = self.chooser_dim, self.chooser_control
        if isinstance(objective, Objective):
            if objective.dim != d:
                word = {1: "one", 2: "two"}.get(d, str(d))
                raise ValueError(f"{what} must be {word}-dimensional, got dim={objective.dim}")
            self._typed[objective.name] = objective  # so the chooser can come back to it
            return objective
        if isinstance(objective, str) and objective in self._typed:
            return self._typed[objective]
        if isinstance(objective, str) and objective in self._catalogue_names():
            return self._from_catalogue(objective)
        known = ", ".join(self._chooser_options())
        raise ValueError(f"{what} must be one of {known} or a {d}D Objective; got {objective!r}")

    def _chooser_options(self) -> list[str]:
        names = list(self._catalogue_names())
        return names + [n for n in getattr(self, "_typed", {}) if n not in names]

    def _follow_chooser(self) -> None:
        """The dropdown changed: make its value the current objective."""
        self._objective = self._resolve(self.controls[self.chooser_control].value)

    def set_objective(self, objective) -> None:
        """Switch to another function (a name or an Objective, e.g. a typed-in one);
        the explorer redraws for it (errors propagate: the caller shows them)."""
        obj = self._resolve(objective)
        self._choose(self.chooser_control, obj.name)
        self._objective = obj
        self.refresh(self.chooser_control)
