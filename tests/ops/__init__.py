"""Operations tests: admin jobs, metrics, limits, faults, hostile input, load (docs/operations.md)."""
