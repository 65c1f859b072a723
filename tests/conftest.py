import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# live-mode fixtures (moto server, seeded accounts); they skip without boto3/moto
from live_support import moto_endpoint, seeded  # noqa: E402, F401
