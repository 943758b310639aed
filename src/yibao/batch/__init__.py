"""Many quotes at once: Parquet or CSV in, Parquet or CSV out, one bad row never stops a run."""
