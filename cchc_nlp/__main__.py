"""`python -m cchc_nlp` is the same as the `cchc-nlp` command."""

import sys

from cchc_nlp.cli import main

sys.exit(main())
