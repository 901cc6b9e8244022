"""Load the guideline data files once, validate each, and check them against each other."""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from dialogs.clinical.guideline.schema import (
    AdviceRow,
    CrsGrading,
    DrugsFile,
    HlhFile,
    IcansGrading,
    ManagementFile,
    PathwayFile,
    RaisedIcpFile,
    Regimen,
    RoutineFile,
    Row,
    Source,
    SourcesFile,
    SupplyFile,
)
from dialogs.clinical.guideline.schema import Drug as DrugRow

__all__ = ["Citation", "Guideline", "GuidelineError", "default_guideline", "load_guideline"]

_M = TypeVar("_M", bound=BaseModel)

# File name -> model. One file per table of the guideline.
FILES: Mapping[str, type[BaseModel]] = {
    "sources.toml": SourcesFile,
    "crs_grading.toml": CrsGrading,
    "crs_management.toml": ManagementFile,
    "drugs.toml": DrugsFile,
    "drug_supply.toml": SupplyFile,
    "icans_grading.toml": IcansGrading,
    "icans_management.toml": ManagementFile,
    "status_epilepticus.toml": PathwayFile,
    "raised_icp.toml": RaisedIcpFile,
    "hlh.toml": HlhFile,
    "routine_care.toml": RoutineFile,
}


class GuidelineError(ValueError):
    """A guideline data file is missing, malformed or inconsistent; names file, row and problem."""


class Citation(BaseModel, frozen=True):
    """Where a grade or a piece of advice comes from."""

    source: str
    section: str

    def __str__(self) -> str:
        return f"{self.source}, {self.section}"


@dataclass(frozen=True, eq=False)
class Guideline:
    """All tables of the guideline, validated, with lookups the grading and advice need."""

    sources: SourcesFile
    crs: CrsGrading
    crs_management: ManagementFile
    drugs: DrugsFile
    supply: SupplyFile
    icans: IcansGrading
    icans_management: ManagementFile
    status_epilepticus: PathwayFile
    raised_icp: RaisedIcpFile
    hlh: HlhFile
    routine: RoutineFile
    _sources: dict[str, Source] = field(init=False, repr=False)
    _regimens: dict[str, Regimen] = field(init=False, repr=False)
    _drugs: dict[str, DrugRow] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_sources", {s.id: s for s in self.sources.sources})
        object.__setattr__(self, "_regimens", {r.id: r for r in self.drugs.regimens})
        object.__setattr__(self, "_drugs", {d.id: d for d in self.drugs.drugs})

    @property
    def version(self) -> str:
        """The primary guideline and its version, e.g. 'ACLIN.P.088 v2.1'."""
        return self._sources[self.sources.guideline].cite_as

    def cite(self, row: Row) -> Citation:
        """Return the citation of a table row."""
        return Citation(source=self._sources[row.source].cite_as, section=row.section)

    def regimen(self, regimen_id: str) -> Regimen:
        """Return a regimen by id."""
        return self._regimens[regimen_id]

    def drug(self, drug_id: str) -> DrugRow:
        """Return a drug by id."""
        return self._drugs[drug_id]


def _read(path: Path, name: str) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise GuidelineError(f"{name}: file is missing") from None
    except tomllib.TOMLDecodeError as error:
        raise GuidelineError(f"{name}: not valid TOML: {error}") from None


def _describe(raw: Mapping[str, Any], loc: tuple[int | str, ...]) -> str:
    """Turn a pydantic error location into 'item[3] (crs2_icu).grades'."""
    parts: list[str] = []
    node: Any = raw
    for step in loc:
        if isinstance(step, int) and parts:
            parts[-1] += f"[{step}]"
            node = node[step] if isinstance(node, list) and step < len(node) else None
            if isinstance(node, dict) and "id" in node:
                parts[-1] += f" ({node['id']})"
        else:
            parts.append(str(step))
            node = node.get(str(step)) if isinstance(node, dict) else None
    return ".".join(parts)


def _validate(model: type[_M], raw: dict[str, Any], name: str) -> _M:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = _describe(raw, tuple(first["loc"]))
        message = first["msg"].removeprefix("Value error, ")
        more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
        prefix = f"{name}: {where}: " if where else f"{name}: "
        raise GuidelineError(f"{prefix}{message}{more}") from None


def _rows(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, Row]]:
    """Yield every Row inside a file model, with a readable location."""
    for attribute, value in model:
        name = type(model).model_fields[attribute].alias or attribute
        items = value if isinstance(value, tuple) else (value,)
        for index, item in enumerate(items):
            if not isinstance(item, BaseModel):
                continue
            where = f"{prefix}{name}[{index}]" if isinstance(value, tuple) else f"{prefix}{name}"
            if isinstance(item, Row):
                ident = getattr(item, "id", None)
                yield (f"{where} ({ident})" if ident else where), item
            yield from _rows(item, prefix=f"{where}.")


def _cross_check(files: Mapping[str, BaseModel]) -> None:
    sources = files["sources.toml"]
    assert isinstance(sources, SourcesFile)
    drugs = files["drugs.toml"]
    assert isinstance(drugs, DrugsFile)
    source_ids = {s.id for s in sources.sources}
    regimen_ids = {r.id for r in drugs.regimens}
    drug_ids = {d.id for d in drugs.drugs}
    for name, model in files.items():
        for where, row in _rows(model):
            if row.source not in source_ids:
                raise GuidelineError(
                    f"{name}: {where}: source {row.source!r} is not in sources.toml"
                )
            if isinstance(row, AdviceRow):
                for regimen in row.regimens:
                    if regimen not in regimen_ids:
                        raise GuidelineError(
                            f"{name}: {where}: regimen {regimen!r} is not in the drug table"
                        )
            drug = getattr(row, "drug", None)
            if isinstance(row, AdviceRow) and drug is not None and drug not in drug_ids:
                raise GuidelineError(f"{name}: {where}: drug {drug!r} is not in the drug table")


def load_guideline(directory: Path | None = None) -> Guideline:
    """Load and validate every table from a directory (default: the packaged data)."""
    if directory is None:
        with resources.as_file(resources.files("dialogs.clinical.guideline") / "data") as packaged:
            return load_guideline(Path(packaged))
    files: dict[str, BaseModel] = {}
    for name, model in FILES.items():
        files[name] = _validate(model, _read(directory / name, name), name)
    _cross_check(files)

    def get(name: str, kind: type[_M]) -> _M:
        model = files[name]
        assert isinstance(model, kind)
        return model

    return Guideline(
        sources=get("sources.toml", SourcesFile),
        crs=get("crs_grading.toml", CrsGrading),
        crs_management=get("crs_management.toml", ManagementFile),
        drugs=get("drugs.toml", DrugsFile),
        supply=get("drug_supply.toml", SupplyFile),
        icans=get("icans_grading.toml", IcansGrading),
        icans_management=get("icans_management.toml", ManagementFile),
        status_epilepticus=get("status_epilepticus.toml", PathwayFile),
        raised_icp=get("raised_icp.toml", RaisedIcpFile),
        hlh=get("hlh.toml", HlhFile),
        routine=get("routine_care.toml", RoutineFile),
    )


@functools.cache
def default_guideline() -> Guideline:
    """The packaged guideline, loaded and validated once per process."""
    return load_guideline()
