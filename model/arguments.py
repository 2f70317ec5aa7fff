"""What a caller hands `CentralAsiaModel`, checked and sized before anything is allocated.

The Python API reports misuse as `ArgumentError` (a `ParameterError`, so an `InputError`, and a
`TypeError`), each message naming the argument: `n_runs=2.5`, `seed=-1`, `run_seeds=[]`, a keyword
typo (`nruns=5`: the nearest constructor keyword), a start year the data do not reach. An ensemble
too large for this machine's memory is refused with `EnsembleTooLarge` before its seeds, parameters
or state are made, with the cheaper way to run it (`record="final"`, or `casim batch`, which streams
chunks of runs to disk).

A design is a table of parameter values, one row per design point and one column per dotted path
(`model.params.parameter_paths`); each row runs `replicates` times. Run `j * replicates + r` is
replicate r of row j: its seed is `run_seed(seed, 0, r)` with common random numbers (the default: row
j replicate r shares its random numbers with replicate r of every other row, and with replicate r of
`CentralAsiaModel(seed=seed)`), else `run_seed(seed, j, r)`, sample j of `casim batch`.
"""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from .actors import Actors
from .base_year import actors_at_start, base_years
from .base import build_base
from .constants import step_constants
from .errors import did_you_mean
from .outputs import ID_COLUMNS, RECORDED_FIELDS, region_columns, state_columns
from .history import RECORD_STEPS
from .params import REGISTRY, ParameterError, Params, expand_path, parameter_paths, parse_path
from .rng import BLOCK, run_seed
from .state import initial_state
from .uncertainty import MODES


RECORD_MODES = (True, False, *RECORD_STEPS)  # True = "all", False = no history


class ArgumentError(ParameterError, TypeError):
    """A bad argument to the Python API; the message names the argument."""


class EnsembleTooLarge(ParameterError, MemoryError):
    """An ensemble whose estimated memory exceeds what the machine has; the message says how to run it instead."""


# ---- plain arguments ------------------------------------------------------------------------------------------
def whole_number(name: str, value, minimum: int = 1) -> int:
    """`value` as an int >= minimum; refuses bools, floats (2.5, 10.0) and strings ('10'), naming `name`."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ArgumentError(f"{name} must be a whole number (an int), got {_shown(value)}")
    if value < minimum:
        raise ArgumentError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def seed_value(name: str, value) -> int:
    """A master or run seed: an int >= 0 (numpy's SeedSequence takes no negative numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ArgumentError(f"{name} must be a whole number >= 0, got {_shown(value)}")
    if value < 0:
        raise ArgumentError(f"{name} must be >= 0 (numpy's SeedSequence takes no negative seeds), got {value}")
    return int(value)


def seed_from_rng(rng) -> int:
    """The master seed for Mesa's `rng=` keyword.

    An int (or numpy integer) is the master seed itself, as `seed=` would be; a `numpy.random.Generator`
    gives one draw, `rng.integers(2**63)`, which becomes the master seed (so the generator advances by one
    draw); a `numpy.random.SeedSequence` gives its first 63 bits. Runs then take their seeds from the
    master seed as always (`model.rng`).
    """
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(2 ** 63))
    if isinstance(rng, np.random.SeedSequence):
        return int(rng.generate_state(1, np.uint64)[0] >> np.uint64(1))
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return seed_value("rng", rng)
    raise ArgumentError(f"rng must be an int seed, a numpy.random.Generator or a numpy.random.SeedSequence, "
                        f"got {_shown(rng)}")


