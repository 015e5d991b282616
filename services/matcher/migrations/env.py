from services.common.migrations import run_env
from services.matcher.tables import metadata

run_env(metadata)
