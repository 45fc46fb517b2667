import sys

from slm_app.offline.cli import main

sys.exit(main())