def seed_count(value) -> int:
    """How many seeds `run_seeds` lists: a non-empty sequence (its items are checked by `run_seed_list`)."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (Sequence, np.ndarray, pd.Series)):
        raise ArgumentError(f"run_seeds must be a list of whole numbers >= 0, got {_shown(value)}")
    if len(value) == 0:
        raise ArgumentError("run_seeds must list at least one seed, got an empty list")
    return len(value)


def run_seed_list(value) -> list[int]:
    """Explicit per-run seeds: a non-empty sequence of ints >= 0 (checked as one array, so a long list is quick)."""
    seed_count(value)
    seeds = np.asarray(value)
    if seeds.dtype.kind in "iu" and seeds.ndim == 1:
        if seeds.min() < 0:
            k = int(np.argmax(seeds < 0))
            raise ArgumentError(f"run_seeds[{k}] must be >= 0 (numpy's SeedSequence takes no negative seeds), "
                                f"got {seeds[k]}")
        return seeds.tolist()
    return [seed_value(f"run_seeds[{k}]", s) for k, s in enumerate(value)]


def unknown_keyword(name: str, keywords: Sequence[str]) -> ArgumentError:
    """The error for a keyword that is neither a constructor keyword nor a global parameter.

    The hint is the nearest constructor keyword, or the nearest parameter when the name is close to
    one (a parameter-like name such as `ship_time_sale`); never a distant parameter (`nruns` is not
    'sanctions').
    """
    parameter = did_you_mean(name, _close(name, parameter_paths(), cutoff=0.75))
    hint = parameter or did_you_mean(name, keywords)
    return ArgumentError(f"CentralAsiaModel got an unknown keyword argument '{name}'{hint}. Keywords: "
                         f"{', '.join(keywords)}; a global parameter may be a keyword (ship_time_scale=0.9), "
                         f"any parameter goes in params={{'powers.RUS.security_capacity': 0.8}}")


def parameter_keyword(name: str) -> None:
    """Check a parameter passed as a keyword: a global parameter (a scoped one needs a dotted path)."""
    try:
        parse_path(name)
    except ParameterError as exc:
        raise ArgumentError(f"{name}=: {exc}; a dotted path goes in params={{...}}") from None


def check_horizon(start_year, end_year, steps_per_year, actors) -> tuple[int, int, int]:
    """The horizon as ints; a run starts the year after a base year the data describe (`base_years(actors)`)."""
    start = whole_number("start_year", start_year, minimum=0)
    end = whole_number("end_year", end_year, minimum=0)
    per_year = whole_number("steps_per_year", steps_per_year, minimum=1)
    years = base_years(actors)
    if start - 1 not in years:
        first, last = years[0] + 1, years[-1] + 1
        allowed = f"{first}" if first == last else f"{first} to {last}"
        raise ArgumentError(f"start_year={start} is outside the data: a run starts the year after its base year, "
                            f"and the data ({getattr(actors, 'path', None) or actors or 'the actor table and history'}) give base years "
                            f"{years[0]}-{years[-1]}, so start_year may be {allowed}")
    if end < start:
        raise ArgumentError(f"end_year={end} is before start_year={start}")
    return start, end, per_year


@dataclass(frozen=True)
class Arguments:
    """`CentralAsiaModel`'s arguments, checked: the actor table, horizon, runs, seeds and parameter overrides."""
    actors: Actors
    record: str | None
    horizon: tuple[int, int, int, int]     # start_year, end_year, steps_per_year, n_steps
    design: pd.DataFrame | None
    n_runs: int
    seed: int | None                       # the master seed (None when explicit run seeds were given)
    seeds: list[int]
    samples: np.ndarray                    # (R,) design row of each run
    replicates: list[int]
    params: dict                           # the base year's world, then params, keyword parameters, the design's columns
    world: dict                            # the world of the base year (`model.base_year.base_params`)
    set_paths: list[str]                   # the parameter paths those set (`all` paths expanded)


