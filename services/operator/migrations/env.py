from services.common.migrations import run_env
from services.operator.tables import metadata

run_env(metadata)
