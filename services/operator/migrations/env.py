from services.common.migrations import run_env
from services.operator.adapters.tables import metadata

run_env(metadata)