def resolve(keywords: Sequence[str], noise_sizes, *, n_runs, seed, rng, params, design, replicates, common_seeds,
            run_seeds, replicate_ids, start_year, end_year, steps_per_year, record, actors, uncertainty,
            overrides) -> Arguments:
    """Check `CentralAsiaModel`'s arguments and size the ensemble, before any per-run array exists.

    Args:
        keywords: the constructor's keywords (an unknown keyword's hint comes from them).
        noise_sizes: `noise_sizes(actors)` -> the numbers each run draws per step (normals, uniforms).
        the rest: the constructor's arguments (see `CentralAsiaModel`).
    Raises:
        ArgumentError: a bad argument, named. EnsembleTooLarge: the ensemble would not fit in memory.
    """
    for name in overrides:
        if name in REGISTRY:
            parameter_keyword(name)
        else:
            raise unknown_keyword(name, keywords)
    if rng is not None and seed is not None:
        raise ArgumentError("pass seed= or Mesa's rng=, not both")
    seed = seed_from_rng(rng) if rng is not None else seed
    seed = None if seed is None else seed_value("seed", seed)
    if uncertainty not in MODES:
        raise ArgumentError(f"uncertainty must be one of {', '.join(map(repr, MODES))}, got {_shown(uncertainty)}"
                            f"{did_you_mean(uncertainty, MODES) if isinstance(uncertainty, str) else ''}")
    if uncertainty != "point" and seed is None and run_seeds is not None:
        raise ArgumentError(f"uncertainty={uncertainty!r}: parameter draws are keyed by the master seed; "
                            "give seed= with run_seeds=")
    if record not in RECORD_MODES:
        raise ArgumentError(f"record must be one of {', '.join(map(repr, RECORD_MODES))}, got {record!r}")
    record = {True: "all", False: None}.get(record, record)
    start, end, per_year = check_horizon(start_year, end_year, steps_per_year, actors)
    actors, world = actors_at_start(actors, start)
    n_steps = (end - start + 1) * per_year
    design = None if design is None else design_frame(design, actors)
    runs = layout(n_runs, replicates, design, None if run_seeds is None else seed_count(run_seeds), replicate_ids,
                  common_seeds)
    check_memory(runs.n_runs, n_steps, per_year, record,
                 footprint(actors, sum(noise_sizes(actors)), tuple(sorted(world.items()))))
    if run_seeds is not None:
        seeds = run_seed_list(run_seeds)
    else:
        seed = int(np.random.SeedSequence().entropy % (2 ** 63)) if seed is None else seed
        seeds = runs.seeds(seed)
    samples = runs.samples
    overrides = {**dict(params or {}), **overrides}
    if design is not None:
        overrides |= design_overrides(design, samples)
    return Arguments(actors, record, (start, end, per_year, n_steps), design, runs.n_runs, seed, seeds, samples,
                     runs.replicates.tolist(), {**world, **overrides}, world, caller_paths(overrides, actors))


# ---- designs --------------------------------------------------------------------------------------------------
def design_frame(design, actors: Actors | None = None) -> pd.DataFrame:
    """A design as a DataFrame: one row per design point, one float column per dotted parameter path.

    Accepts a DataFrame; a mapping of path -> values (a column each; scalars are repeated); or a pandas
    Series, read as one design point when its index holds parameter paths (a row of a design,
    `design.iloc[j]`) and as one column when its name is a path. Row labels are ignored: design point j
    is the j-th row.

    Raises:
        ArgumentError: no rows, a column that is not a parameter path (with the nearest), a non-number.
    """
    if isinstance(design, pd.Series):
        design = _series_design(design, actors)
    elif isinstance(design, Mapping):
        values = dict(design)
        if values and all(np.ndim(v) == 0 for v in values.values()):
            values = {k: [v] for k, v in values.items()}
        try:
            design = pd.DataFrame(values)
        except ValueError as exc:
            raise ArgumentError(f"design: the columns must have equal lengths ({exc})") from None
    elif not isinstance(design, pd.DataFrame):
        raise ArgumentError(f"design must be a pandas DataFrame (one row per design point, dotted parameter "
                            f"paths as columns) or a mapping of path -> values, got {_shown(design)}; a numpy "
                            f"array has no names: pd.DataFrame(array, columns=paths)")
    if len(design) == 0 or len(design.columns) == 0:
        raise ArgumentError(f"design has no {'rows' if len(design.columns) else 'columns'}")
    columns = {}
    for name in design.columns:
        try:
            parse_path(str(name), actors)
        except ParameterError as exc:
            raise ArgumentError(f"design column {name!r}: {exc}") from None
        values = design[name]
        if values.dtype.kind not in "iuf":
            raise ArgumentError(f"design column {name!r}: expected numbers, got {values.dtype}")
        columns[str(name)] = values.to_numpy(dtype=float)
    return pd.DataFrame(columns)


def _series_design(series: pd.Series, actors) -> pd.DataFrame:
    names = [str(k) for k in series.index]
    if names and all(_is_path(k, actors) for k in names):
        return series.to_frame().T.reset_index(drop=True).infer_objects()
    if series.name is not None and _is_path(str(series.name), actors):
        return series.reset_index(drop=True).to_frame()
    raise ArgumentError("design: a Series is one design point (its index holds parameter paths) or one column "
                        f"(its name is a parameter path); got index {names[:3]} and name {series.name!r}")


