import sys

from gtec.cli.main import main

sys.exit(main())
