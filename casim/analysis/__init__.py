"""Analysis of saved outputs: compare reports, sensitivity (SALib), scenario discovery (PRIM).

Everything here takes tables (DataFrames read from an output directory), never models;
the only exception is the sensitivity evaluator, which is a pluggable function.
"""
