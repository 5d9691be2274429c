"""Operations beside the query path: admin token and jobs, request limits, metrics, logging,
query analytics and the zero-result log."""
