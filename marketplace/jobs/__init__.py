"""Background jobs (后台任务) on huey: long work leaves the request, reports its stage and counts, and ends done or
failed with a reason. `queue` holds the one huey instance; `models` the `jobs` table; `services` the job's life."""