def _is_path(name: str, actors) -> bool:
    try:
        parse_path(name, actors)
        return True
    except ParameterError:
        return False


@dataclass(frozen=True)
class Layout:
    """Which run is which: `n_rows` design rows (1 without a design) x `per_row` replicates, run j * per_row + r
    being replicate r of row j. The per-run arrays are made on demand, after the memory check."""
    n_rows: int
    per_row: int
    common_seeds: bool
    replicate_ids: tuple[int, ...] | None = None  # recorded replicate index of each run, if given

    @property
    def n_runs(self) -> int:
        return self.n_rows * self.per_row

    @property
    def samples(self) -> np.ndarray:
        """(R,) design row of each run."""
        return np.repeat(np.arange(self.n_rows), self.per_row)

    @property
    def replicates(self) -> np.ndarray:
        """(R,) replicate index of each run."""
        if self.replicate_ids is not None:
            return np.asarray(self.replicate_ids, dtype=np.int64)
        return np.tile(np.arange(self.per_row), self.n_rows)

    def seeds(self, master: int) -> list[int]:
        """Each run's seed under `master` (`model.rng.run_seed`), computed once per distinct (sample, replicate)."""
        keys = np.zeros(self.n_runs, dtype=np.int64) if self.common_seeds else self.samples
        replicates = self.replicates
        pairs = {(int(j), int(r)) for j, r in zip(keys, replicates)}
        table = {pair: run_seed(master, *pair) for pair in sorted(pairs)}
        return [table[int(j), int(r)] for j, r in zip(keys, replicates)]


def layout(n_runs, replicates, design: pd.DataFrame | None, n_seeds: int | None, replicate_ids,
           common_seeds: bool) -> Layout:
    """The runs of a model: a design's rows x replicates, or `n_runs` (= `replicates`, = the seeds given) runs."""
    if design is not None:
        if n_runs is not None:
            raise ArgumentError("n_runs: with a design the runs are its rows x replicates; pass replicates= instead")
        rows, per_row = len(design), 1 if replicates is None else whole_number("replicates", replicates)
    else:
        counts = {name: whole_number(name, value) for name, value in (("n_runs", n_runs), ("replicates", replicates))
                  if value is not None}
        if len(set(counts.values())) > 1:
            raise ArgumentError(f"n_runs={counts['n_runs']} and replicates={counts['replicates']} disagree; "
                                "without a design both count the runs: pass one")
        rows, per_row = 1, next(iter(counts.values()), n_seeds if n_seeds is not None else 1)
    if n_seeds is not None and n_seeds != rows * per_row:
        raise ArgumentError(f"run_seeds lists {n_seeds} seeds for {rows * per_row} runs")
    if replicate_ids is not None:
        replicate_ids = tuple(int(r) for r in replicate_ids)
        if len(replicate_ids) != rows * per_row:
            raise ArgumentError(f"replicate_ids lists {len(replicate_ids)} ids for {rows * per_row} runs")
    return Layout(rows, per_row, bool(common_seeds), replicate_ids)


def design_overrides(design: pd.DataFrame, samples: np.ndarray) -> dict[str, np.ndarray]:
    """Per-run parameter values from a design: each run takes its design row's values."""
    return {path: design[path].to_numpy()[samples] for path in design.columns}


def caller_paths(paths, actors: Actors) -> list[str]:
    """The `parameter_paths` that the caller's dotted paths set (an `all` path sets one per actor), in order, once."""
    return list(dict.fromkeys(p for path in paths for p in expand_path(str(path), actors)))


# ---- memory ---------------------------------------------------------------------------------------------------
ALWAYS_FITS = 2 ** 28  # 268 MB: an ensemble this small is not checked against the free memory (saves reading it)
GENERATOR_BYTES = 1000  # one run's numpy Generator, PCG64 and SeedSequence objects (tracemalloc: ~970 B)


@dataclass(frozen=True)
class Footprint:
    """Bytes one run needs: `fixed` for as long as the model lives, `per_step` for each step its history keeps."""
    fixed: int
    per_step: int

    def total(self, n_runs: int, kept_steps: int) -> int:
        return n_runs * (self.fixed + kept_steps * self.per_step)


