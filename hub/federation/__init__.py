"""Protocol with I/O: fetching, inbox processing, fan-out, delivery and host health."""
