from services.common.migrations import run_env
from services.supply.adapters.tables import metadata

run_env(metadata)