@lru_cache(maxsize=8)
def footprint(actors: Actors, noise_per_step: int, world: tuple = ()) -> Footprint:
    """What one run of this actor table costs in memory, measured on a one-run probe of the model's arrays
    (built in the world of its base year, `world`: (path, value) pairs of `model.base_year.base_params`).

    fixed: the state (twice: the step's intermediate arrays are of its size), the parameters (twice: the
    runs table's copy of their starting values), the step constants, the random-number buffers
    (`model.rng.BLOCK` steps of `noise_per_step` numbers) and the generator objects.
    per_step: the region and states tables' cells (8 bytes each) that `results()` builds, or the recorded
    fields (`outputs.RECORDED_FIELDS`) if more: the tables' plain columns are views of the recorded arrays.
    `benchmarks/memory_estimate.py` compares the estimate with the memory a process really takes.
    """
    params = Params(1, dict(world), use_calibrated=False, actors=actors)
    base = build_base(actors, params, 0.25)
    constants = step_constants(params, actors, base, 0.25)
    state = initial_state(actors, base, params, constants, 1)
    state_bytes = sum(getattr(state, f.name).nbytes for f in dataclasses.fields(state))
    param_bytes = sum(v.nbytes for v in params.values.values())
    recorded = sum(getattr(state, name).nbytes for name in RECORDED_FIELDS)
    cells = (len(region_columns(actors)) + len(ID_COLUMNS)
             + actors.n_states * (len(state_columns(actors)) + len(ID_COLUMNS) + 1))
    fixed = 2 * state_bytes + 2 * param_bytes + _nbytes(constants) + BLOCK * noise_per_step * 8 + GENERATOR_BYTES
    return Footprint(fixed=int(fixed), per_step=int(max(recorded, 8 * cells)))


def _nbytes(value) -> int:
    """Bytes of the arrays inside a (nested) dataclass, mapping or tuple."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if dataclasses.is_dataclass(value):
        return sum(_nbytes(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, Mapping):
        return sum(_nbytes(v) for v in value.values())
    if isinstance(value, (tuple, list)):
        return sum(_nbytes(v) for v in value)
    return 0


def available_memory() -> int | None:
    """Bytes this machine can still hand out: MemAvailable on Linux, else half the physical memory, else None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2
    except (ValueError, OSError, AttributeError):
        return None


def kept_steps(record: str | None, n_steps: int, steps_per_year: int) -> int:
    """How many steps a history keeps (`model.history.History.keeps`, counted without building one)."""
    if record is None:
        return 0
    if record == "all":
        return n_steps + 1
    if record == "year_end":
        return n_steps // steps_per_year + 1
    return 1


def check_memory(n_runs: int, n_steps: int, steps_per_year: int, record: str | None, foot: Footprint,
                 available: int | None = None) -> int:
    """Refuse an ensemble whose estimated memory exceeds `available` (default `available_memory()`).

    Returns:
        The estimate in bytes.
    Raises:
        EnsembleTooLarge: with the estimate, what is available and the cheaper way that fits (`record="final"`
            keeps one step; `casim batch` runs chunks and streams their tables to disk).
    """
    need = foot.total(n_runs, kept_steps(record, n_steps, steps_per_year))
    if available is None and need <= ALWAYS_FITS:
        return need
    available = available_memory() if available is None else available
    if available is None or need <= available:
        return need
    final = foot.total(n_runs, 1)
    what = (f"n_runs={n_runs:,} with record={record!r} over {n_steps} steps needs about {_size(need)} "
            f"({_size(need / n_runs)} per run) but this machine has {_size(available)} available")
    if record not in (None, "final") and final <= available:
        hint = f"pass record='final' to keep only the last step ({_size(final)}), or"
    else:
        hint = "even one step per run does not fit:"
    raise EnsembleTooLarge(f"{what}; {hint} run it as a batch, which runs chunks of runs and writes each to disk "
                           "as it goes: casim batch EXPERIMENT.yaml --out DIR (README, 'Batch experiments')")


def _size(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if n < 1000 or unit == "PB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n} B"


def _shown(value) -> str:
    if np.ndim(value) > 0 and hasattr(value, "shape"):
        return f"{type(value).__name__} of shape {value.shape}"
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


def _close(name: str, options: Sequence[str], cutoff: float) -> list[str]:
    import difflib

    return difflib.get_close_matches(name, options, n=1, cutoff=cutoff)
