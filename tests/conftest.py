import os

os.environ.setdefault("MPLBACKEND", "Agg")  # figures are written to files; no test opens a window

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=200, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", max_examples=1000, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
# CI is derandomized (the same examples every run, so it cannot flake); HYPOTHESIS_PROFILE=explore hunts for new
# ones, keeps failures in .hypothesis/ to replay them first, and prints a blob to reproduce each (tests/README.md).
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
