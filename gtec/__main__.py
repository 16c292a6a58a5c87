import sys

from gtec.cli import main

sys.exit(main())
