"""Example routines: each trains and evaluates one model end to end and returns its metrics."""
