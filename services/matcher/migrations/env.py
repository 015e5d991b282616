from services.common.migrations import run_env
from services.matcher.adapters.tables import metadata

run_env(metadata)
