"""`python -m benchmarks`: run the benchmarks and write the results table."""

import sys

from benchmarks.run import main

if __name__ == "__main__":
    sys.exit(main())
